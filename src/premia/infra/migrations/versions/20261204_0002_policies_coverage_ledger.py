"""Create policies, coverage spans, exchange amounts, coverage events and the journal.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 21:03:36.697974
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('posted_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=True),
    sa.Column('description', sa.String(length=256), nullable=True),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('reverses_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('posted_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_journal_entries_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['reverses_entry_id'], ['journal_entries.id'], name=op.f('fk_journal_entries_reverses_entry_id_journal_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_journal_entries_idempotency_key')),
    sa.UniqueConstraint('reverses_entry_id', name=op.f('uq_journal_entries_reverses_entry_id'))
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_account_date', ['billing_account_id', 'entry_date'], unique=False)

    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=32), nullable=False),
    sa.Column('exchange_policy_id', sa.String(length=64), nullable=True),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_person_id', sa.Integer(), nullable=False),
    sa.Column('employer_group_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.String(length=32), nullable=False),
    sa.Column('rating_area', sa.String(length=32), nullable=False),
    sa.Column('market', sa.String(length=16), nullable=False),
    sa.Column('on_exchange', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status_reason', sa.String(length=128), nullable=True),
    sa.Column('renewed_from_policy_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_policies_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['employer_group_id'], ['employer_groups.id'], name=op.f('fk_policies_employer_group_id_employer_groups')),
    sa.ForeignKeyConstraint(['renewed_from_policy_id'], ['policies.id'], name=op.f('fk_policies_renewed_from_policy_id_policies')),
    sa.ForeignKeyConstraint(['subscriber_person_id'], ['persons.id'], name=op.f('fk_policies_subscriber_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
    sa.UniqueConstraint('exchange_policy_id', name=op.f('uq_policies_exchange_policy_id')),
    sa.UniqueConstraint('policy_number', name=op.f('uq_policies_policy_number'))
    )
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_index('ix_policies_account_status', ['billing_account_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_employer_group_id'), ['employer_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_subscriber_person_id'), ['subscriber_person_id'], unique=False)

    op.create_table('coverage_spans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('tobacco', sa.Boolean(), nullable=False),
    sa.Column('aptc_eligible', sa.Boolean(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_coverage_spans_person_id_persons')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_coverage_spans_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_spans'))
    )
    with op.batch_alter_table('coverage_spans', schema=None) as batch_op:
        batch_op.create_index('ix_coverage_spans_person', ['person_id'], unique=False)
        batch_op.create_index('ix_coverage_spans_policy', ['policy_id', 'start_date'], unique=False)

    op.create_table('exchange_amounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('source_reference', sa.String(length=128), nullable=True),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_exchange_amounts_person_id_persons')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_exchange_amounts_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_amounts'))
    )
    with op.batch_alter_table('exchange_amounts', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_amounts_policy', ['policy_id', 'kind', 'start_date'], unique=False)

    op.create_table('journal_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ledger_account', sa.String(length=8), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.BigInteger(), nullable=True),
    sa.Column('invoice_line_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_id', sa.BigInteger(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('coverage_month', sa.Date(), nullable=True),
    sa.Column('cash_account', sa.String(length=32), nullable=True),
    sa.Column('memo', sa.String(length=256), nullable=True),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_journal_lines_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_journal_lines_entry_id_journal_entries')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_journal_lines_person_id_persons')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_journal_lines_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_lines'))
    )
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.create_index('ix_journal_lines_account', ['ledger_account', 'billing_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_lines_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_journal_lines_invoice', ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_lines_invoice_line_id'), ['invoice_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_lines_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index('ix_journal_lines_policy_month', ['policy_id', 'coverage_month'], unique=False)

    op.create_table('coverage_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('coverage_span_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('detail', sa.String(length=512), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_reference', sa.String(length=128), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coverage_span_id'], ['coverage_spans.id'], name=op.f('fk_coverage_events_coverage_span_id_coverage_spans')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_coverage_events_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_events'))
    )
    with op.batch_alter_table('coverage_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_events_policy_id'), ['policy_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('coverage_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_events_policy_id'))

    op.drop_table('coverage_events')
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_lines_policy_month')
        batch_op.drop_index(batch_op.f('ix_journal_lines_payment_id'))
        batch_op.drop_index(batch_op.f('ix_journal_lines_invoice_line_id'))
        batch_op.drop_index('ix_journal_lines_invoice')
        batch_op.drop_index(batch_op.f('ix_journal_lines_entry_id'))
        batch_op.drop_index('ix_journal_lines_account')

    op.drop_table('journal_lines')
    with op.batch_alter_table('exchange_amounts', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_amounts_policy')

    op.drop_table('exchange_amounts')
    with op.batch_alter_table('coverage_spans', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_spans_policy')
        batch_op.drop_index('ix_coverage_spans_person')

    op.drop_table('coverage_spans')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policies_subscriber_person_id'))
        batch_op.drop_index(batch_op.f('ix_policies_status'))
        batch_op.drop_index(batch_op.f('ix_policies_plan_id'))
        batch_op.drop_index(batch_op.f('ix_policies_employer_group_id'))
        batch_op.drop_index('ix_policies_account_status')

    op.drop_table('policies')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entries_account_date')

    op.drop_table('journal_entries')
