"""Create catalog versions and the catalog plan index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:13:07.825010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import premia.infra.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalog_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('carrier', sa.String(length=128), nullable=False),
    sa.Column('source_name', sa.String(length=256), nullable=False),
    sa.Column('main_file', sa.String(length=128), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('plan_count', sa.Integer(), nullable=False),
    sa.Column('rate_count', sa.Integer(), nullable=False),
    sa.Column('loaded_by', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', premia.infra.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_versions')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_catalog_versions_content_hash'))
    )
    op.create_table('catalog_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.String(length=32), nullable=False),
    sa.Column('plan_year', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('market', sa.String(length=16), nullable=False),
    sa.Column('exchange', sa.String(length=8), nullable=False),
    sa.Column('metal_level', sa.String(length=16), nullable=False),
    sa.Column('crosswalk_plan_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['catalog_versions.id'], name=op.f('fk_catalog_plans_version_id_catalog_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_plans')),
    sa.UniqueConstraint('version_id', 'plan_id', 'plan_year', name=op.f('uq_catalog_plans_version_id_plan_id_plan_year'))
    )
    with op.batch_alter_table('catalog_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_plans_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_plans_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('catalog_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_plans_version_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_plans_plan_id'))

    op.drop_table('catalog_plans')
    op.drop_table('catalog_versions')
