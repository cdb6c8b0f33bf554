"""Create the service desk tables: contacts, cases, disputes, surveys, claims and merges.

Revision ID: 0030
Revises: 0020
Create Date: 2026-12-04 21:25:53.831030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0030'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('file_digest', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('imported_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_imports'))
    )
    with op.batch_alter_table('claim_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_imports_file_digest'), ['file_digest'], unique=False)

    op.create_table('claim_statuses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reported_member_id', sa.String(length=32), nullable=False),
    sa.Column('service_from', sa.Date(), nullable=False),
    sa.Column('service_to', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('billed_cents', sa.BigInteger(), nullable=False),
    sa.Column('paid_cents', sa.BigInteger(), nullable=False),
    sa.Column('pend_reason', sa.String(length=128), nullable=True),
    sa.Column('row_digest', sa.String(length=64), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('first_imported_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['claim_imports.id'], name=op.f('fk_claim_statuses_import_id_claim_imports')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_claim_statuses_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_statuses')),
    sa.UniqueConstraint('claim_id', name=op.f('uq_claim_statuses_claim_id'))
    )
    with op.batch_alter_table('claim_statuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_statuses_person_id'), ['person_id'], unique=False)

    op.create_table('person_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_person_id', sa.Integer(), nullable=False),
    sa.Column('target_person_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=256), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('merged_by', sa.String(length=64), nullable=False),
    sa.Column('merged_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_person_id'], ['persons.id'], name=op.f('fk_person_merges_source_person_id_persons')),
    sa.ForeignKeyConstraint(['target_person_id'], ['persons.id'], name=op.f('fk_person_merges_target_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merges')),
    sa.UniqueConstraint('source_person_id', name=op.f('uq_person_merges_source_person_id'))
    )
    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_merges_target_person_id'), ['target_person_id'], unique=False)

    op.create_table('authorized_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('relationship', sa.String(length=64), nullable=False),
    sa.Column('authority', sa.String(length=32), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('document_reference', sa.String(length=128), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_authorized_parties_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_authorized_parties_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorized_parties'))
    )
    with op.batch_alter_table('authorized_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorized_parties_billing_account_id'), ['billing_account_id'], unique=False)

    op.create_table('service_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('case_type', sa.String(length=24), nullable=False),
    sa.Column('queue', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('first_response_minutes', sa.Integer(), nullable=False),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.Column('first_response_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_response_due_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution_due_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolution_code', sa.String(length=16), nullable=True),
    sa.Column('closed_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution_count', sa.Integer(), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('opened_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_service_cases_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_service_cases_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_cases')),
    sa.UniqueConstraint('case_number', name=op.f('uq_service_cases_case_number'))
    )
    with op.batch_alter_table('service_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_cases_billing_account_id'), ['billing_account_id'], unique=False)
        batch_op.create_index('ix_service_cases_owner_status', ['owner', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_cases_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_service_cases_queue_status', ['queue', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_cases_status'), ['status'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_cases.id'], name=op.f('fk_case_events_case_id_service_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('service_contacts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('party_kind', sa.String(length=16), nullable=False),
    sa.Column('party_name', sa.String(length=128), nullable=True),
    sa.Column('authorized_party_id', sa.Integer(), nullable=True),
    sa.Column('billing_account_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('handled_by', sa.String(length=64), nullable=False),
    sa.Column('started_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('verification_method', sa.String(length=16), nullable=True),
    sa.Column('verification_result', sa.String(length=8), nullable=True),
    sa.Column('verification_level', sa.String(length=8), nullable=True),
    sa.Column('verified_identifiers', sa.JSON(), nullable=True),
    sa.Column('verified_person_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('touched', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['authorized_party_id'], ['authorized_parties.id'], name=op.f('fk_service_contacts_authorized_party_id_authorized_parties')),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_service_contacts_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['case_id'], ['service_cases.id'], name=op.f('fk_service_contacts_case_id_service_cases')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_service_contacts_person_id_persons')),
    sa.ForeignKeyConstraint(['verified_person_id'], ['persons.id'], name=op.f('fk_service_contacts_verified_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_contacts'))
    )
    with op.batch_alter_table('service_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_service_contacts_account_subject', ['billing_account_id', 'subject', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_contacts_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_service_contacts_person_subject', ['person_id', 'subject', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_contacts_started_at'), ['started_at'], unique=False)

    op.create_table('case_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('resolution_round', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('sent_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('notice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['service_cases.id'], name=op.f('fk_case_surveys_case_id_service_cases')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_case_surveys_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_surveys')),
    sa.UniqueConstraint('case_id', 'resolution_round', name=op.f('uq_case_surveys_case_id_resolution_round')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_case_surveys_token_hash'))
    )
    with op.batch_alter_table('case_surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_surveys_answered_at'), ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_surveys_case_id'), ['case_id'], unique=False)

    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_number', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('disputed_cents', sa.BigInteger(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('decided_cents', sa.BigInteger(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('refund_cents', sa.BigInteger(), nullable=False),
    sa.Column('journal_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('notice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_disputes_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['case_id'], ['service_cases.id'], name=op.f('fk_disputes_case_id_service_cases')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entries.id'], name=op.f('fk_disputes_journal_entry_id_journal_entries')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_disputes_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes')),
    sa.UniqueConstraint('dispute_number', name=op.f('uq_disputes_dispute_number'))
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disputes_billing_account_id'), ['billing_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_status'), ['status'], unique=False)

    op.create_table('exchange_change_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('requested_value', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('flagged_on', sa.Date(), nullable=False),
    sa.Column('report_by', sa.Date(), nullable=False),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('flagged_by', sa.String(length=64), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['service_contacts.id'], name=op.f('fk_exchange_change_reports_contact_id_service_contacts')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_exchange_change_reports_person_id_persons')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_exchange_change_reports_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_change_reports'))
    )
    with op.batch_alter_table('exchange_change_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_change_reports_person_id'), ['person_id'], unique=False)

    op.create_table('dispute_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('invoice_line_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('payment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('invoice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('coverage_month', sa.Date(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('credited_cents', sa.BigInteger(), nullable=False),
    sa.Column('held_from', sa.Date(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('delinquency_hold_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['delinquency_hold_id'], ['delinquency_holds.id'], name=op.f('fk_dispute_items_delinquency_hold_id_delinquency_holds')),
    sa.ForeignKeyConstraint(['dispute_id'], ['disputes.id'], name=op.f('fk_dispute_items_dispute_id_disputes')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_dispute_items_invoice_id_invoices')),
    sa.ForeignKeyConstraint(['invoice_line_id'], ['invoice_lines.id'], name=op.f('fk_dispute_items_invoice_line_id_invoice_lines')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_dispute_items_payment_id_payments')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_dispute_items_person_id_persons')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_dispute_items_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_items'))
    )
    with op.batch_alter_table('dispute_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_items_dispute_id'), ['dispute_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_items_invoice_line_id'), ['invoice_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_items_payment_id'), ['payment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dispute_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_items_payment_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_items_invoice_line_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_items_dispute_id'))

    op.drop_table('dispute_items')
    with op.batch_alter_table('exchange_change_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_change_reports_person_id'))

    op.drop_table('exchange_change_reports')
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disputes_status'))
        batch_op.drop_index(batch_op.f('ix_disputes_case_id'))
        batch_op.drop_index(batch_op.f('ix_disputes_billing_account_id'))

    op.drop_table('disputes')
    with op.batch_alter_table('case_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_surveys_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_surveys_answered_at'))

    op.drop_table('case_surveys')
    with op.batch_alter_table('service_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_contacts_started_at'))
        batch_op.drop_index('ix_service_contacts_person_subject')
        batch_op.drop_index(batch_op.f('ix_service_contacts_case_id'))
        batch_op.drop_index('ix_service_contacts_account_subject')

    op.drop_table('service_contacts')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('service_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_cases_status'))
        batch_op.drop_index('ix_service_cases_queue_status')
        batch_op.drop_index(batch_op.f('ix_service_cases_person_id'))
        batch_op.drop_index('ix_service_cases_owner_status')
        batch_op.drop_index(batch_op.f('ix_service_cases_billing_account_id'))

    op.drop_table('service_cases')
    with op.batch_alter_table('authorized_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorized_parties_billing_account_id'))

    op.drop_table('authorized_parties')
    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_merges_target_person_id'))

    op.drop_table('person_merges')
    with op.batch_alter_table('claim_statuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_statuses_person_id'))

    op.drop_table('claim_statuses')
    with op.batch_alter_table('claim_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_imports_file_digest'))

    op.drop_table('claim_imports')
