"""Create the table of received enrollment (834) files.

Revision ID: 0040
Revises: 0030
Create Date: 2026-12-04 21:36:51.715965
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0040'
down_revision = '0030'
branch_labels = None
depends_on = None

# The unique indexes cover applied files only: a rejected file changed nothing, so a
# corrected file may reuse its interchange control number.
APPLIED = sa.text("status <> 'rejected'")


def upgrade() -> None:
    op.create_table('import_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sender_qualifier', sa.String(length=2), nullable=True),
    sa.Column('sender_id', sa.String(length=15), nullable=True),
    sa.Column('control_number', sa.String(length=9), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('members_received', sa.Integer(), nullable=False),
    sa.Column('members_applied', sa.Integer(), nullable=False),
    sa.Column('members_rejected', sa.Integer(), nullable=False),
    sa.Column('applied_through', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('acknowledgment', sa.Text(), nullable=True),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('received_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_files'))
    )
    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_files_status'), ['status'], unique=False)
        batch_op.create_index('uq_import_files_kind_content_hash', ['kind', 'content_hash'], unique=True,
                              sqlite_where=APPLIED, postgresql_where=APPLIED)
        batch_op.create_index('uq_import_files_kind_sender_control', ['kind', 'sender_id', 'control_number'],
                              unique=True, sqlite_where=APPLIED, postgresql_where=APPLIED)


def downgrade() -> None:
    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.drop_index('uq_import_files_kind_sender_control')
        batch_op.drop_index('uq_import_files_kind_content_hash')
        batch_op.drop_index(batch_op.f('ix_import_files_status'))

    op.drop_table('import_files')
