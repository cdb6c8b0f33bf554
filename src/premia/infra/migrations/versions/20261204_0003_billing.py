"""Create bill runs, invoices, invoice lines and invoice-number series.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:07:41.634992
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bill_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('started_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('invoices_issued', sa.Integer(), nullable=False),
    sa.Column('already_billed', sa.Integer(), nullable=False),
    sa.Column('total_billed_cents', sa.BigInteger(), nullable=False),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_runs'))
    )
    op.create_table('invoice_number_series',
    sa.Column('legal_entity', sa.String(length=16), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('next_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('legal_entity', name=op.f('pk_invoice_number_series'))
    )
    op.create_table('invoices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('invoice_number', sa.String(length=32), nullable=False),
    sa.Column('legal_entity', sa.String(length=16), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('bill_run_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('previous_balance_cents', sa.BigInteger(), nullable=False),
    sa.Column('payments_since_cents', sa.BigInteger(), nullable=False),
    sa.Column('current_charges_cents', sa.BigInteger(), nullable=False),
    sa.Column('adjustments_cents', sa.BigInteger(), nullable=False),
    sa.Column('credits_applied_cents', sa.BigInteger(), nullable=False),
    sa.Column('amount_due_cents', sa.BigInteger(), nullable=False),
    sa.Column('gross_premium_cents', sa.BigInteger(), nullable=False),
    sa.Column('aptc_cents', sa.BigInteger(), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bill_run_id'], ['bill_runs.id'], name=op.f('fk_invoices_bill_run_id_bill_runs')),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_invoices_billing_account_id_billing_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('billing_account_id', 'period_start', name=op.f('uq_invoices_billing_account_id_period_start')),
    sa.UniqueConstraint('legal_entity', 'invoice_number', name=op.f('uq_invoices_legal_entity_invoice_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_account_due', ['billing_account_id', 'due_date'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('invoice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('coverage_month', sa.Date(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('adjustment', sa.Boolean(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('employer_share_cents', sa.BigInteger(), nullable=False),
    sa.Column('days_covered', sa.Integer(), nullable=False),
    sa.Column('days_in_month', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=256), nullable=False),
    sa.Column('trace', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_invoice_lines_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_invoice_lines_person_id_persons')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_invoice_lines_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines'))
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_lines_account_month', ['billing_account_id', 'coverage_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_lines_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index('uq_invoice_lines_regular_member_month', ['policy_id', 'person_id', 'coverage_month', 'kind'], unique=True, sqlite_where=sa.text('adjustment = 0'), postgresql_where=sa.text('adjustment = false'))



def downgrade() -> None:
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_invoice_lines_regular_member_month', sqlite_where=sa.text('adjustment = 0'), postgresql_where=sa.text('adjustment = false'))
        batch_op.drop_index(batch_op.f('ix_invoice_lines_invoice_id'))
        batch_op.drop_index('ix_invoice_lines_account_month')

    op.drop_table('invoice_lines')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_account_due')

    op.drop_table('invoices')
    op.drop_table('invoice_number_series')
    op.drop_table('bill_runs')
