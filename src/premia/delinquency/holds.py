"""Holds on delinquency: a disputed amount set aside, and a carrier-wide moratorium.

A dispute holds collection of the disputed amount only, not of the whole account: the
amount is left out of what makes a policy past due, and everything else on the account
is judged as usual. A moratorium (for example after a disaster) pauses moves into grace,
terminations, binder cancellations and dunning notices for every policy in a state or
ZIP code area; a grace period counted in days that would start during it starts the day
after it ends. Payments still cure delinquencies during a moratorium.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.audit import service as audit
from premia.billing.tables import InvoiceLine
from premia.delinquency.model import HoldKind
from premia.delinquency.tables import DelinquencyHold
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.staff.permissions import Permission


def hold_disputed_line(
    ctx: ServiceContext,
    *,
    invoice_line_id: int,
    placed_on: date,
    reason: str,
    amount_cents: int | None = None,
    reference: str | None = None,
) -> DelinquencyHold:
    """Set an invoice line (or ``amount_cents`` of it) aside while it is under dispute."""
    ctx.require(Permission.DISPUTES_OPEN)
    line = ctx.session.get(InvoiceLine, invoice_line_id)
    if line is None or line.invoice_id is None:
        raise NotFoundError(
            code="delinquency.invoice_line_not_found",
            message=f"Invoice line {invoice_line_id} does not exist on an issued invoice.",
            field="invoice_line_id",
            value=invoice_line_id,
            hint="Name a line of an issued invoice; the account's invoices list their lines.",
        )
    if amount_cents is not None:
        _check_amount(amount_cents, record=f"invoice line {invoice_line_id}", maximum=line.amount_cents)
    hold = _new_hold(
        ctx,
        kind=HoldKind.DISPUTE,
        billing_account_id=line.billing_account_id,
        policy_id=line.policy_id,
        invoice_line_id=line.id,
        amount_cents=amount_cents,
        start=placed_on,
        reason=reason,
        reference=reference,
    )
    return hold


def hold_disputed_amount(
    ctx: ServiceContext,
    *,
    policy_id: int,
    amount_cents: int,
    placed_on: date,
    reason: str,
    reference: str | None = None,
) -> DelinquencyHold:
    """Set ``amount_cents`` of a policy's premium aside, against its oldest unpaid months."""
    ctx.require(Permission.DISPUTES_OPEN)
    policy = ctx.session.get(Policy, policy_id)
    if policy is None:
        raise NotFoundError(code="policy.not_found", message=f"Policy id {policy_id} does not exist.", field="policy_id", value=policy_id)
    _check_amount(amount_cents, record=f"policy {policy.policy_number}")
    return _new_hold(
        ctx,
        kind=HoldKind.DISPUTE,
        billing_account_id=policy.billing_account_id,
        policy_id=policy.id,
        amount_cents=amount_cents,
        start=placed_on,
        reason=reason,
        reference=reference,
    )


def place_moratorium(
    ctx: ServiceContext,
    *,
    start: date,
    end: date | None,
    reason: str,
    state: str | None = None,
    zip_prefix: str | None = None,
    reference: str | None = None,
) -> DelinquencyHold:
    """Pause delinquency for policies in ``state`` or whose ZIP code starts with ``zip_prefix``."""
    ctx.require(Permission.DELINQUENCY_RUN)
    state_code = (state or "").strip().upper() or None
    prefix = (zip_prefix or "").strip() or None
    if state_code is None and prefix is None:
        raise ValidationError(
            code="delinquency.moratorium_area_missing",
            message="A moratorium needs a state or a ZIP code prefix.",
            field="state",
            hint="Give the state (for example FL) or the ZIP prefix (for example 334) the moratorium covers.",
        )
    if state_code is not None and (len(state_code) != 2 or not state_code.isalpha()):
        raise ValidationError(code="delinquency.invalid_state", message=f"State {state!r} is not a two-letter code.", field="state", value=state, hint="Use the USPS code, for example FL.")
    if prefix is not None and (not prefix.isdigit() or len(prefix) > 9):
        raise ValidationError(
            code="delinquency.invalid_zip_prefix",
            message=f"ZIP prefix {zip_prefix!r} is not 1 to 9 digits.",
            field="zip_prefix",
            value=zip_prefix,
            hint="Give the leading digits of the ZIP codes covered, for example 334.",
        )
    if end is not None and end < start:
        raise ValidationError(
            code="delinquency.moratorium_end_before_start",
            message=f"Moratorium end {end} is before its start {start}.",
            field="end",
            value=end.isoformat(),
            hint="The end is the last day of the moratorium, on or after its start.",
        )
    return _new_hold(ctx, kind=HoldKind.MORATORIUM, state=state_code, zip_prefix=prefix, start=start, end=end, reason=reason, reference=reference)


def release_hold(ctx: ServiceContext, hold_id: int, *, released_on: date) -> DelinquencyHold:
    """End a hold from ``released_on``; the amount counts toward delinquency again from that day."""
    hold = ctx.session.get(DelinquencyHold, hold_id)
    if hold is None:
        raise NotFoundError(code="delinquency.hold_not_found", message=f"Hold {hold_id} does not exist.", field="hold_id", value=hold_id)
    ctx.require(Permission.DISPUTES_DECIDE if hold.kind == HoldKind.DISPUTE.value else Permission.DELINQUENCY_RUN)
    if hold.released_on is not None:
        raise ConflictError(
            code="delinquency.hold_released",
            message=f"Hold {hold_id} was already released on {hold.released_on}.",
            record=f"hold {hold_id}",
            field="released_on",
            value=hold.released_on.isoformat(),
        )
    if released_on < hold.start_date:
        raise ValidationError(
            code="delinquency.release_before_start",
            message=f"Release date {released_on} is before the hold started on {hold.start_date}.",
            record=f"hold {hold_id}",
            field="released_on",
            value=released_on.isoformat(),
            hint="Release the hold on or after the day it was placed.",
        )
    hold.released_on = released_on
    hold.released_by = ctx.actor.username
    ctx.session.flush()
    audit.record(ctx, action="release", record_type="delinquency_hold", record_id=hold.id, detail={"kind": hold.kind, "released_on": released_on.isoformat()})
    return hold


def holds_for_account(ctx: ServiceContext, billing_account_id: int) -> list[DelinquencyHold]:
    ctx.require(Permission.BILLING_READ)
    return list(ctx.session.scalars(select(DelinquencyHold).where(DelinquencyHold.billing_account_id == billing_account_id).order_by(DelinquencyHold.id)))


def _check_amount(amount_cents: int, *, record: str, maximum: int | None = None) -> None:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationError(
            code="delinquency.invalid_hold_amount",
            message=f"A disputed amount must be whole cents above zero (got {amount_cents!r}).",
            record=record,
            field="amount_cents",
            value=amount_cents,
            hint="Give the disputed amount in cents, for example 4500 for 45.00.",
        )
    if maximum is not None and amount_cents > maximum:
        raise ValidationError(
            code="delinquency.hold_above_line",
            message=f"The disputed amount {amount_cents} cents is more than the line's {maximum} cents.",
            record=record,
            field="amount_cents",
            value=amount_cents,
            hint="Dispute at most the line's amount, or leave the amount out to dispute the whole line.",
        )


def _new_hold(
    ctx: ServiceContext,
    *,
    kind: HoldKind,
    start: date,
    reason: str,
    billing_account_id: int | None = None,
    policy_id: int | None = None,
    invoice_line_id: int | None = None,
    amount_cents: int | None = None,
    state: str | None = None,
    zip_prefix: str | None = None,
    end: date | None = None,
    reference: str | None = None,
) -> DelinquencyHold:
    if not reason.strip():
        raise ValidationError(code="delinquency.hold_reason_missing", message="A hold needs a reason.", field="reason", hint="Say why the amount or area is held.")
    hold = DelinquencyHold(
        kind=kind.value,
        billing_account_id=billing_account_id,
        policy_id=policy_id,
        invoice_line_id=invoice_line_id,
        amount_cents=amount_cents,
        state=state,
        zip_prefix=zip_prefix,
        start_date=start,
        end_date=end,
        reason=reason.strip()[:256],
        reference=reference,
        placed_by=ctx.actor.username,
        placed_at=ctx.now(),
    )
    ctx.session.add(hold)
    ctx.session.flush()
    audit.record(
        ctx,
        action="create",
        record_type="delinquency_hold",
        record_id=hold.id,
        detail={"kind": kind.value, "start": start.isoformat(), "end": end.isoformat() if end else None, "state": state, "zip_prefix": zip_prefix},
    )
    return hold
