"""Gapless invoice numbers per legal entity, assigned inside the issuing transaction.

The series row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write lock
already serialises writers), so two runs never take the same number, and a rolled-back
invoice gives its number back with the rollback, leaving no gap.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.billing.tables import InvoiceNumberSeries
from premia.infra.context import ServiceContext

DEFAULT_PREFIX = "PRM"


def next_invoice_number(ctx: ServiceContext, legal_entity: str, issue_date: date) -> str:
    """Take the next number of ``legal_entity``'s series, such as ``PRM-2026-000114``."""
    series = ctx.session.scalar(
        select(InvoiceNumberSeries).where(InvoiceNumberSeries.legal_entity == legal_entity).with_for_update()
    )
    if series is None:
        series = InvoiceNumberSeries(legal_entity=legal_entity, prefix=_prefix(legal_entity), next_number=1)
        ctx.session.add(series)
        ctx.session.flush()
    number = series.next_number
    series.next_number = number + 1
    ctx.session.flush()
    return f"{series.prefix}-{issue_date.year}-{number:06d}"


def _prefix(legal_entity: str) -> str:
    return DEFAULT_PREFIX if legal_entity == "MAIN" else f"{DEFAULT_PREFIX}{legal_entity[:4]}"
