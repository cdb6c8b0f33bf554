"""Create the delinquency tables: grace periods, status transitions, holds and the outbound 834 queue.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04 21:24:15.151187
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grace_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('rule_name', sa.String(length=64), nullable=False),
    sa.Column('first_unpaid_month', sa.Date(), nullable=False),
    sa.Column('missed_due_date', sa.Date(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('settle_by_due', sa.Date(), nullable=False),
    sa.Column('termination_basis', sa.String(length=24), nullable=False),
    sa.Column('claims_pend_from', sa.Date(), nullable=True),
    sa.Column('termination_date', sa.Date(), nullable=True),
    sa.Column('planned_notices', sa.JSON(), nullable=False),
    sa.Column('last_stage', sa.String(length=16), nullable=True),
    sa.Column('past_due_cents', sa.BigInteger(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('restore', sa.JSON(), nullable=True),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_grace_periods_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_grace_periods_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grace_periods'))
    )
    with op.batch_alter_table('grace_periods', schema=None) as batch_op:
        batch_op.create_index('ix_grace_periods_outcome_closed', ['outcome', 'closed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_grace_periods_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('uq_grace_periods_open_policy', ['policy_id'], unique=True, sqlite_where=sa.text("outcome = 'open'"), postgresql_where=sa.text("outcome = 'open'"))

    op.create_table('delinquency_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('invoice_line_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('zip_prefix', sa.String(length=9), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('placed_by', sa.String(length=64), nullable=False),
    sa.Column('placed_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('released_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_delinquency_holds_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['invoice_line_id'], ['invoice_lines.id'], name=op.f('fk_delinquency_holds_invoice_line_id_invoice_lines')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_delinquency_holds_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delinquency_holds'))
    )
    with op.batch_alter_table('delinquency_holds', schema=None) as batch_op:
        batch_op.create_index('ix_delinquency_holds_kind_account', ['kind', 'billing_account_id'], unique=False)

    op.create_table('delinquency_transitions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('grace_period_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.Column('past_due_cents', sa.BigInteger(), nullable=False),
    sa.Column('open_cents', sa.BigInteger(), nullable=False),
    sa.Column('within_threshold_cents', sa.BigInteger(), nullable=False),
    sa.Column('disputed_cents', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_delinquency_transitions_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['grace_period_id'], ['grace_periods.id'], name=op.f('fk_delinquency_transitions_grace_period_id_grace_periods')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_delinquency_transitions_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delinquency_transitions'))
    )
    with op.batch_alter_table('delinquency_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delinquency_transitions_as_of'), ['as_of'], unique=False)
        batch_op.create_index('ix_delinquency_transitions_policy_as_of', ['policy_id', 'as_of'], unique=False)

    op.create_table('outbound_834',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('transition_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('exchange_policy_id', sa.String(length=64), nullable=True),
    sa.Column('maintenance_type', sa.String(length=3), nullable=False),
    sa.Column('maintenance_reason', sa.String(length=3), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('queued_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dedupe_key', sa.String(length=96), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('interchange_control_number', sa.Integer(), nullable=True),
    sa.Column('written_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_outbound_834_policy_id_policies')),
    sa.ForeignKeyConstraint(['transition_id'], ['delinquency_transitions.id'], name=op.f('fk_outbound_834_transition_id_delinquency_transitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_834')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_834_dedupe_key'))
    )
    with op.batch_alter_table('outbound_834', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_834_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('ix_outbound_834_status', ['status', 'queued_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbound_834', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_834_status')
        batch_op.drop_index(batch_op.f('ix_outbound_834_policy_id'))
    op.drop_table('outbound_834')
    with op.batch_alter_table('delinquency_transitions', schema=None) as batch_op:
        batch_op.drop_index('ix_delinquency_transitions_policy_as_of')
        batch_op.drop_index(batch_op.f('ix_delinquency_transitions_as_of'))
    op.drop_table('delinquency_transitions')
    with op.batch_alter_table('delinquency_holds', schema=None) as batch_op:
        batch_op.drop_index('ix_delinquency_holds_kind_account')
    op.drop_table('delinquency_holds')
    with op.batch_alter_table('grace_periods', schema=None) as batch_op:
        batch_op.drop_index('uq_grace_periods_open_policy', sqlite_where=sa.text("outcome = 'open'"), postgresql_where=sa.text("outcome = 'open'"))
        batch_op.drop_index(batch_op.f('ix_grace_periods_policy_id'))
        batch_op.drop_index('ix_grace_periods_outcome_closed')
    op.drop_table('grace_periods')
