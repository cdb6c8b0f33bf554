"""Create the payment channel tables: imports, bank statement lines, suspense, refunds, ACH files and entries, processor events.

Revision ID: 0050
Revises: 0040
Create Date: 2026-12-04 21:46:19.787561
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0050'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ach_files',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('debit_total_cents', sa.BigInteger(), nullable=False),
    sa.Column('credit_total_cents', sa.BigInteger(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ach_files'))
    )
    with op.batch_alter_table('ach_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ach_files_as_of'), ['as_of'], unique=False)

    op.create_table('payment_imports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('control_key', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('started_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_imports')),
    sa.UniqueConstraint('kind', 'content_sha256', name=op.f('uq_payment_imports_kind_content_sha256'))
    )
    with op.batch_alter_table('payment_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_imports_control_key'), ['control_key'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('suspense_item_id', sa.BigInteger(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.Column('payee_name', sa.String(length=128), nullable=False),
    sa.Column('bank_account_id', sa.Integer(), nullable=True),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=256), nullable=True),
    sa.Column('payable_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('check_number', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['bank_account_id'], ['bank_accounts.id'], name=op.f('fk_refunds_bank_account_id_bank_accounts')),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_refunds_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['paid_entry_id'], ['journal_entries.id'], name=op.f('fk_refunds_paid_entry_id_journal_entries')),
    sa.ForeignKeyConstraint(['payable_entry_id'], ['journal_entries.id'], name=op.f('fk_refunds_payable_entry_id_journal_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('check_number', name=op.f('uq_refunds_check_number')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_refunds_idempotency_key'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_billing_account_id'), ['billing_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refunds_status'), ['status'], unique=False)

    op.create_table('ach_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('trace_number', sa.String(length=15), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('bank_account_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('refund_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('individual_id', sa.String(length=15), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('return_code', sa.String(length=3), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('original_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('representment', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['bank_account_id'], ['bank_accounts.id'], name=op.f('fk_ach_entries_bank_account_id_bank_accounts')),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_ach_entries_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['file_id'], ['ach_files.id'], name=op.f('fk_ach_entries_file_id_ach_files')),
    sa.ForeignKeyConstraint(['original_entry_id'], ['ach_entries.id'], name=op.f('fk_ach_entries_original_entry_id_ach_entries')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_ach_entries_payment_id_payments')),
    sa.ForeignKeyConstraint(['refund_id'], ['refunds.id'], name=op.f('fk_ach_entries_refund_id_refunds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ach_entries'))
    )
    with op.batch_alter_table('ach_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ach_entries_account_status', ['billing_account_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ach_entries_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ach_entries_representment'), ['representment'], unique=False)
        batch_op.create_index(batch_op.f('ix_ach_entries_trace_number'), ['trace_number'], unique=False)

    op.create_table('processor_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('processor', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('transaction_id', sa.String(length=128), nullable=False),
    sa.Column('event_type', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_processor_events_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_processor_events_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processor_events')),
    sa.UniqueConstraint('processor', 'event_id', name=op.f('uq_processor_events_processor_event_id'))
    )
    with op.batch_alter_table('processor_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processor_events_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('suspense_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=24), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('cash_account', sa.String(length=32), nullable=False),
    sa.Column('payer_name', sa.String(length=128), nullable=True),
    sa.Column('reference', sa.String(length=128), nullable=True),
    sa.Column('bank_reference', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=512), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('receipt_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('refund_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('resolution_note', sa.String(length=256), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('resolved_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_suspense_items_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_suspense_items_payment_id_payments')),
    sa.ForeignKeyConstraint(['receipt_entry_id'], ['journal_entries.id'], name=op.f('fk_suspense_items_receipt_entry_id_journal_entries')),
    sa.ForeignKeyConstraint(['refund_id'], ['refunds.id'], name=op.f('fk_suspense_items_refund_id_refunds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspense_items'))
    )
    with op.batch_alter_table('suspense_items', schema=None) as batch_op:
        batch_op.create_index('ix_suspense_items_status', ['status', 'received_on'], unique=False)

    op.create_table('bank_statement_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('import_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_key', sa.String(length=200), nullable=False),
    sa.Column('bank_account', sa.String(length=34), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('is_credit', sa.Boolean(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('type_code', sa.String(length=32), nullable=False),
    sa.Column('bank_reference', sa.String(length=64), nullable=True),
    sa.Column('reference_text', sa.String(length=256), nullable=True),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('suspense_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('recognized_as', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['payment_imports.id'], name=op.f('fk_bank_statement_lines_import_id_payment_imports')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_bank_statement_lines_payment_id_payments')),
    sa.ForeignKeyConstraint(['suspense_item_id'], ['suspense_items.id'], name=op.f('fk_bank_statement_lines_suspense_item_id_suspense_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement_lines')),
    sa.UniqueConstraint('item_key', name=op.f('uq_bank_statement_lines_item_key'))
    )
    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.create_index('ix_bank_statement_lines_day', ['booked_on', 'bank_account'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_statement_lines_import_id'), ['import_id'], unique=False)

    op.create_table('payment_import_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('import_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_key', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('match_rule', sa.String(length=24), nullable=True),
    sa.Column('explanation', sa.String(length=512), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('suspense_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('journal_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_payment_import_items_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['import_id'], ['payment_imports.id'], name=op.f('fk_payment_import_items_import_id_payment_imports')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entries.id'], name=op.f('fk_payment_import_items_journal_entry_id_journal_entries')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_import_items_payment_id_payments')),
    sa.ForeignKeyConstraint(['suspense_item_id'], ['suspense_items.id'], name=op.f('fk_payment_import_items_suspense_item_id_suspense_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_import_items')),
    sa.UniqueConstraint('item_key', name=op.f('uq_payment_import_items_item_key'))
    )
    with op.batch_alter_table('payment_import_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_import_items_import_id'), ['import_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment_import_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_import_items_import_id'))

    op.drop_table('payment_import_items')
    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_statement_lines_import_id'))
        batch_op.drop_index('ix_bank_statement_lines_day')

    op.drop_table('bank_statement_lines')
    with op.batch_alter_table('suspense_items', schema=None) as batch_op:
        batch_op.drop_index('ix_suspense_items_status')

    op.drop_table('suspense_items')
    with op.batch_alter_table('processor_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processor_events_transaction_id'))

    op.drop_table('processor_events')
    with op.batch_alter_table('ach_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ach_entries_trace_number'))
        batch_op.drop_index(batch_op.f('ix_ach_entries_representment'))
        batch_op.drop_index(batch_op.f('ix_ach_entries_file_id'))
        batch_op.drop_index('ix_ach_entries_account_status')

    op.drop_table('ach_entries')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_status'))
        batch_op.drop_index(batch_op.f('ix_refunds_billing_account_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('payment_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_imports_control_key'))

    op.drop_table('payment_imports')
    with op.batch_alter_table('ach_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ach_files_as_of'))

    op.drop_table('ach_files')
