"""Create the documents tables: rendered documents, deliveries and their attempts, print batches,
undeliverable email addresses and confidential delivery routes.

Revision ID: 0020
Revises: 0010
Create Date: 2026-12-04 21:25:37.526505
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0020'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('print_batches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('pdf_path', sa.String(length=255), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('manifest_path', sa.String(length=255), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('document_count', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_batches'))
    )

    op.create_table('confidential_routes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('name', sa.String(length=128), nullable=True),
    sa.Column('line1', sa.String(length=128), nullable=True),
    sa.Column('line2', sa.String(length=128), nullable=True),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('zip_code', sa.String(length=9), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('request_reference', sa.String(length=64), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_confidential_routes_billing_account_id_billing_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confidential_routes'))
    )
    with op.batch_alter_table('confidential_routes', schema=None) as batch_op:
        batch_op.create_index('ix_confidential_routes_account', ['billing_account_id', 'starts_on'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('notice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('document_type', sa.String(length=32), nullable=False),
    sa.Column('billing_account_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('html_path', sa.String(length=255), nullable=False),
    sa.Column('html_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_path', sa.String(length=255), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('window_address', sa.JSON(), nullable=True),
    sa.Column('rendered_by', sa.String(length=64), nullable=False),
    sa.Column('rendered_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_account_id'], ['billing_accounts.id'], name=op.f('fk_documents_billing_account_id_billing_accounts')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_documents_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('notice_id', name=op.f('uq_documents_notice_id'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_billing_account_id'), ['billing_account_id'], unique=False)

    op.create_table('document_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('document_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=512), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=512), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('link_token', sa.String(length=64), nullable=True),
    sa.Column('print_batch_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('sequence_in_batch', sa.Integer(), nullable=True),
    sa.Column('sent_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_deliveries_document_id_documents')),
    sa.ForeignKeyConstraint(['print_batch_id'], ['print_batches.id'], name=op.f('fk_document_deliveries_print_batch_id_print_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_deliveries')),
    sa.UniqueConstraint('document_id', 'channel', name=op.f('uq_document_deliveries_document_id_channel')),
    sa.UniqueConstraint('link_token', name=op.f('uq_document_deliveries_link_token'))
    )
    with op.batch_alter_table('document_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_deliveries_print_batch_id'), ['print_batch_id'], unique=False)
        batch_op.create_index('ix_document_deliveries_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('delivery_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('attempted_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('smtp_code', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=512), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['document_deliveries.id'], name=op.f('fk_delivery_attempts_delivery_id_document_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempts'))
    )
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempts_delivery_id'), ['delivery_id'], unique=False)

    op.create_table('undeliverable_emails',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('smtp_code', sa.Integer(), nullable=False),
    sa.Column('detail', sa.String(length=512), nullable=True),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('recorded_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('cleared_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['document_deliveries.id'], name=op.f('fk_undeliverable_emails_delivery_id_document_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_undeliverable_emails')),
    sa.UniqueConstraint('address', name=op.f('uq_undeliverable_emails_address'))
    )


def downgrade() -> None:
    op.drop_table('undeliverable_emails')
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempts_delivery_id'))

    op.drop_table('delivery_attempts')
    with op.batch_alter_table('document_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_document_deliveries_status_next')
        batch_op.drop_index(batch_op.f('ix_document_deliveries_print_batch_id'))

    op.drop_table('document_deliveries')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_billing_account_id'))

    op.drop_table('documents')
    with op.batch_alter_table('confidential_routes', schema=None) as batch_op:
        batch_op.drop_index('ix_confidential_routes_account')

    op.drop_table('confidential_routes')
    op.drop_table('print_batches')
