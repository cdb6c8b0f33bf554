"""Tie a receipt to a billing account by an exact invoice or account number.

A reference matches only when its normalised form (blanks and hyphens dropped, letters
upper-cased) equals an invoice or account number's normalised form: ``PRM 2026 000114``
matches ``PRM-2026-000114`` and never ``PRM-2026-001142``. A free-text reference is tried
whole and then as runs of adjacent words, each run compared whole. The amount never identifies a payer:
a receipt whose references match nothing goes to suspense, however well its amount fits
an open invoice. When references point at more than one account the receipt goes to
suspense too, with the accounts named in its explanation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from premia.accounts.tables import BillingAccount
from premia.billing.tables import Invoice, InvoiceNumberSeries
from premia.formats.lockbox import normalize_reference
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.payments.model import MatchRule

LOOKUP_CHUNK = 500
_WORD_SEPARATORS = re.compile(r"[\s,;:/#|()\[\]]+")
# An invoice number is PREFIX-YEAR-SERIAL with a serial of six digits or more
# (premia.billing.numbering); an account number is LETTERS-DIGITS.
_ACCOUNT_SHAPE = re.compile(r"^([A-Z]+)(\d+)$")
_MIN_WORD = 4
_MAX_RUN = 4


def reference_candidates(texts: Iterable[str | None]) -> tuple[str, ...]:
    """Normalised references to try, in order: each text whole, then runs of up to four adjacent words.

    Runs let ``Invoice PRM 2026 000114, thank you`` yield ``PRM2026000114``; each candidate is
    still compared whole, so a run never matches part of a number.
    """
    found: dict[str, None] = {}
    for text in texts:
        if not text or not text.strip():
            continue
        whole = normalize_reference(text)
        if whole:
            found.setdefault(whole, None)
        words = [word for word in _WORD_SEPARATORS.split(text) if word]
        for size in range(1, min(_MAX_RUN, len(words)) + 1):
            for start in range(len(words) - size + 1):
                normalised = normalize_reference("".join(words[start : start + size]))
                if len(normalised) >= _MIN_WORD:
                    found.setdefault(normalised, None)
    return tuple(found)


def invoice_number_forms(normalised: str) -> list[str]:
    """List the stored spellings a normalised reference could have, such as ``PRM-2026-000114``."""
    forms = []
    for split in range(1, len(normalised) - 9):
        prefix, year, serial = normalised[:split], normalised[split : split + 4], normalised[split + 4 :]
        if prefix[0].isalpha() and prefix.isalnum() and year.isdigit() and serial.isdigit():
            forms.append(f"{prefix}-{year}-{serial}")
    return forms


def account_number_forms(normalised: str) -> list[str]:
    shape = _ACCOUNT_SHAPE.match(normalised)
    return [f"{shape.group(1)}-{shape.group(2)}"] if shape else []


@dataclass(frozen=True)
class InvoiceRef:
    invoice_id: int
    invoice_number: str
    billing_account_id: int
    amount_due_cents: int


@dataclass(frozen=True)
class AccountRef:
    billing_account_id: int
    account_number: str


@dataclass
class ReferenceIndex:
    """The invoices and accounts whose numbers equal some candidate reference, by normalised form."""

    invoices: dict[str, InvoiceRef] = field(default_factory=dict)
    accounts: dict[str, AccountRef] = field(default_factory=dict)
    account_numbers: dict[int, str] = field(default_factory=dict)


def load_reference_index(ctx: ServiceContext, candidates: Iterable[str]) -> ReferenceIndex:
    """Look up every candidate at once: invoices by (legal entity, number), accounts by number."""
    index = ReferenceIndex()
    invoice_forms: dict[str, str] = {}
    account_forms: dict[str, str] = {}
    for candidate in dict.fromkeys(candidates):
        for form in invoice_number_forms(candidate):
            invoice_forms[form] = candidate
        for form in account_number_forms(candidate):
            account_forms[form] = candidate
        account_forms.setdefault(candidate, candidate)

    entities = list(ctx.session.scalars(select(InvoiceNumberSeries.legal_entity)))
    forms = list(invoice_forms)
    for start in range(0, len(forms) if entities else 0, LOOKUP_CHUNK):
        chunk = forms[start : start + LOOKUP_CHUNK]
        rows = ctx.session.execute(
            select(Invoice.id, Invoice.invoice_number, Invoice.billing_account_id, Invoice.amount_due_cents).where(
                Invoice.legal_entity.in_(entities), Invoice.invoice_number.in_(chunk)
            )
        )
        for invoice_id, number, account_id, amount_due in rows:
            index.invoices[invoice_forms[number]] = InvoiceRef(invoice_id, number, account_id, int(amount_due))

    numbers = list(account_forms)
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        rows = ctx.session.execute(
            select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.account_number.in_(chunk))
        )
        for account_id, number in rows:
            index.accounts[account_forms[number]] = AccountRef(account_id, number)
            index.account_numbers[account_id] = number

    missing = {ref.billing_account_id for ref in index.invoices.values()} - set(index.account_numbers)
    if missing:
        rows = ctx.session.execute(select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.id.in_(missing)))
        index.account_numbers.update({account_id: number for account_id, number in rows})
    return index


@dataclass(frozen=True)
class MatchDecision:
    """The account a receipt belongs to (None for suspense), the rule that decided, and why.

    ``reason`` is why no single account matched, without what happens to the receipt then,
    for callers that do something other than suspense with it.
    """

    rule: MatchRule
    explanation: str
    billing_account_id: int | None = None
    invoice_id: int | None = None
    reason: str = ""

    @property
    def matched(self) -> bool:
        return self.billing_account_id is not None


def decide_match(
    references: Sequence[str | None], amount_cents: int, index: ReferenceIndex
) -> MatchDecision:
    """Decide which account a receipt of ``amount_cents`` with ``references`` belongs to."""
    quoted = ", ".join(repr(text) for text in references if text and text.strip()) or "none"
    candidates = reference_candidates(references)
    invoice_hits = [(candidate, index.invoices[candidate]) for candidate in candidates if candidate in index.invoices]
    account_hits = [(candidate, index.accounts[candidate]) for candidate in candidates if candidate in index.accounts]

    accounts = {ref.billing_account_id for _, ref in invoice_hits} | {ref.billing_account_id for _, ref in account_hits}
    if not accounts:
        reason = f"No invoice or account number equals the references ({quoted})."
        return MatchDecision(
            MatchRule.NO_MATCH,
            f"No invoice or account number equals the references ({quoted}); amounts are never used to "
            "choose an account, so the receipt waits in suspense for a person to match it.",
            reason=reason,
        )
    if len(accounts) > 1:
        numbers = ", ".join(sorted(index.account_numbers.get(account_id, str(account_id)) for account_id in accounts))
        reason = f"The references ({quoted}) point at more than one account ({numbers})."
        return MatchDecision(
            MatchRule.AMBIGUOUS,
            f"The references ({quoted}) point at more than one account ({numbers}); the receipt waits in suspense.",
            reason=reason,
        )

    account_id = accounts.pop()
    account_number = index.account_numbers.get(account_id, str(account_id))
    if invoice_hits:
        invoice = invoice_hits[0][1]
        if amount_cents == invoice.amount_due_cents:
            comparison = "equals its amount due"
        else:
            comparison = f"differs from its amount due of {format_cents(invoice.amount_due_cents)}"
        return MatchDecision(
            MatchRule.INVOICE_NUMBER,
            f"Invoice {invoice.invoice_number} of account {account_number} equals the reference "
            f"{invoice_hits[0][0]} exactly; the amount {format_cents(amount_cents)} {comparison} and is applied "
            "to the account's open items oldest first.",
            billing_account_id=account_id,
            invoice_id=invoice.invoice_id,
        )
    return MatchDecision(
        MatchRule.ACCOUNT_NUMBER,
        f"Account number {account_number} equals the reference {account_hits[0][0]} exactly; the amount "
        f"{format_cents(amount_cents)} is applied to its open items oldest first.",
        billing_account_id=account_id,
    )
