"""Arithmetic checks of an account report, reported as warnings.

A statement's opening balance plus its booked entries should give its closing balance. Its
transactions summary should count and add up its entries. A batched entry should equal the
sum of its transaction details when all of them are listed.
"""

from __future__ import annotations

from premia.formats.camt.codes import BalanceType, CreditDebit, EntryStatus
from premia.formats.camt.errors import CamtProblem, problem
from premia.formats.camt.records import AccountReport, CamtEntry
from premia.formats.camt.tree import Element, find, text
from premia.kernel.errors import ValidationError
from premia.kernel.money import format_cents, parse_amount


def check_report(
    report: AccountReport, *, report_element: Element, complete: bool, warnings: list[ValidationError]
) -> None:
    """Add a warning for each figure of ``report`` that does not add up.

    ``complete`` is False for a page of a paginated message, whose entries are only part of
    the statement, so the balance check is skipped for it.
    """
    label = f"report {report.report_id}"
    if complete:
        _check_balances(report, label, warnings)
    _check_summary(report, find(report_element, "TxsSummry"), label, warnings)
    for entry in report.entries:
        _check_details(entry, label, warnings)


def _check_balances(report: AccountReport, label: str, warnings: list[ValidationError]) -> None:
    opening = report.balance(BalanceType.OPENING_BOOKED)
    closing = report.balance(BalanceType.CLOSING_BOOKED)
    if opening is None or closing is None or opening.currency != closing.currency:
        return
    booked = [entry for entry in report.entries if entry.status is EntryStatus.BOOKED]
    if any(entry.currency != opening.currency for entry in booked):
        return
    expected = opening.signed_amount_cents + sum(entry.signed_amount_cents for entry in booked)
    if expected != closing.signed_amount_cents:
        warnings.append(
            problem(
                CamtProblem.BALANCE_MISMATCH,
                (
                    f"the opening booked balance {format_cents(opening.signed_amount_cents)} plus the "
                    "booked entries gives "
                    f"{format_cents(expected)}, but the closing booked balance is "
                    f"{format_cents(closing.signed_amount_cents)} "
                    f"{closing.currency}."
                ),
                record=label,
                field="Bal",
                hint="Entries may be missing from the statement; reconcile the account before relying on it.",
            )
        )


def _check_summary(
    report: AccountReport, summary: Element | None, label: str, warnings: list[ValidationError]
) -> None:
    if summary is None:
        return
    credits = [entry for entry in report.entries if entry.credit_debit is CreditDebit.CREDIT]
    debits = [entry for entry in report.entries if entry.credit_debit is CreditDebit.DEBIT]
    for path, entries in (("TtlNtries", report.entries), ("TtlCdtNtries", credits), ("TtlDbtNtries", debits)):
        stated_count = text(summary, f"{path}/NbOfNtries")
        stated_sum = text(summary, f"{path}/Sum")
        actual_sum = sum(entry.amount_cents for entry in entries)
        if stated_count is not None and stated_count != str(len(entries)):
            _summary_warning(warnings, label, f"{path}/NbOfNtries", stated_count, str(len(entries)))
        if stated_sum is not None and _cents_or_none(stated_sum) != actual_sum:
            _summary_warning(
                warnings, label, f"{path}/Sum", stated_sum, format_cents(actual_sum, thousands=False)
            )


def _summary_warning(
    warnings: list[ValidationError], label: str, path: str, stated: str, actual: str
) -> None:
    warnings.append(
        problem(
            CamtProblem.SUMMARY_MISMATCH,
            f"the transactions summary states {path} {stated}, but the entries present give {actual}.",
            record=label,
            field=f"TxsSummry/{path}",
            value=stated,
            hint="Entries may be missing from the report; reconcile before relying on it.",
        )
    )


def _check_details(entry: CamtEntry, label: str, warnings: list[ValidationError]) -> None:
    details = entry.transactions
    if not details or len(details) != entry.number_of_transactions:
        return
    if any(detail.amount_cents is None or detail.currency != entry.currency for detail in details):
        return
    detail_sum = sum(detail.amount_cents or 0 for detail in details)
    if detail_sum != entry.amount_cents:
        warnings.append(
            problem(
                CamtProblem.DETAILS_MISMATCH,
                f"its {len(details)} transaction details add up to {format_cents(detail_sum)}, but the "
                f"entry amount is {format_cents(entry.amount_cents)} {entry.currency}.",
                record=f"{label} entry {entry.index}",
                field="NtryDtls/TxDtls",
                hint="Apply the entry by its details only after checking them with the bank.",
            )
        )


def _cents_or_none(value: str) -> int | None:
    try:
        return parse_amount(value, field="Sum")
    except ValidationError:
        return None
