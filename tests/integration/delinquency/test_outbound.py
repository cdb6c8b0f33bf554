"""The outbound 834 queue for exchange policies and the file written from it."""

from __future__ import annotations

from datetime import date

from premia.delinquency.model import Outbound834Status
from premia.delinquency.outbound_file import write_outbound_834
from premia.enrollment.model import PolicyStatus
from premia.formats.x12.codes import MaintenanceReason, MaintenanceType, UsageIndicator
from premia.formats.x12.enrollment_reader import parse_834

BIRTH = date(1980, 3, 15)
PARTIES = {"sender_id": "PREMIA", "receiver_id": "EXCHANGE", "insurer_name": "Demo Health", "insurer_tax_id": "123456789"}


def _effectuated_then_terminated(story):
    household = story.individual(effective=date(2026, 1, 1), birth=BIRTH, exchange=True, aptc_cents=47_760, status=PolicyStatus.PENDING)
    story.day(date(2025, 12, 15))
    # 577.60 - 477.60 = 100.00 binder.
    story.pay(household, 10_000, date(2025, 12, 28))
    story.run(date(2025, 12, 28))
    for day in (date(2026, 1, 15), date(2026, 2, 3), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15), date(2026, 5, 1)):
        story.day(day)
    return household


def test_queue_rows_for_exchange_policy(exchange_story):
    story = exchange_story
    household = _effectuated_then_terminated(story)
    rows = story.outbound(household)
    assert [(row.kind, row.maintenance_type, row.maintenance_reason, row.effective_date) for row in rows] == [
        ("effectuation", "021", "28", date(2026, 1, 1)),
        ("termination", "024", "59", date(2026, 2, 28)),
    ]
    assert rows[1].exchange_policy_id == household.policy.exchange_policy_id
    assert rows[1].data["members"][0]["member_id"] == household.member_id
    assert {row.status for row in rows} == {Outbound834Status.QUEUED.value}


def test_off_exchange_policy_not_queued(offexchange_story):
    story = offexchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=BIRTH, status=PolicyStatus.PENDING)
    story.day(date(2025, 12, 15))
    story.pay(household, 57_760, date(2025, 12, 28))
    story.run(date(2025, 12, 28))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.outbound(household) == []


def test_written_file_reads_back(exchange_story):
    story = exchange_story
    household = _effectuated_then_terminated(story)
    written = write_outbound_834(story.ctx, as_of=date(2026, 5, 2), usage=UsageIndicator.TEST, **PARTIES)
    assert written is not None
    assert written.control_number == 1

    parsed = parse_834(written.text)
    assert parsed.errors == ()
    transaction = parsed.transactions[0]
    assert transaction.payer.name == "Demo Health"
    assert transaction.sponsor.id == "EXCHANGE"
    members = parsed.members
    assert [member.maintenance_type for member in members] == [MaintenanceType.ADDITION, MaintenanceType.CANCELLATION_OR_TERMINATION]
    assert members[1].maintenance_reason is MaintenanceReason.NON_PAYMENT
    assert members[1].member_id == household.member_id
    assert members[1].group_policy_number == household.policy.exchange_policy_id
    assert members[1].coverages[0].end == date(2026, 2, 28)
    assert members[1].coverages[0].class_of_contract == household.policy.plan_id
    assert members[0].coverages[0].begin == date(2026, 1, 1)

    assert {row.status for row in story.outbound(household)} == {Outbound834Status.WRITTEN.value}
    assert {row.interchange_control_number for row in story.outbound(household)} == {1}
    # Nothing is left to send.
    assert write_outbound_834(story.ctx, as_of=date(2026, 5, 2), **PARTIES) is None
