"""820 remittances: Exchange APTC per member and month, employer lines with a roster variance, posted once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from premia.enrollment.model import Relationship
from premia.kernel.errors import ValidationError
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.payables import aptc_open_amounts, cash_received
from premia.ledger.tables import JournalEntry, JournalLine
from premia.payments.bank_files import import_bai2
from premia.payments.model import ImportStatus, ItemOutcome, SuspenseStatus
from premia.payments.remittance_820 import import_820
from premia.payments.tables import PaymentImport, SuspenseItem
from tests.integration.conftest import Story, group_catalog, story_catalog
from tests.integration.payments.conftest import Credit, aptc_loop, bai2_file, member_loop, remittance_file

X306 = "005010X306"
X218 = "005010X218"
JUNE = (date(2026, 6, 1), date(2026, 6, 30))


class Interrupted(Exception):
    """Stands for a worker killed part way through an import."""


def _exchange_couple(ctx, exchange_policy_id: str = "EXP00000001"):
    """A and B on the exchange plan from June 2026 with a policy APTC of 735.00, June billed."""
    story = Story(ctx=ctx, catalog=story_catalog(exchange=True))
    account = story.at(date(2026, 5, 1)).account(birth=date(1990, 8, 17))
    policy = story.policy(account, effective=date(2026, 6, 1), plan_id="12345VA0010001", on_exchange=True)
    policy.exchange_policy_id = exchange_policy_id
    story.dependent(policy, first_name="B", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 6, 1))
    story.aptc(policy, 73_500, start=date(2026, 6, 1))
    story.bill(date(2026, 5, 15))
    return story, policy


def _import(story, content, on=date(2026, 6, 5), **options):
    story.at(on)
    return import_820(story.ctx, content, file_name="820.txt", as_of=on, **options)


def test_aptc_paid_per_member_and_month(ctx):
    story, policy = _exchange_couple(ctx)
    expected = aptc_open_amounts(ctx, [policy.id])
    content = remittance_file([aptc_loop(1, "EXP00000001", [("APTC", 73_500, *JUNE)])], paid_on=date(2026, 6, 5), implementation=X306)
    report = _import(story, content)
    after = aptc_open_amounts(ctx, [policy.id])
    # The billed APTC split over A and B adds back to 735.00.
    assert sum(expected.values()) == 73_500
    assert report.count(ItemOutcome.POSTED) == 1
    assert all(cents == 0 for cents in after.values())
    assert report.variance == []


def test_aptc_short_payment_split_and_reported(ctx):
    story, policy = _exchange_couple(ctx)
    content = remittance_file([aptc_loop(1, "EXP00000001", [("APTC", 70_000, *JUNE)])], paid_on=date(2026, 6, 5), implementation=X306)
    report = _import(story, content)
    after = aptc_open_amounts(ctx, [policy.id])
    (row,) = report.variance
    # 735.00 expected, 700.00 paid: 35.00 short, left open on the members' lines
    assert row["variance_cents"] == -3_500
    assert sum(after.values()) == 3_500
    assert all(cents >= 0 for cents in after.values())


def test_user_fee_held_in_suspense(ctx):
    story, policy = _exchange_couple(ctx)
    content = remittance_file(
        [aptc_loop(1, "EXP00000001", [("APTC", 73_500, *JUNE), ("UF", -2_500, *JUNE)])], paid_on=date(2026, 6, 5), implementation=X306
    )
    _import(story, content)
    held = ctx.session.scalar(select(SuspenseItem))
    entry = ctx.session.scalar(select(JournalEntry).where(JournalEntry.kind == EntryKind.APTC_REMITTANCE.value))
    cash = ctx.session.scalar(select(func.sum(JournalLine.amount_cents)).where(JournalLine.entry_id == entry.id, JournalLine.ledger_account == LedgerAccount.CASH_CLEARING.value))
    assert held.amount_cents == -2_500
    # 735.00 - 25.00 = 710.00 received
    assert cash == 71_000


def test_unknown_policy_goes_to_suspense(ctx):
    story, _ = _exchange_couple(ctx)
    content = remittance_file(
        [aptc_loop(1, "EXP00000001", [("APTC", 73_500, *JUNE)]), aptc_loop(2, "EXP99999999", [("APTC", 25_890, *JUNE)])],
        paid_on=date(2026, 6, 5),
        implementation=X306,
    )
    report = _import(story, content)
    held = ctx.session.scalar(select(SuspenseItem))
    assert report.count(ItemOutcome.POSTED) == 1
    assert report.count(ItemOutcome.SUSPENSE) == 1
    assert held.amount_cents == 25_890
    assert "EXP99999999" in held.reason


def _many_policies(ctx, count: int) -> Story:
    story = Story(ctx=ctx, catalog=story_catalog(exchange=True))
    story.at(date(2026, 5, 1))
    for number in range(1, count + 1):
        account = story.account(first_name=f"M{number}", birth=date(1990, 8, 17))
        policy = story.policy(account, effective=date(2026, 6, 1), plan_id="12345VA0010001", on_exchange=True)
        policy.exchange_policy_id = f"EXP{number:08d}"
    return story


def _bc35_file(loops: int, unknown_every: int) -> tuple[bytes, int, int]:
    """Loop i pays 20,000 + (i x 7,919 mod 39,989) cents; every ``unknown_every``-th loop names no policy held."""
    entities, unknown = [], 0
    for number in range(1, loops + 1):
        cents = 20_000 + (number * 7_919) % 39_989
        known = number % unknown_every
        if not known:
            unknown += cents
        policy_id = f"EXP{number:08d}" if known else f"GONE{number:08d}"
        entities.append(aptc_loop(number, policy_id, [("APTC", cents, *JUNE)]))
    total = sum(entity.remitted_cents for entity in entities)
    return remittance_file(entities, paid_on=date(2026, 6, 5), implementation=X306), total, unknown


def test_interrupted_import_resumes_once(ctx):
    story = _many_policies(ctx, 20)
    content, total, unknown = _bc35_file(20, unknown_every=10)
    calls = 0

    def commit_then_stop() -> None:
        nonlocal calls
        ctx.session.commit()
        calls += 1
        if calls == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        _import(story, content, checkpoint=commit_then_stop, chunk_size=5)
    ctx.session.rollback()
    partial = ctx.session.scalar(select(PaymentImport))
    assert partial.status == ImportStatus.RUNNING.value

    report = _import(story, content, chunk_size=5)
    assert report.import_id == partial.id
    assert report.count(ItemOutcome.POSTED) == 18
    assert report.count(ItemOutcome.SUSPENSE) == 2
    assert report.total(ItemOutcome.SUSPENSE) == unknown
    assert report.total(ItemOutcome.POSTED) == total - unknown
    assert ctx.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.kind == EntryKind.APTC_REMITTANCE.value)) == 18


def test_same_loops_in_new_bytes_post_nothing(ctx):
    story = _many_policies(ctx, 4)
    content, _, _ = _bc35_file(4, unknown_every=100)
    _import(story, content)
    again = _import(story, content.replace(b"\n", b"\r\n"))
    assert not again.already_imported
    assert again.duplicates == 4
    assert ctx.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.kind == EntryKind.APTC_REMITTANCE.value)) == 4


def test_unbalanced_file_rejected_whole(ctx):
    story = _many_policies(ctx, 2)
    content, _, _ = _bc35_file(2, unknown_every=100)
    broken = content.replace(b"BPR*C*", b"BPR*C*1", 1)
    with pytest.raises(ValidationError) as caught:
        _import(story, broken)
    assert "BPR02" in caught.value.message
    assert ctx.session.scalar(select(func.count(PaymentImport.id))) == 0


def _group(ctx):
    """Group G-0501 billed for January 2025 at base 450.00: H 960.75; J 521.55 and spouse K 510.75; L 960.75."""
    story = Story(ctx=ctx, catalog=group_catalog({2025: "450.00"}))
    group, account = story.at(date(2024, 12, 1)).employer_group("G-0501", anniversary_month=1)
    h = story.employee(account, group, first_name="H", birth=date(1970, 3, 3), effective=date(2025, 1, 1))
    j = story.employee(account, group, first_name="J", birth=date(1993, 8, 19), effective=date(2025, 1, 1))
    story.dependent(j, first_name="K", birth=date(1994, 12, 1), relationship=Relationship.SPOUSE, start=date(2025, 1, 1))
    lee = story.employee(account, group, first_name="L", birth=date(1970, 3, 3), effective=date(2025, 1, 1))
    story.bill(date(2024, 12, 15))
    return story, account, h, j, lee


JANUARY = (date(2025, 1, 1), date(2025, 1, 31))


def test_employer_lines_paid_per_member(ctx):
    story, account, h, j, lee = _group(ctx)
    content = remittance_file(
        [member_loop(1, h.policy_number, 96_075, *JANUARY), member_loop(2, j.policy_number, 103_230, *JANUARY)],
        paid_on=date(2025, 1, 2),
        implementation=X218,
        trace="EMP-2025-01",
    )
    report = _import(story, content, on=date(2025, 1, 2))
    assert report.count(ItemOutcome.POSTED) == 2
    # Billed 960.75 + 1,032.30 + 960.75 = 2,953.80; L's 960.75 is still owed
    assert ledger.account_balance(ctx, account.id) == 96_075


def test_employer_variance_against_roster(ctx):
    story, account, h, j, lee = _group(ctx)
    content = remittance_file(
        [member_loop(1, h.policy_number, 96_075, *JANUARY), member_loop(2, j.policy_number, 100_000, *JANUARY)],
        paid_on=date(2025, 1, 2),
        implementation=X218,
        trace="EMP-2025-01",
    )
    report = _import(story, content, on=date(2025, 1, 2))
    rows = {row["policy_number"]: row for row in report.variance}
    # J and K billed 1,032.30, remitted 1,000.00: 32.30 short
    assert rows[j.policy_number]["variance_cents"] == -3_230
    assert rows[lee.policy_number]["note"] == "not remitted"
    assert h.policy_number not in rows


def test_employer_line_never_pays_other_member(ctx):
    story, account, h, j, lee = _group(ctx)
    # H's line overpays by 100.00; the excess stays as credit instead of paying L.
    content = remittance_file([member_loop(1, h.policy_number, 106_075, *JANUARY)], paid_on=date(2025, 1, 2), implementation=X218, trace="EMP-1")
    _import(story, content, on=date(2025, 1, 2))
    assert ledger.balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=account.id) == -10_000


def test_bank_credit_in_suspense_funds_820(ctx):
    story, account, h, j, lee = _group(ctx)
    story.at(date(2025, 1, 2))
    statement = bai2_file("555000111", date(2025, 1, 2), [Credit("165", 96_075, text="CCD+ EMP-2025-01 EMPLOYER G-0501")])
    import_bai2(ctx, statement.encode("ascii"), file_name="report.bai2", as_of=date(2025, 1, 2))
    content = remittance_file([member_loop(1, h.policy_number, 96_075, *JANUARY)], paid_on=date(2025, 1, 2), implementation=X218, trace="EMP-2025-01")
    _import(story, content, on=date(2025, 1, 2))
    held = ctx.session.scalar(select(SuspenseItem))
    assert held.status == SuspenseStatus.APPLIED.value
    assert ledger.balance(ctx, LedgerAccount.SUSPENSE) == 0
    # The money counts once: the bank credit, not again from the 820
    assert cash_received(ctx, date(2025, 1, 2)) == {"555000111": 96_075}
    # 2,953.80 - 960.75 = 1,993.05
    assert ledger.account_balance(ctx, account.id) == 199_305


def test_820_then_bank_credit_recorded(ctx):
    story, account, h, j, lee = _group(ctx)
    content = remittance_file([member_loop(1, h.policy_number, 96_075, *JANUARY)], paid_on=date(2025, 1, 2), implementation=X218, trace="EMP-2025-01")
    _import(story, content, on=date(2025, 1, 2))
    statement = bai2_file("555000111", date(2025, 1, 2), [Credit("165", 96_075, text="CCD+ EMP-2025-01")])
    report = import_bai2(ctx, statement.encode("ascii"), file_name="report.bai2", as_of=date(2025, 1, 2))
    assert report.count(ItemOutcome.RECORDED) == 1
    assert ctx.session.scalar(select(func.count(SuspenseItem.id))) == 0

