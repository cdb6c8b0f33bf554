"""Why a bill changed: an invoice compared with the account's previous invoice, audited.

The rating trace of a regular line is computed again from the current catalog and coverage,
because the bill run stores traces only on adjustment lines. When coverage or rates changed
after an invoice was issued, the recomputed trace of that invoice's month reflects the
change, and the adjustment lines on a later invoice carry the trace they were billed with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from premia.accounts.queries import member_names
from premia.audit import service as audit
from premia.billing.bill_changes import BillComparison, BilledLine, compare_invoices
from premia.billing.charges import expected_charges
from premia.billing.model import BillingSettings
from premia.billing.queries import ACCOUNT_LINE_NAME, get_account_invoice, invoice_lines, previous_invoice
from premia.billing.rating_cache import rating_trace
from premia.billing.snapshot import load_snapshots
from premia.billing.tables import Invoice
from premia.catalog.service import current_catalog
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.errors import DomainError
from premia.staff.permissions import Permission

log = logging.getLogger("premia.billing")


@dataclass(frozen=True)
class BillChange:
    """An invoice, the invoice it is compared with (None for the account's first) and their differences.

    ``traces_available`` is False when the rating steps could not be computed, for example
    because no catalog is loaded. The amounts are then still compared, but no difference
    carries rating steps except adjustments, which store their own trace.
    """

    account_number: str
    invoice: Invoice
    previous: Invoice | None
    comparison: BillComparison
    traces_available: bool


def bill_change(ctx: ServiceContext, account_number: str, invoice_number: str) -> BillChange:
    """Compare an invoice with the account's previous invoice, with the rating steps behind each difference."""
    ctx.require(Permission.BILLING_READ)
    account, invoice = get_account_invoice(ctx, account_number, invoice_number)
    previous = previous_invoice(ctx, invoice)
    current_lines = _billed_lines(ctx, invoice)
    previous_lines = _billed_lines(ctx, previous) if previous is not None else []
    months = {line.coverage_month for line in [*current_lines, *previous_lines] if line.coverage_month and not line.adjustment}
    traces, available = _traces(ctx, account.id, months)
    comparison = compare_invoices(current_lines, previous_lines, traces=traces)
    audit.record(
        ctx,
        action="read",
        record_type="invoice",
        record_id=invoice.invoice_number,
        fields=["lines", "rating_trace"],
        detail={"compared_with": previous.invoice_number if previous else None},
    )
    return BillChange(
        account_number=account.account_number,
        invoice=invoice,
        previous=previous,
        comparison=comparison,
        traces_available=available,
    )


def _billed_lines(ctx: ServiceContext, invoice: Invoice) -> list[BilledLine]:
    lines = invoice_lines(ctx, invoice.id)
    members = member_names(ctx, {line.person_id for line in lines if line.person_id is not None})
    billed = []
    for line in lines:
        member = members.get(line.person_id) if line.person_id is not None else None
        billed.append(
            BilledLine(
                line_id=line.id,
                policy_id=line.policy_id,
                person_id=line.person_id,
                member_id=member.member_id if member else None,
                member_name=member.name if member else ACCOUNT_LINE_NAME,
                coverage_month=line.coverage_month,
                kind=line.kind,
                adjustment=line.adjustment,
                amount_cents=line.amount_cents,
                days_covered=line.days_covered,
                days_in_month=line.days_in_month,
                description=line.description,
                trace=line.trace,
            )
        )
    return billed


def _traces(ctx: ServiceContext, account_id: int, months: set[date]) -> tuple[dict[tuple[int | None, date | None], list[dict[str, object]]], bool]:
    """Compute the rating traces per (policy id, coverage month) from the coverage and catalog as they are now."""
    if not months:
        return {}, True
    try:
        catalog = current_catalog(ctx)
        snapshots = load_snapshots(ctx.session, [account_id], settings=BillingSettings())
        charges = expected_charges(catalog, snapshots[0].coverages if snapshots else (), [Month.of(month) for month in months])
    except DomainError as error:
        # The amounts are still compared without traces, and traces_available lets callers explain the missing steps.
        log.warning("rating traces unavailable", extra={"billing_account_id": account_id, "code": error.code})
        return {}, False
    traces: dict[tuple[int | None, date | None], list[dict[str, object]]] = {}
    for key, charge in charges.items():
        slot = (key.policy_id, key.month.first_day)
        if slot not in traces and charge.rating is not None:
            traces[slot] = rating_trace(catalog, charge.rating)
    return traces, True
