"""Tell when a bank's lockbox credit and a lockbox batch are the same money, so a check posts once.

A lockbox deposit reaches Premia twice: the bank reports it on its statement (BAI2 type
codes 115 deposit, 116 item and 118 adjustment), and the lockbox processor sends the
checks of the same deposit as a batch. Premia posts each check from whichever arrives
first and only records the other:

* A statement's lockbox credit is the batch already imported in two cases. Its amount is
  one check's, and both name the same invoice, account number or billing account. Or its
  amount is the total of a batch's checks received on one day.
* A batch check is the statement's lockbox credit already posted in one case. The credit
  has the same amount, was booked on the check's day or up to five days later, and was
  posted to an account. It also names the same number or account as the check. The check's import item then links that
  payment, so one payment never stands for two checks.

A number counts as named when it equals one of the references or a run of their words,
compared the way payments are matched to invoices (``premia.payments.matching``), and the
billing account named is the one that matching picks. Only numbers with a digit are
compared, so two memos that share a word never match.

Statement credits are compared with batches received up to five days before them, the
time a deposit may take to appear on the bank's report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from premia.accounts.tables import BillingAccount
from premia.formats.lockbox import normalize_reference
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.payments.matching import decide_match, load_reference_index, reference_candidates
from premia.payments.model import ImportKind, ItemOutcome
from premia.payments.tables import BankStatementLine, Payment, PaymentImport, PaymentImportItem, SuspenseItem

DEPOSIT_DAYS = 5
# BAI2 detail type codes of lockbox deposits: the deposit, an item in it, an adjustment.
LOCKBOX_TYPE_CODES = frozenset({"115", "116", "118"})
LOCKBOX_DEPOSIT = "115"
LOCKBOX_ITEM = "116"


@dataclass(frozen=True)
class BatchCheck:
    """One check a lockbox batch posted or held in suspense."""

    import_id: int
    received_on: date
    amount_cents: int
    numbers: frozenset[str]
    billing_account_id: int | None


class BatchChecks:
    """The checks of lockbox batches received around a statement's days, for its credits to be compared with.

    Checks are indexed by amount. A batch's checks of one day make a deposit, whose total
    counts only the checks no credit has matched yet. A statement of many lines is thus
    compared in time proportional to its size.
    """

    def __init__(self, checks: list[BatchCheck] | None = None) -> None:
        self.checks = checks or []
        self.used: set[int] = set()
        self.by_amount: dict[int, list[int]] = defaultdict(list)
        self.deposits: dict[tuple[int, date], list[int]] = defaultdict(list)
        self.deposit_totals: dict[tuple[int, date], int] = defaultdict(int)
        for index, check in enumerate(self.checks):
            self.by_amount[check.amount_cents].append(index)
            deposit = (check.import_id, check.received_on)
            self.deposits[deposit].append(index)
            self.deposit_totals[deposit] += check.amount_cents

    def explain(
        self, amount_cents: int, booked_on: date, references: Iterable[str | None], account_id: int | None
    ) -> tuple[str, date] | None:
        """Return why a lockbox credit naming ``account_id`` (or no account) is money a batch already posted,
        with the day the batch's checks were received, or None."""
        candidates = set(reference_candidates(references))
        for index in self.by_amount.get(amount_cents, ()):
            check = self.checks[index]
            same_payer = bool(candidates & check.numbers) or (
                account_id is not None and account_id == check.billing_account_id
            )
            if index not in self.used and same_payer and _within_deposit_days(check.received_on, booked_on):
                self._use([index])
                reason = (
                    f"Check of {format_cents(amount_cents)} in lockbox import {check.import_id}, "
                    "already posted from the lockbox batch."
                )
                return reason, check.received_on
        return self._deposit_total(amount_cents, booked_on)

    def _deposit_total(self, amount_cents: int, booked_on: date) -> tuple[str, date] | None:
        for (import_id, received_on), total in self.deposit_totals.items():
            if total != amount_cents or not _within_deposit_days(received_on, booked_on):
                continue
            unused = [index for index in self.deposits[(import_id, received_on)] if index not in self.used]
            self._use(unused)
            reason = (
                f"Deposit of the {len(unused)} checks of lockbox import {import_id} received on "
                f"{received_on.isoformat()}; they were posted from the lockbox batch."
            )
            return reason, received_on
        return None

    def _use(self, indexes: list[int]) -> None:
        for index in indexes:
            self.used.add(index)
            check = self.checks[index]
            self.deposit_totals[(check.import_id, check.received_on)] -= check.amount_cents


def load_batch_checks(ctx: ServiceContext, first: date, last: date) -> BatchChecks:
    """Load the posted or held checks of lockbox batches received from ``first`` less five days to ``last``.

    A check is known by its reference (the invoice number, else the account number or memo
    from its coupon) and, once posted, by the number of the account it was posted to.
    """
    received_on = func.coalesce(Payment.received_on, SuspenseItem.received_on)
    rows = ctx.session.execute(
        select(
            PaymentImportItem.import_id,
            received_on,
            PaymentImportItem.amount_cents,
            PaymentImportItem.reference,
            BillingAccount.account_number,
            PaymentImportItem.billing_account_id,
        )
        .join(PaymentImport, PaymentImport.id == PaymentImportItem.import_id)
        .outerjoin(Payment, Payment.id == PaymentImportItem.payment_id)
        .outerjoin(SuspenseItem, SuspenseItem.id == PaymentImportItem.suspense_item_id)
        .outerjoin(BillingAccount, BillingAccount.id == PaymentImportItem.billing_account_id)
        .where(
            PaymentImport.kind == ImportKind.LOCKBOX.value,
            PaymentImportItem.outcome.in_([ItemOutcome.POSTED.value, ItemOutcome.SUSPENSE.value]),
            received_on.between(first - timedelta(days=DEPOSIT_DAYS), last),
        )
        .order_by(PaymentImportItem.id)
    ).all()
    return BatchChecks(
        [
            BatchCheck(import_id, received, amount, identifying_numbers([reference, account_number]), account_id)
            for import_id, received, amount, reference, account_number, account_id in rows
        ]
    )


@dataclass(frozen=True)
class StatementPosting:
    """A payment posted from a statement's lockbox credit."""

    payment_id: int
    import_id: int
    booked_on: date
    amount_cents: int
    references: frozenset[str]
    billing_account_id: int | None


class StatementPostings:
    """Payments posted from statements' lockbox credits that no batch check has matched yet, by amount."""

    def __init__(self, postings: list[StatementPosting] | None = None) -> None:
        self.postings = postings or []
        self.used: set[int] = set()
        self.by_amount: dict[int, list[int]] = defaultdict(list)
        for index, posting in enumerate(self.postings):
            self.by_amount[posting.amount_cents].append(index)

    def posted_before(
        self, amount_cents: int, received_on: date, references: Iterable[str | None], account_id: int | None
    ) -> StatementPosting | None:
        """Return the statement posting a batch check naming ``account_id`` is the same money as, or None."""
        numbers = identifying_numbers(references)
        for index in self.by_amount.get(amount_cents, ()):
            posting = self.postings[index]
            same_payer = bool(numbers & posting.references) or (
                account_id is not None and account_id == posting.billing_account_id
            )
            if index not in self.used and same_payer and _within_deposit_days(received_on, posting.booked_on):
                self.used.add(index)
                return posting
        return None


def load_statement_postings(ctx: ServiceContext, first: date, last: date) -> StatementPostings:
    """Load lockbox credits booked from ``first`` to ``last`` plus five days that statements posted as payments."""
    claimed = select(PaymentImportItem.payment_id).where(
        PaymentImportItem.payment_id.is_not(None), PaymentImportItem.outcome == ItemOutcome.RECORDED.value
    )
    rows = ctx.session.execute(
        select(
            BankStatementLine.payment_id,
            BankStatementLine.import_id,
            BankStatementLine.booked_on,
            BankStatementLine.amount_cents,
            BankStatementLine.reference_text,
            BankStatementLine.bank_reference,
            Payment.billing_account_id,
        )
        .join(Payment, Payment.id == BankStatementLine.payment_id)
        .where(
            BankStatementLine.payment_id.is_not(None),
            BankStatementLine.type_code.in_(sorted(LOCKBOX_TYPE_CODES)),
            BankStatementLine.booked_on.between(first, last + timedelta(days=DEPOSIT_DAYS)),
            BankStatementLine.payment_id.not_in(claimed),
        )
        .order_by(BankStatementLine.id)
    ).all()
    return StatementPostings(
        [
            StatementPosting(
                payment_id,
                import_id,
                booked_on,
                amount,
                frozenset(reference_candidates([text, bank_reference])),
                account_id,
            )
            for payment_id, import_id, booked_on, amount, text, bank_reference, account_id in rows
            if payment_id is not None
        ]
    )


def named_accounts(ctx: ServiceContext, references: Sequence[Sequence[str | None]]) -> list[int | None]:
    """Return, for each list of references, the one billing account matching picks for it, or None."""
    index = load_reference_index(ctx, (candidate for texts in references for candidate in reference_candidates(texts)))
    return [decide_match(texts, 0, index).billing_account_id for texts in references]


def identifying_numbers(texts: Iterable[str | None]) -> frozenset[str]:
    """Return the normalised references that contain a digit, such as an invoice or account number."""
    numbers = (normalize_reference(text) for text in texts if text)
    return frozenset(number for number in numbers if any(character.isdigit() for character in number))


def _within_deposit_days(received_on: date, booked_on: date) -> bool:
    return received_on <= booked_on <= received_on + timedelta(days=DEPOSIT_DAYS)
