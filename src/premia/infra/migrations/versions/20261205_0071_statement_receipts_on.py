"""bank statement lines: the day of the receipts a recognized line stands for

Revision ID: 0071
Revises: 0070
Create Date: 2026-12-05 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0071"
down_revision = "0070"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bank_statement_lines", sa.Column("receipts_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_statement_lines") as batch:
        batch.drop_column("receipts_on")
