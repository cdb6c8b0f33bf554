"""Billing disputes: open on invoice lines or payments, decide, approve, and apply the outcome.

A dispute holds only the disputed amounts from collection (see ``dispute_holds``). Its
outcome is one of:

- an adjustment credit, which reduces revenue and credits the disputed receivable. A credit
  above the configured amount waits for a supervisor other than the decider.
- a refund, the same credit, with what was already paid requested back through the
  payments area's refunds (``premia.payments.refunds.request_refund``), which approve it
  within their own limit and post it to refunds payable. For a disputed payment the
  refund is drawn from the account's unapplied credit.
- a denial, which ends the hold so the amount is collected again. No money moves, so
  nothing is posted.

Every applied outcome releases the holds, resolves the dispute's case and creates the
dispute outcome notice. Status changes follow :data:`TRANSITIONS`.

Each disputed invoice line is held in delinquency (``premia.delinquency.holds``), so the
delinquency run leaves that amount out of what makes the policy past due and judges the
rest of the account as usual. Deciding needs the supervisor's dispute permission, which
also releases those holds; a credit or refund above the approval amount needs a second
supervisor.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from premia.accounts.service import get_account_row
from premia.accounts.tables import BankAccount, BillingAccount
from premia.audit import service as audit
from premia.delinquency import holds as delinquency_holds
from premia.infra.context import ServiceContext
from premia.kernel.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    version_conflict,
)
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.receivables import open_items
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.notices.tables import Notice
from premia.payments import refunds
from premia.payments.model import RefundMethod
from premia.payments.service import lock_account
from premia.servicing.cases import find_case, open_case, resolve_row
from premia.servicing.config import ServicingConfig, default_config
from premia.servicing.dispute_items import decided_amount, item_row, reject_repeated_items
from premia.servicing.dispute_postings import CreditTarget, outcome_lines, shares_of
from premia.servicing.model import (
    CaseInput,
    CaseStatus,
    CaseType,
    DisputeAction,
    DisputedItem,
    DisputeOutcome,
    DisputeStatus,
    ProtectedAction,
)
from premia.servicing.tables import Dispute, DisputeItem, ServiceCase
from premia.servicing.verification import get_contact, require_verified
from premia.staff.permissions import Permission

log = logging.getLogger("premia.servicing")
RECORD_TYPE = "dispute"

TRANSITIONS: dict[tuple[DisputeStatus, DisputeAction], frozenset[DisputeStatus]] = {
    (DisputeStatus.OPEN, DisputeAction.DECIDE): frozenset(
        {
            DisputeStatus.CREDITED,
            DisputeStatus.REFUND_REQUESTED,
            DisputeStatus.DENIED,
            DisputeStatus.PENDING_APPROVAL,
        }
    ),
    (DisputeStatus.PENDING_APPROVAL, DisputeAction.APPROVE): frozenset(
        {DisputeStatus.CREDITED, DisputeStatus.REFUND_REQUESTED}
    ),
    (DisputeStatus.PENDING_APPROVAL, DisputeAction.REJECT): frozenset({DisputeStatus.OPEN}),
}


def check_transition(
    current: DisputeStatus, action: DisputeAction, target: DisputeStatus, *, record: str
) -> None:
    """Raise unless :data:`TRANSITIONS` allows ``action`` to move the dispute to ``target``."""
    allowed = TRANSITIONS.get((DisputeStatus(current), DisputeAction(action)), frozenset())
    if DisputeStatus(target) not in allowed:
        actions = sorted(move.value for status, move in TRANSITIONS if status is DisputeStatus(current))
        raise ConflictError(
            code="dispute.transition_not_allowed",
            message=(
                f"{record} is {DisputeStatus(current).value}, so it cannot {DisputeAction(action).value} to "
                f"{DisputeStatus(target).value}."
            ),
            record=record,
            field="status",
            value=DisputeStatus(current).value,
            hint="Allowed now: " + (", ".join(actions) or "nothing, the dispute is decided") + ".",
        )


def open_dispute(
    ctx: ServiceContext,
    *,
    account_number: str,
    items: list[DisputedItem],
    reason: str,
    on: date | None = None,
    case_number: str | None = None,
    contact_id: int | None = None,
    config: ServicingConfig | None = None,
) -> Dispute:
    """Open a dispute of invoice lines or payments and hold the disputed amounts from collection."""
    ctx.require(Permission.DISPUTES_OPEN)
    config = config or default_config(ctx.settings.time_zone)
    on = on or ctx.today()
    account = lock_account(ctx, get_account_row(ctx, account_number).id)
    record = f"dispute on billing_account {account.account_number}"
    if contact_id is not None:
        # Opened on a call, the dispute discusses the member's bill, so the caller must be
        # verified for it as for any other billing question.
        contact = get_contact(ctx, contact_id)
        holder = contact.verified_person_id or account.person_id or 0
        require_verified(ctx, contact, person_id=holder, action=ProtectedAction.DISCUSS_BILLING)
    if not (reason or "").strip():
        raise ValidationError(
            code="dispute.reason_missing",
            message=f"{record}: say what the payer disputes and why.",
            record=record,
            field="reason",
        )
    if not items:
        raise ValidationError(
            code="dispute.items_missing",
            message=f"{record}: name at least one invoice line or payment.",
            record=record,
            field="items",
            hint="Give --line INVOICE_LINE_ID[=AMOUNT] or --payment PAYMENT_ID[=AMOUNT].",
        )
    rows = [item_row(ctx, account, item, on=on, record=record) for item in items]
    reject_repeated_items(rows, record=record)
    case = _dispute_case(ctx, account, case_number, reason=reason, contact_id=contact_id, config=config)

    now = ctx.now()
    dispute = Dispute(
        dispute_number=f"PENDING-{uuid.uuid4().hex[:20]}",
        case_id=case.id,
        billing_account_id=account.id,
        status=DisputeStatus.OPEN.value,
        reason=reason.strip(),
        disputed_cents=sum(row.amount_cents for row in rows),
        opened_on=on,
        opened_by=ctx.actor.username,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(dispute)
    ctx.session.flush()
    dispute.dispute_number = f"DSP-{dispute.id:06d}"
    for row in rows:
        row.dispute_id = dispute.id
    ctx.session.add_all(rows)
    ctx.session.flush()
    for row in rows:
        _hold_in_delinquency(ctx, dispute, row)
    audit.record(
        ctx,
        action="create",
        record_type=RECORD_TYPE,
        record_id=dispute.dispute_number,
        fields=["items", "reason"],
        detail={
            "account": account.account_number,
            "case": case.case_number,
            "disputed_cents": dispute.disputed_cents,
        },
    )
    log.info("dispute opened", extra={"dispute_number": dispute.dispute_number, "to_status": dispute.status})
    return dispute


def decide_dispute(
    ctx: ServiceContext,
    dispute_number: str,
    *,
    outcome: DisputeOutcome,
    note: str,
    amount_cents: int | None = None,
    on: date | None = None,
    expected_version: int | None = None,
    config: ServicingConfig | None = None,
) -> Dispute:
    """Decide the outcome; a credit or refund above the approval amount waits for a second supervisor.

    ``amount_cents`` defaults to the whole disputed amount; a smaller amount is split over
    the items in proportion and the rest becomes collectible again.
    """
    ctx.require(Permission.DISPUTES_DECIDE)
    outcome = DisputeOutcome(outcome)
    if outcome is DisputeOutcome.REFUND:
        ctx.require(Permission.REFUNDS_REQUEST)
    config = config or default_config(ctx.settings.time_zone)
    on = on or ctx.today()
    dispute = _dispute_for_change(ctx, dispute_number, expected_version)
    record = f"dispute {dispute.dispute_number}"
    check_transition(
        DisputeStatus(dispute.status), DisputeAction.DECIDE, outcome.decided_status, record=record
    )
    items = items_of(ctx, dispute)
    amount = decided_amount(dispute, outcome, amount_cents, items, record=record)
    if not (note or "").strip():
        raise ValidationError(
            code="dispute.note_missing",
            message=f"{record}: explain the decision.",
            record=record,
            field="note",
        )

    if outcome is DisputeOutcome.REFUND:
        _check_refund_left(ctx, dispute, amount, record=record)
    needs_approval = outcome is not DisputeOutcome.DENIAL and amount > config.adjustment_approval_cents
    target = DisputeStatus.PENDING_APPROVAL if needs_approval else outcome.decided_status
    check_transition(DisputeStatus(dispute.status), DisputeAction.DECIDE, target, record=record)
    dispute.outcome = outcome.value
    dispute.decided_cents = amount
    dispute.decided_on = on
    dispute.decided_by = ctx.actor.username
    dispute.decision_note = note.strip()
    if needs_approval:
        dispute.status = DisputeStatus.PENDING_APPROVAL.value
        dispute.updated_at = ctx.now()
        _flush(ctx, dispute)
        _audit_decision(ctx, dispute, DisputeAction.DECIDE)
        return dispute
    return _apply_outcome(ctx, dispute, items, on=on, config=config, action=DisputeAction.DECIDE)


def approve_dispute(
    ctx: ServiceContext,
    dispute_number: str,
    *,
    approve: bool,
    note: str | None = None,
    on: date | None = None,
    expected_version: int | None = None,
    config: ServicingConfig | None = None,
) -> Dispute:
    """Approve a pending credit or refund and apply it, or send it back open for a new decision.

    The approver must be another person than the one who decided.
    """
    ctx.require(Permission.DISPUTES_DECIDE)
    config = config or default_config(ctx.settings.time_zone)
    on = on or ctx.today()
    dispute = _dispute_for_change(ctx, dispute_number, expected_version)
    record = f"dispute {dispute.dispute_number}"
    action = DisputeAction.APPROVE if approve else DisputeAction.REJECT
    target = (
        DisputeOutcome(dispute.outcome).decided_status if approve and dispute.outcome else DisputeStatus.OPEN
    )
    check_transition(DisputeStatus(dispute.status), action, target, record=record)
    if dispute.decided_by == ctx.actor.username:
        raise PermissionDeniedError(
            code="dispute.self_approval",
            message=f"{record} was decided by {ctx.actor.username}, who cannot also approve it.",
            record=record,
            field="approved_by",
            value=ctx.actor.username,
            hint="Ask another supervisor to approve the decision.",
        )
    if approve:
        dispute.approved_by = ctx.actor.username
        dispute.approved_on = on
        return _apply_outcome(ctx, dispute, items_of(ctx, dispute), on=on, config=config, action=action)

    dispute.status = DisputeStatus.OPEN.value
    dispute.decision_note = f"Sent back by {ctx.actor.username}: {(note or '').strip() or 'no reason given'}"
    dispute.outcome = None
    dispute.decided_cents = None
    dispute.decided_on = None
    dispute.decided_by = None
    dispute.updated_at = ctx.now()
    _flush(ctx, dispute)
    _audit_decision(ctx, dispute, action)
    return dispute


def find_dispute(ctx: ServiceContext, dispute_number: str) -> Dispute:
    dispute = ctx.session.scalar(
        select(Dispute).where(Dispute.dispute_number == dispute_number.strip().upper())
    )
    if dispute is None:
        raise NotFoundError(
            code="dispute.not_found",
            message=f"No dispute has number {dispute_number!r}.",
            field="dispute_number",
            value=dispute_number,
        )
    return dispute


def _apply_outcome(
    ctx: ServiceContext,
    dispute: Dispute,
    items: list[DisputeItem],
    *,
    on: date,
    config: ServicingConfig,
    action: DisputeAction,
) -> Dispute:
    outcome = DisputeOutcome(dispute.outcome)
    record = f"dispute {dispute.dispute_number}"
    lock_account(ctx, dispute.billing_account_id)
    shares = shares_of(dispute.decided_cents or 0, [item.amount_cents for item in items])

    if outcome is not DisputeOutcome.DENIAL:
        _post_outcome(ctx, dispute, items, shares, outcome=outcome, on=on, record=record)
    for item, share in zip(items, shares, strict=True):
        item.credited_cents = share
        item.released_on = on
        if item.delinquency_hold_id is not None:
            delinquency_holds.release_hold(ctx, item.delinquency_hold_id, released_on=on)
    dispute.status = outcome.decided_status.value
    dispute.updated_at = ctx.now()
    _flush(ctx, dispute)

    dispute.notice_id = _outcome_notice(ctx, dispute, on=on).id
    case = ctx.session.get(ServiceCase, dispute.case_id)
    assert case is not None
    if CaseStatus(case.status) not in {CaseStatus.RESOLVED, CaseStatus.CLOSED}:
        resolution = (
            f"Dispute {dispute.dispute_number}: {outcome.value.replace('_', ' ')}. {dispute.decision_note}"
        )
        resolve_row(ctx, case, resolution=resolution, code=outcome.resolution_code, config=config)
    _flush(ctx, dispute)
    _audit_decision(ctx, dispute, action)
    log.info(
        "dispute decided",
        extra={
            "dispute_number": dispute.dispute_number,
            "to_status": dispute.status,
            "outcome": outcome.value,
        },
    )
    return dispute


def _post_outcome(
    ctx: ServiceContext,
    dispute: Dispute,
    items: list[DisputeItem],
    shares: list[int],
    *,
    outcome: DisputeOutcome,
    on: date,
    record: str,
) -> None:
    """Post the credit for disputed lines and, for a refund, request the paid part back."""
    line_targets = [
        CreditTarget(
            cents=share,
            invoice_id=item.invoice_id,
            invoice_line_id=item.invoice_line_id,
            policy_id=item.policy_id,
            person_id=item.person_id,
            coverage_month=item.coverage_month,
        )
        for item, share in zip(items, shares, strict=True)
        if item.payment_id is None
    ]
    payment_cents = sum(
        share for item, share in zip(items, shares, strict=True) if item.payment_id is not None
    )
    result = outcome_lines(
        line_targets,
        open_items(ctx, dispute.billing_account_id),
        billing_account_id=dispute.billing_account_id,
        excess_account=LedgerAccount.UNAPPLIED_CREDIT,
        memo=dispute.dispute_number,
    )
    refund_cents = result.excess_cents + payment_cents if outcome is DisputeOutcome.REFUND else 0
    if outcome is DisputeOutcome.REFUND and refund_cents == 0:
        raise ValidationError(
            code="dispute.nothing_to_refund",
            message=f"{record}: nothing was paid on the disputed lines, so there is nothing to refund.",
            record=record,
            field="outcome",
            value=outcome.value,
            hint="Decide an adjustment credit instead; it cancels what is still owed.",
        )

    if result.lines:
        entry = ledger.post_entry(
            ctx,
            kind=EntryKind.ADJUSTMENT,
            entry_date=on,
            lines=result.lines,
            reference=dispute.dispute_number,
            description=f"dispute {outcome.value.replace('_', ' ')}",
            billing_account_id=dispute.billing_account_id,
            idempotency_key=f"dispute:{dispute.id}:{outcome.value}",
        )
        dispute.journal_entry_id = entry.id
    if refund_cents:
        # The paid part is now the account's credit. The refunds process pays it out under its
        # own approval limit and posts the refund payable when the refund is approved.
        refunds.request_refund(
            ctx,
            account_number=_account_number(ctx, dispute),
            amount_cents=refund_cents,
            method=_refund_method(ctx, dispute),
            reason=f"dispute {dispute.dispute_number}: {dispute.decision_note}"[:256],
            requested_on=on,
            idempotency_key=f"dispute:{dispute.id}:refund",
        )
        dispute.refund_cents = refund_cents


def _check_refund_left(ctx: ServiceContext, dispute: Dispute, amount_cents: int, *, record: str) -> None:
    """Reject a refund decision when the credit would only pay what the account still owes.

    The disputed amount is credited to the account first, and a refund pays out only the
    credit left after that (the refunds area caps it there). Deciding a refund that can
    never be paid would leave the dispute waiting on an approval that must fail.
    """
    owed_after = ledger.account_balance(ctx, dispute.billing_account_id) - amount_cents
    if owed_after >= 0:
        raise ValidationError(
            code="dispute.nothing_left_to_refund",
            message=(
                f"{record}: after the {format_cents(amount_cents)} credit the account still owes "
                f"{format_cents(owed_after)}, so no credit is left to refund."
            ),
            record=record,
            field="outcome",
            value=DisputeOutcome.REFUND.value,
            hint="Decide an adjustment credit instead; it lowers what the account owes.",
        )


def _account_number(ctx: ServiceContext, dispute: Dispute) -> str:
    number = ctx.session.scalar(
        select(BillingAccount.account_number).where(BillingAccount.id == dispute.billing_account_id)
    )
    assert number is not None
    return number


def _refund_method(ctx: ServiceContext, dispute: Dispute) -> RefundMethod:
    """Refund by ACH to the payer's active bank account when there is one, else by check."""
    bank = ctx.session.scalar(
        select(BankAccount.id).where(
            BankAccount.billing_account_id == dispute.billing_account_id, BankAccount.status == "active"
        )
    )
    return RefundMethod.ACH if bank is not None else RefundMethod.CHECK


def _outcome_notice(ctx: ServiceContext, dispute: Dispute, *, on: date) -> Notice:
    decided = dispute.decided_cents or 0
    outcome = DisputeOutcome(dispute.outcome)
    credited = decided if outcome is DisputeOutcome.ADJUSTMENT_CREDIT else 0
    collectible_again = dispute.disputed_cents - decided
    return create_notice(
        ctx,
        notice_type=NoticeType.DISPUTE_OUTCOME,
        billing_account_id=dispute.billing_account_id,
        as_of=on,
        dedupe_key=f"dispute:{dispute.id}",
        data={
            "dispute_number": dispute.dispute_number,
            "outcome": outcome.value,
            "disputed_cents": dispute.disputed_cents,
            "credited_cents": credited,
            "refund_cents": dispute.refund_cents,
            "due_again_cents": collectible_again,
            "decided_on": on.isoformat(),
        },
    )


def _hold_in_delinquency(ctx: ServiceContext, dispute: Dispute, item: DisputeItem) -> None:
    if item.invoice_line_id is None:
        # NOTE: delinquency holds name an invoice line or a policy; a disputed payment has
        # neither, so its amount is held only on the dispute row (see dispute_holds).
        return
    hold = delinquency_holds.hold_disputed_line(
        ctx,
        invoice_line_id=item.invoice_line_id,
        placed_on=item.held_from,
        reason=dispute.reason,
        amount_cents=item.amount_cents,
        reference=dispute.dispute_number,
    )
    item.delinquency_hold_id = hold.id


def _dispute_case(
    ctx: ServiceContext,
    account: BillingAccount,
    case_number: str | None,
    *,
    reason: str,
    contact_id: int | None,
    config: ServicingConfig,
) -> ServiceCase:
    if case_number is None:
        return open_case(
            ctx,
            CaseInput(
                case_type=CaseType.BILLING_DISPUTE,
                subject=f"Billing dispute on {account.account_number}",
                description=reason.strip(),
                account_number=account.account_number,
                contact_id=contact_id,
            ),
            config=config,
        )
    case = find_case(ctx, case_number)
    if case.case_type != CaseType.BILLING_DISPUTE.value or case.billing_account_id != account.id:
        raise ValidationError(
            code="dispute.case_mismatch",
            message=(
                f"case {case.case_number} is not a billing dispute case of account {account.account_number}."
            ),
            record=f"case {case.case_number}",
            field="case_number",
            value=case.case_number,
            hint="Leave the case out to open a billing dispute case with the dispute.",
        )
    if CaseStatus(case.status) in {CaseStatus.RESOLVED, CaseStatus.CLOSED}:
        raise ConflictError(
            code="dispute.case_resolved",
            message=f"case {case.case_number} is {case.status}.",
            record=f"case {case.case_number}",
            field="case_number",
            value=case.case_number,
            hint="Reopen the case first, or open the dispute without a case.",
        )
    return case


def items_of(ctx: ServiceContext, dispute: Dispute) -> list[DisputeItem]:
    return list(
        ctx.session.scalars(
            select(DisputeItem).where(DisputeItem.dispute_id == dispute.id).order_by(DisputeItem.id)
        )
    )


def _dispute_for_change(ctx: ServiceContext, dispute_number: str, expected_version: int | None) -> Dispute:
    dispute = find_dispute(ctx, dispute_number)
    if expected_version is not None and expected_version != dispute.version:
        raise _version_conflict(dispute, expected_version)
    return dispute


def _flush(ctx: ServiceContext, dispute: Dispute) -> None:
    try:
        ctx.session.flush()
    except StaleDataError as exc:
        raise _version_conflict(dispute, dispute.version) from exc


def _version_conflict(dispute: Dispute, expected_version: int) -> ConflictError:
    return version_conflict(
        code="dispute.version_conflict",
        record=f"dispute {dispute.dispute_number}",
        stored_version=dispute.version,
        expected_version=expected_version,
        hint="Reload the dispute and decide again.",
    )


def _audit_decision(ctx: ServiceContext, dispute: Dispute, action: DisputeAction) -> None:
    audit.record(
        ctx,
        action=action.value,
        record_type=RECORD_TYPE,
        record_id=dispute.dispute_number,
        fields=["status", "outcome", "decided_cents"],
        detail={"status": dispute.status, "outcome": dispute.outcome, "decided_cents": dispute.decided_cents},
    )
