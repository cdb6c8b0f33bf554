"""Create the table of background import jobs of the HTTP API.

Revision ID: 0060
Revises: 0050
Create Date: 2026-12-04 22:05:22.660318
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0060'
down_revision = '0050'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_jobs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('file_path', sa.String(length=512), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('output_path', sa.String(length=512), nullable=True),
    sa.Column('submitted_user_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_role', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=128), nullable=True),
    sa.Column('created_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('started_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', premia.infra.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_jobs'))
    )
    with op.batch_alter_table('api_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_jobs_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_api_jobs_status_id', ['status', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_api_jobs_status_id')
        batch_op.drop_index(batch_op.f('ix_api_jobs_kind'))

    op.drop_table('api_jobs')
