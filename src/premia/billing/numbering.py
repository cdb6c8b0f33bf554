"""Gapless invoice numbers per legal entity, assigned inside the issuing transaction.

The series row stays locked until the transaction ends (``SELECT ... FOR UPDATE`` on
PostgreSQL, while SQLite's write lock already serialises writers). So two runs never take
the same number, and numbers taken by a transaction or savepoint that rolls back are given
back with it, leaving no gap.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from premia.billing.tables import InvoiceNumberSeries

DEFAULT_PREFIX = "PRM"

_series = InvoiceNumberSeries.__table__


def reserve_invoice_numbers(session: Session, legal_entity: str, count: int) -> tuple[str, int]:
    """Take ``count`` consecutive numbers of ``legal_entity``'s series; return its prefix and the first."""
    row = session.execute(
        select(_series.c.prefix, _series.c.next_number).where(_series.c.legal_entity == legal_entity).with_for_update()
    ).first()
    if row is None:
        prefix, first = _prefix(legal_entity), 1
        session.execute(insert(_series).values(legal_entity=legal_entity, prefix=prefix, next_number=first + count))
        return prefix, first
    prefix, first = row
    session.execute(update(_series).where(_series.c.legal_entity == legal_entity).values(next_number=first + count))
    return prefix, first


def format_invoice_number(prefix: str, issue_date: date, number: int) -> str:
    """Format an invoice number such as ``PRM-2026-000114``: series prefix, issue year, serial."""
    return f"{prefix}-{issue_date.year}-{number:06d}"


def _prefix(legal_entity: str) -> str:
    return DEFAULT_PREFIX if legal_entity == "MAIN" else f"{DEFAULT_PREFIX}{legal_entity[:4]}"
