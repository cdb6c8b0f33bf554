"""Build the letters: every notice type other than invoices and list bills.

The facts come first from the notice's ``data`` (written when the notice was created, so the
letter states what was true then) and otherwise from the stored payment, policy and
journal. The keys each type reads are listed in this package's README.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from premia.accounts.tables import BillingAccount
from premia.billing.tables import Invoice
from premia.documents.content import Amount, Fact, GraceStatus, LetterContent, Phrase
from premia.documents.invoice_context import autodraft_last4, latest_invoice
from premia.documents.recipients import person_name
from premia.enrollment import service as enrollment
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError
from premia.ledger import service as ledger
from premia.notices.model import NoticeType
from premia.notices.tables import Notice
from premia.payments.tables import Payment

RETURN_REASONS = {"R01", "R02", "R03", "R04", "R07", "R08", "R09", "R10", "R16", "R20", "R29"}
DISPUTE_OUTCOMES = {"adjustment_credit", "refund", "denial"}
KNOWN_REASONS = {
    "non_payment",
    "member_request",
    "binder_not_paid",
    "free_look",
    "death",
    "loss_of_eligibility",
    "moved_out_of_area",
    "fraud",
    "plan_discontinued",
    "prior_coverage_terminated",
}


@dataclass(frozen=True)
class LetterParts:
    """A letter and, when it requests a payment, the amount and date for its coupon."""

    letter: LetterContent
    grace: GraceStatus | None = None
    amount_due_cents: int | None = None
    pay_by: date | None = None
    invoice_number: str | None = None


@dataclass(frozen=True)
class LetterInput:
    """Input of every letter builder: the notice, its account and policy, and the notice facts."""

    ctx: ServiceContext
    notice: Notice
    account: BillingAccount
    policy: Policy | None

    @property
    def data(self) -> dict[str, Any]:
        return self.notice.data or {}

    def cents(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                code="documents.notice_data_invalid",
                message=f"Notice {self.notice.id} has {key} {value!r}, which is not an amount in whole cents.",
                record=f"notice {self.notice.id}",
                field=f"data.{key}",
                value=value,
                hint="Notices store amounts as integer cents, for example 97440 for $974.40.",
            )
        return value

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        return parse_date(str(value), field=key, record=f"notice {self.notice.id}")

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        return str(value) if value not in (None, "") else None

    def flag(self, key: str) -> bool:
        return bool(self.data.get(key, False))

    def balance(self) -> int:
        """Return what the payer owed on the notice's as-of date, from the journal."""
        return ledger.account_balance(self.ctx, self.account.id, as_of=self.notice.as_of)

    def invoice(self) -> Invoice | None:
        if self.notice.invoice_id is not None:
            return self.ctx.session.get(Invoice, self.notice.invoice_id)
        return latest_invoice(self.ctx, self.account.id, on_or_before=self.notice.as_of)

    def payment(self) -> Payment | None:
        return self.ctx.session.get(Payment, self.notice.payment_id) if self.notice.payment_id else None

    def policy_number(self) -> str:
        return self.policy.policy_number if self.policy else ""

    def member_names(self) -> tuple[str, ...]:
        if self.policy is None:
            return ()
        names = []
        for _span, person in enrollment.members_of(self.ctx, self.policy):
            name = person_name(person)
            if name not in names:
                names.append(name)
        return tuple(names)


def letter_parts(letter_input: LetterInput) -> LetterParts:
    """Build the letter for the notice's type."""
    builder = BUILDERS[NoticeType(letter_input.notice.notice_type)]
    return builder(letter_input)


def is_aptc_grace(facts: dict[str, Any]) -> bool:
    """Tell whether a grace notice's facts describe the three-month grace period of an APTC member.

    Notices name the kind of grace period in ``grace_kind``. Older notices lack it, and for
    them a pend date is taken as the sign, since by default only that grace period pends claims.
    """
    kind = facts.get("grace_kind")
    if kind:
        return kind == "aptc_months"
    return bool(facts.get("claims_pended_from"))


def claims_pended_phrase(*, aptc: bool, pended_from: date | None) -> Phrase:
    """Build the sentence on pended claims: grace months two and three for APTC members, else from the pend date."""
    if aptc or pended_from is None:
        return Phrase("claims_pended_notice")
    return Phrase("claims_pended_notice_days", {"date": pended_from})


def reason_phrase(reason: str | None) -> Phrase | None:
    """Build the reason sentence, worded by the catalogs for known reasons and printed as stored otherwise."""
    if not reason:
        return None
    code = reason_code(reason)
    if code is not None:
        return Phrase("reason_line", {"reason": Phrase(f"reason_{code}")})
    return Phrase("reason_line", {"reason": reason})


def reason_code(reason: str) -> str | None:
    """Return the catalog code of a stored reason, which is a code itself or the delinquency area's wording."""
    text = reason.strip().lower()
    if text in KNOWN_REASONS:
        return text
    if text == "non-payment of premium":
        return "non_payment"
    if text.startswith("binder") and ("unpaid" in text or "not paid" in text):
        return "binder_not_paid"
    if text.startswith("prior policy") and "non-payment" in text:
        return "prior_coverage_terminated"
    return None


def _autodraft(letter: LetterInput) -> LetterParts:
    invoice = letter.invoice()
    amount = letter.cents("amount_cents")
    if amount is None:
        amount = invoice.amount_due_cents if invoice else letter.balance()
    draft_date = letter.day("draft_date") or (invoice.due_date if invoice else letter.notice.send_on)
    last4 = letter.text("bank_last4") or autodraft_last4(letter.ctx, letter.account) or "----"
    invoice_number = letter.text("invoice_number") or (invoice.invoice_number if invoice else None)

    paragraphs = [Phrase("autodraft_intro", {"amount": Amount(amount), "last4": last4, "date": draft_date})]
    if invoice is not None:
        paragraphs.append(
            Phrase(
                "autodraft_invoice",
                {"invoice": invoice.invoice_number, "start": invoice.period_start, "end": invoice.period_end},
            )
        )
    facts = [
        Fact("fact_draft_amount", Amount(amount)),
        Fact("fact_draft_date", draft_date),
        Fact("fact_bank_account", f"****{last4}"),
    ]
    if invoice_number:
        facts.append(Fact("invoice_number", invoice_number))
    closing = (Phrase("autodraft_change", {"date": draft_date}),)
    return LetterParts(
        letter=LetterContent(paragraphs=tuple(paragraphs), facts=tuple(facts), closing=closing)
    )


def _receipt(letter: LetterInput) -> LetterParts:
    payment = letter.payment()
    amount = letter.cents("amount_cents") if payment is None else payment.amount_cents
    received_on = letter.day("received_on") or (payment.received_on if payment else letter.notice.as_of)
    balance = letter.cents("balance_after_cents")
    if balance is None:
        balance = letter.balance()

    paragraphs = [Phrase("receipt_intro", {"amount": Amount(amount or 0), "date": received_on})]
    if balance > 0:
        paragraphs.append(Phrase("receipt_balance_due", {"amount": Amount(balance)}))
    elif balance < 0:
        paragraphs.append(Phrase("receipt_credit", {"amount": Amount(-balance)}))
    else:
        paragraphs.append(Phrase("receipt_paid_in_full"))
    facts = [Fact("fact_amount_received", Amount(amount or 0)), Fact("fact_date_received", received_on)]
    if payment is not None and payment.reference:
        facts.append(Fact("fact_payment_reference", payment.reference))
    facts.append(Fact("fact_balance", Amount(balance)))
    return LetterParts(letter=LetterContent(paragraphs=tuple(paragraphs), facts=tuple(facts)))


def _returned(letter: LetterInput) -> LetterParts:
    payment = letter.payment()
    amount = payment.amount_cents if payment else letter.cents("amount_cents") or 0
    payment_date = payment.received_on if payment else letter.day("received_on")
    returned_on = (
        letter.day("returned_on") or (payment.returned_on if payment else None) or letter.notice.as_of
    )
    code = letter.text("return_code") or (payment.return_code if payment else None)
    fee = letter.cents("fee_cents") or 0
    amount_due = letter.cents("amount_due_cents")
    if amount_due is None:
        amount_due = letter.balance()
    pay_by = letter.day("pay_by")

    paragraphs = [Phrase("returned_intro", {"amount": Amount(amount), "date": payment_date or returned_on})]
    if code:
        reason = Phrase(f"return_reason_{code}") if code in RETURN_REASONS else Phrase("return_reason_other")
        paragraphs.append(Phrase("returned_reason", {"code": code, "reason": reason}))
    if fee:
        paragraphs.append(Phrase("returned_fee", {"amount": Amount(fee)}))
    if amount_due > 0:
        key = "returned_pay_now" if pay_by else "returned_pay_now_no_date"
        paragraphs.append(Phrase(key, {"amount": Amount(amount_due), "date": pay_by}))

    facts = [
        Fact("amount_due", Amount(amount_due)),
        Fact("fact_returned_amount", Amount(amount)),
        Fact("fact_returned_on", returned_on),
    ]
    if code:
        facts.append(Fact("fact_return_code", code))
    if fee:
        facts.append(Fact("fact_fee", Amount(fee)))
    invoice = letter.invoice()
    return LetterParts(
        letter=LetterContent(
            paragraphs=tuple(paragraphs), facts=tuple(facts), asks_for_payment=amount_due > 0
        ),
        amount_due_cents=amount_due,
        pay_by=pay_by,
        invoice_number=invoice.invoice_number if invoice else None,
    )


def _delinquency(letter: LetterInput) -> LetterParts:
    notice_type = NoticeType(letter.notice.notice_type)
    amount_due = letter.cents("amount_due_cents")
    if amount_due is None:
        amount_due = letter.balance()
    missed = letter.day("missed_due_date")
    grace_end = letter.day("grace_end")
    termination = letter.day("termination_date_if_unpaid")
    claims_pended_from = letter.day("claims_pended_from")
    aptc = is_aptc_grace(letter.data)

    opening = {
        NoticeType.DELINQUENCY: "delinquency_intro" if missed else "delinquency_intro_no_date",
        NoticeType.GRACE_SECOND: "grace_second_intro",
        NoticeType.FINAL: "final_intro",
    }[notice_type]
    paragraphs = [Phrase(opening, {"amount": Amount(amount_due), "date": missed})]
    if grace_end is not None:
        paragraphs.append(Phrase("grace_pay_by", {"amount": Amount(amount_due), "date": grace_end}))
    warnings = []
    if termination is not None:
        warnings.append(Phrase("grace_termination_warning", {"date": termination}))
    else:
        warnings.append(Phrase("consequence_aptc" if aptc else "consequence_standard"))
    if claims_pended_from is not None:
        warnings.append(claims_pended_phrase(aptc=aptc, pended_from=claims_pended_from))

    facts = [Fact("amount_due", Amount(amount_due))]
    if missed is not None:
        facts.append(Fact("fact_missed_due_date", missed))
    if grace_end is not None:
        facts.append(Fact("fact_grace_end", grace_end))
    if termination is not None:
        facts.append(Fact("fact_termination_if_unpaid", termination))
    grace = GraceStatus(
        in_grace=True,
        aptc=aptc,
        grace_end=grace_end,
        termination_date=termination,
        claims_pended=claims_pended_from is not None,
        claims_pended_from=claims_pended_from,
    )
    invoice = letter.invoice()
    return LetterParts(
        letter=LetterContent(
            paragraphs=tuple(paragraphs),
            facts=tuple(facts),
            warnings=tuple(warnings),
            members=letter.member_names(),
            asks_for_payment=amount_due > 0,
        ),
        grace=grace,
        amount_due_cents=amount_due,
        pay_by=grace_end,
        invoice_number=invoice.invoice_number if invoice else None,
    )


def _termination(letter: LetterInput) -> LetterParts:
    policy = letter.policy
    ended = letter.day("termination_date") or (policy.end_date if policy else None) or letter.notice.as_of
    reason = letter.text("reason") or (policy.status_reason if policy else None)
    balance = letter.cents("past_due_cents")
    if balance is None:
        balance = letter.balance()

    paragraphs = [Phrase("termination_intro", {"policy": letter.policy_number(), "date": ended})]
    reason_line = reason_phrase(reason)
    if reason_line is not None:
        paragraphs.append(reason_line)
    paragraphs.append(Phrase("termination_claims", {"date": ended}))
    if balance > 0:
        paragraphs.append(Phrase("termination_balance_due", {"amount": Amount(balance)}))
    elif balance < 0:
        paragraphs.append(Phrase("termination_credit", {"amount": Amount(-balance)}))
    facts = [Fact("fact_coverage_end", ended), Fact("fact_balance", Amount(balance))]
    letter_content = LetterContent(
        paragraphs=tuple(paragraphs),
        facts=tuple(facts),
        members=letter.member_names(),
        closing=(Phrase("termination_dispute"),),
    )
    return LetterParts(letter=letter_content)


def _renewal(letter: LetterInput) -> LetterParts:
    renewal_date = letter.day("renewal_date") or letter.notice.send_on
    premium = letter.cents("premium_cents")
    previous = letter.cents("previous_premium_cents")
    aptc = letter.cents("aptc_cents")
    plan_name = letter.text("plan_name") or (letter.policy.plan_id if letter.policy else None)

    paragraphs = [Phrase("renewal_intro", {"date": renewal_date})]
    facts = [Fact("fact_renewal_date", renewal_date)]
    if plan_name:
        facts.append(Fact("fact_plan", plan_name))
    if premium is not None:
        paragraphs.append(Phrase("renewal_premium", {"amount": Amount(premium)}))
        facts.append(Fact("fact_new_premium", Amount(premium)))
    if premium is not None and previous is not None:
        change = premium - previous
        key = "renewal_no_change"
        if change > 0:
            key = "renewal_increase"
        elif change < 0:
            key = "renewal_decrease"
        paragraphs.append(Phrase(key, {"previous": Amount(previous), "difference": Amount(abs(change))}))
        facts.append(Fact("fact_current_premium", Amount(previous)))
    if aptc and premium is not None:
        paragraphs.append(
            Phrase("renewal_aptc", {"amount": Amount(aptc), "net": Amount(max((premium or 0) - aptc, 0))})
        )
    letter_content = LetterContent(
        paragraphs=tuple(paragraphs),
        facts=tuple(facts),
        members=letter.member_names(),
        closing=(Phrase("renewal_action"),),
    )
    return LetterParts(letter=letter_content)


def _cancellation(letter: LetterInput) -> LetterParts:
    policy = letter.policy
    start = letter.day("effective_date") or (policy.effective_date if policy else letter.notice.as_of)
    reason = letter.text("reason") or (policy.status_reason if policy else None)
    refund = letter.cents("refund_cents") or 0

    paragraphs = [Phrase("cancellation_intro", {"policy": letter.policy_number(), "date": start})]
    reason_line = reason_phrase(reason)
    if reason_line is not None:
        paragraphs.append(reason_line)
    if refund > 0:
        paragraphs.append(Phrase("cancellation_refund", {"amount": Amount(refund)}))
    facts = [Fact("fact_cancelled_from", start)]
    if refund > 0:
        facts.append(Fact("fact_refund_amount", Amount(refund)))
    letter_content = LetterContent(
        paragraphs=tuple(paragraphs), facts=tuple(facts), members=letter.member_names()
    )
    return LetterParts(letter=letter_content)


def _refund(letter: LetterInput) -> LetterParts:
    amount = letter.cents("amount_cents") or 0
    issued_on = letter.day("issued_on") or letter.notice.as_of
    method = letter.text("method")
    reason = letter.text("reason")

    paragraphs = [Phrase("refund_intro", {"amount": Amount(amount), "date": issued_on})]
    if method in {"check", "ach", "card"}:
        paragraphs.append(Phrase(f"refund_method_{method}"))
    reason_line = reason_phrase(reason)
    if reason_line is not None:
        paragraphs.append(reason_line)
    facts = [Fact("fact_refund_amount", Amount(amount)), Fact("fact_refund_date", issued_on)]
    return LetterParts(letter=LetterContent(paragraphs=tuple(paragraphs), facts=tuple(facts)))


def _dispute(letter: LetterInput) -> LetterParts:
    dispute_number = letter.text("dispute_number") or ""
    outcome = letter.text("outcome")
    credited = letter.cents("credited_cents") or 0
    refund = letter.cents("refund_cents") or 0
    due_again = letter.cents("due_again_cents") or 0
    decided_on = letter.day("decided_on") or letter.notice.as_of

    paragraphs = [Phrase("dispute_intro", {"case": dispute_number, "date": decided_on})]
    if outcome in DISPUTE_OUTCOMES:
        paragraphs.append(
            Phrase(f"dispute_{outcome}", {"credit": Amount(credited), "refund": Amount(refund)})
        )
    if due_again > 0:
        paragraphs.append(Phrase("dispute_due_again", {"amount": Amount(due_again)}))
    facts = [Fact("fact_case_number", dispute_number), Fact("fact_decided_on", decided_on)]
    if credited:
        facts.append(Fact("fact_credit_amount", Amount(credited)))
    if refund:
        facts.append(Fact("fact_refund_amount", Amount(refund)))
    return LetterParts(letter=LetterContent(paragraphs=tuple(paragraphs), facts=tuple(facts)))


BUILDERS: dict[NoticeType, Callable[[LetterInput], LetterParts]] = {
    NoticeType.AUTODRAFT_PRENOTIFICATION: _autodraft,
    NoticeType.PAYMENT_RECEIPT: _receipt,
    NoticeType.RETURNED_PAYMENT: _returned,
    NoticeType.DELINQUENCY: _delinquency,
    NoticeType.GRACE_SECOND: _delinquency,
    NoticeType.FINAL: _delinquency,
    NoticeType.TERMINATION: _termination,
    NoticeType.RENEWAL: _renewal,
    NoticeType.CANCELLATION: _cancellation,
    NoticeType.REFUND: _refund,
    NoticeType.DISPUTE_OUTCOME: _dispute,
}
