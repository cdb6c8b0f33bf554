"""Create persons, employer groups, billing and bank accounts, staff users and the audit log.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-04 20:58:55.260051
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('record_type', sa.String(length=48), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_record', ['record_type', 'record_id'], unique=False)
        batch_op.create_index('ix_audit_log_user', ['username', 'occurred_at'], unique=False)

    op.create_table('employer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('tax_id', sa.String(length=16), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('anniversary_month', sa.Integer(), nullable=False),
    sa.Column('address_line1', sa.String(length=128), nullable=False),
    sa.Column('address_line2', sa.String(length=128), nullable=True),
    sa.Column('city', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('zip_code', sa.String(length=9), nullable=False),
    sa.Column('contact_name', sa.String(length=128), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=10), nullable=True),
    sa.Column('contribution_rule', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['employer_groups.id'], name=op.f('fk_employer_groups_parent_id_employer_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_groups')),
    sa.UniqueConstraint('group_number', name=op.f('uq_employer_groups_group_number'))
    )
    with op.batch_alter_table('employer_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_groups_name'), ['name'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.String(length=32), nullable=False),
    sa.Column('first_name', sa.String(length=64), nullable=False),
    sa.Column('middle_name', sa.String(length=64), nullable=True),
    sa.Column('last_name', sa.String(length=64), nullable=False),
    sa.Column('name_suffix', sa.String(length=16), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('ssn_ciphertext', sa.String(length=256), nullable=True),
    sa.Column('ssn_last4', sa.String(length=4), nullable=True),
    sa.Column('ssn_index', sa.String(length=64), nullable=True),
    sa.Column('address_line1', sa.String(length=128), nullable=True),
    sa.Column('address_line2', sa.String(length=128), nullable=True),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('zip_code', sa.String(length=9), nullable=True),
    sa.Column('county_code', sa.String(length=8), nullable=True),
    sa.Column('mailing_line1', sa.String(length=128), nullable=True),
    sa.Column('mailing_line2', sa.String(length=128), nullable=True),
    sa.Column('mailing_city', sa.String(length=64), nullable=True),
    sa.Column('mailing_state', sa.String(length=2), nullable=True),
    sa.Column('mailing_zip_code', sa.String(length=9), nullable=True),
    sa.Column('address_returned', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=10), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_undeliverable', sa.Boolean(), nullable=False),
    sa.Column('spoken_language', sa.String(length=8), nullable=False),
    sa.Column('written_language', sa.String(length=8), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['persons.id'], name=op.f('fk_persons_merged_into_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('member_id', name=op.f('uq_persons_member_id'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_email'), ['email'], unique=False)
        batch_op.create_index('ix_persons_name_birth', ['last_name', 'first_name', 'birth_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_persons_ssn_index'), ['ssn_index'], unique=False)

    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_users_username'))
    )
    op.create_table('billing_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_number', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('legal_entity', sa.String(length=16), nullable=False),
    sa.Column('holder_key', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('employer_group_id', sa.Integer(), nullable=True),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('payment_mode', sa.String(length=16), nullable=False),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('due_day', sa.Integer(), nullable=False),
    sa.Column('autodraft_day', sa.Integer(), nullable=True),
    sa.Column('payer_name', sa.String(length=128), nullable=True),
    sa.Column('payer_email', sa.String(length=254), nullable=True),
    sa.Column('payer_phone', sa.String(length=10), nullable=True),
    sa.Column('payer_line1', sa.String(length=128), nullable=True),
    sa.Column('payer_line2', sa.String(length=128), nullable=True),
    sa.Column('payer_city', sa.String(length=64), nullable=True),
    sa.Column('payer_state', sa.String(length=2), nullable=True),
    sa.Column('payer_zip_code', sa.String(length=9), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['employer_group_id'], ['employer_groups.id'], name=op.f('fk_billing_accounts_employer_group_id_employer_groups')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_billing_accounts_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_accounts')),
    sa.UniqueConstraint('account_number', name=op.f('uq_billing_accounts_account_number')),
    sa.UniqueConstraint('holder_key', 'legal_entity', name=op.f('uq_billing_accounts_holder_key_legal_entity'))
    )
    with op.batch_alter_table('billing_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_accounts_employer_group_id'), ['employer_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_accounts_person_id'), ['person_id'], unique=False)

    op.create_table('person_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=48), nullable=False),
    sa.Column('old_value', sa.String(length=256), nullable=True),
    sa.Column('new_value', sa.String(length=256), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_reference', sa.String(length=128), nullable=True),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('changed_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_history_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_history'))
    )
    with op.batch_alter_table('person_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_history_person_id'), ['person_id'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=128), nullable=False),
    sa.Column('routing_number', sa.String(length=9), nullable=False),
    sa.Column('account_number_ciphertext', sa.String(length=256), nullable=False),
    sa.Column('account_last4', sa.String(length=4), nullable=False),
    sa.Column('account_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('authorization_method', sa.String(length=16), nullable=False),
    sa.Column('sec_code', sa.String(length=3), nullable=False),
    sa.Column('authorized_by', sa.String(length=128), nullable=False),
    sa.Column('authorized_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('authorization_reference', sa.String(length=128), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('deactivated_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deactivation_reason', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_bank_accounts_billing_account_id_billing_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts'))
    )
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_accounts_billing_account_id'), ['billing_account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_accounts_billing_account_id'))

    op.drop_table('bank_accounts')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))

    op.drop_table('staff_sessions')
    with op.batch_alter_table('person_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_history_person_id'))

    op.drop_table('person_history')
    with op.batch_alter_table('billing_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_accounts_person_id'))
        batch_op.drop_index(batch_op.f('ix_billing_accounts_employer_group_id'))

    op.drop_table('billing_accounts')
    op.drop_table('staff_users')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_ssn_index'))
        batch_op.drop_index(batch_op.f('ix_persons_phone'))
        batch_op.drop_index('ix_persons_name_birth')
        batch_op.drop_index(batch_op.f('ix_persons_email'))

    op.drop_table('persons')
    with op.batch_alter_table('employer_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_groups_name'))

    op.drop_table('employer_groups')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_user')
        batch_op.drop_index('ix_audit_log_record')

    op.drop_table('audit_log')
