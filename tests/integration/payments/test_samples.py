"""Every public sample file: valid ones are read (what matches nothing waits in suspense), malformed ones post nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from premia.formats.bai2 import GroupStatus, read_bai2
from premia.kernel.errors import ValidationError
from premia.ledger.tables import JournalEntry
from premia.payments.bank_files import import_bai2, import_camt
from premia.payments.model import ItemOutcome
from premia.payments.remittance_820 import import_820
from premia.payments.returns import import_nacha_returns
from premia.payments.tables import BankStatementLine, Payment, PaymentImport, SuspenseItem

pytestmark = pytest.mark.samples

AS_OF = date(2026, 3, 2)
IMPORTERS = {
    "nacha": import_nacha_returns,
    "bai2": import_bai2,
    "camt": import_camt,
    "x12-820": import_820,
}
# What each malformed file's rejection must name.
FAULTS = {
    "malformed-moov-long-line.ach": "longer than the 94",
    "malformed-moov-short-line.ach": "shorter than the 94",
    "malformed-moov-ppd-bad-check-digit.ach": "check digit",
    "malformed-moov-return-no-file-header-control.ach": "file header",
    "malformed-derived-account-trailer-total-off-by-one.bai2": "834001",
    "malformed-moov-parse-error.bai2": "record code '00'",
    "malformed-moov-sample4-record-count-mismatch-ach-return-text.bai2": "number_of_records",
    "malformed-derived-camt053-truncated.xml": "ends before it is complete",
    "malformed-moov-unterminated-tags-pain002.xml": "not well-formed",
    "malformed-820-bpr-total-not-equal-rmr-sum.txt": "BPR02",
    "malformed-820-missing-se.txt": "SE trailer",
    "malformed-820-wrong-ge-count.txt": "GE01",
}
SAMPLE_ROOT = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"


def _files(prefix_wanted: bool) -> list[tuple[str, str]]:
    if not SAMPLE_ROOT.is_dir():
        return [("missing", "missing")]
    found = []
    for folder in IMPORTERS:
        for path in sorted((SAMPLE_ROOT / folder).iterdir()):
            if path.name.startswith("malformed-") == prefix_wanted:
                found.append((folder, path.name))
    return found


def _import(ctx, folder: str, path: Path, **options):
    return IMPORTERS[folder](ctx, path.read_bytes(), file_name=path.name, as_of=AS_OF, **options)


def _counts(ctx) -> tuple[int, ...]:
    return tuple(
        ctx.session.scalar(select(func.count(table.id)))
        for table in (PaymentImport, Payment, SuspenseItem, JournalEntry, BankStatementLine)
    )


@pytest.mark.parametrize(("folder", "name"), _files(False))
def test_sample_is_read(ctx, sample_files, folder, name):
    path = sample_files / folder / name
    options = {"lenient_isa": True} if folder == "x12-820" and name.startswith("edge-") else {}
    report = _import(ctx, folder, path, **options)
    after_first = _counts(ctx)
    again = _import(ctx, folder, path, **options)
    assert report.import_id > 0
    assert again.already_imported
    assert again.counts == report.counts
    assert _counts(ctx) == after_first


@pytest.mark.parametrize(("folder", "name"), _files(True))
def test_malformed_sample_rejected(ctx, sample_files, folder, name):
    before = _counts(ctx)
    with pytest.raises(ValidationError) as caught:
        _import(ctx, folder, sample_files / folder / name)
    assert FAULTS[name].lower() in caught.value.message.lower()
    assert _counts(ctx) == before


def test_bai2_credits_held_or_recorded(ctx, sample_files):
    """Unmatched credits are held in suspense; lockbox deposits wait for their lockbox batch."""
    path = sample_files / "bai2" / "moov-sample2-bai-spec-example.bai2"
    report_file = read_bai2(path.read_bytes())
    credits = [
        transaction
        for group in report_file.groups
        if group.status not in (GroupStatus.DELETION, GroupStatus.TEST_ONLY)
        for account in group.accounts
        if account.currency == "USD"
        for transaction in account.transactions
        if transaction.is_credit
    ]
    lockbox = [transaction for transaction in credits if transaction.is_lockbox_deposit]
    others = [transaction for transaction in credits if not transaction.is_lockbox_deposit]
    report = _import(ctx, "bai2", path)
    assert lockbox and others
    assert report.count(ItemOutcome.SUSPENSE) == len(others)
    assert report.total(ItemOutcome.SUSPENSE) == sum(transaction.amount_cents for transaction in others)
    assert report.count(ItemOutcome.RECORDED) >= len(lockbox)


def test_camt_other_currencies_recorded(ctx, sample_files):
    report = _import(ctx, "camt", sample_files / "camt" / "moov-postfinance-camt053-statement.xml")
    assert report.count(ItemOutcome.RECORDED) == 5
    assert report.count(ItemOutcome.POSTED) == 0
    assert "CHF" in report.items[0]["explanation"]


def test_x218_lines_land_in_suspense(ctx, sample_files):
    report = _import(ctx, "x12-820", sample_files / "x12-820" / "derived-pyx12-820-5010X218-individual-remit.txt")
    assert report.count(ItemOutcome.SUSPENSE) == 2
    # 1,000.00 + 2,000.00 = 3,000.00, the BPR02 total
    assert report.total(ItemOutcome.SUSPENSE) == 300_000


def test_short_isa_rejected_unless_lenient(ctx, sample_files):
    path = sample_files / "x12-820" / "edge-moov-stp820-4010-short-isa-backslash-terminator.txt"
    with pytest.raises(ValidationError) as caught:
        _import(ctx, "x12-820", path)
    assert "ISA" in caught.value.message
    report = _import(ctx, "x12-820", path, lenient_isa=True)
    # 953.19 + 7,036.54 = 7,989.73
    assert report.total(ItemOutcome.SUSPENSE) == 798_973


def test_nacha_returns_unknown_to_premia(ctx, sample_files):
    report = _import(ctx, "nacha", sample_files / "nacha" / "moov-return-WEB-R01-R03.ach")
    assert report.count(ItemOutcome.UNMATCHED) == 2
    assert ctx.session.scalar(select(func.count(Payment.id))) == 0
