"""First contact resolution and CSAT from raw contacts and scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from premia.servicing.metrics import ContactFact, csat, first_contact_resolution, percent

WEEK = timedelta(days=7)
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)
FIRST = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def fact(
    contact_id: int, started_at: datetime, *, subject: str = "billing", party: str | None = "account:1"
) -> ContactFact:
    return ContactFact(contact_id, started_at, subject, party)


def measure(facts: list[ContactFact], *, as_of: datetime = datetime(2026, 6, 1, tzinfo=UTC)):
    return first_contact_resolution(facts, start=START, end=END, window=WEEK, as_of=as_of)


def test_repeat_on_day_six_is_not_resolved() -> None:
    counts = measure([fact(1, FIRST), fact(2, FIRST + timedelta(days=6))])

    # contact 1 repeated; contact 2 has no follow-up
    assert counts.contacts == 2
    assert counts.repeated == 1
    assert counts.resolved_first_contact == 1


def test_repeat_on_day_eight_keeps_first_resolved() -> None:
    counts = measure([fact(1, FIRST), fact(2, FIRST + timedelta(days=8))])

    assert counts.repeated == 0
    assert counts.resolved_first_contact == 2
    assert counts.rate_percent == Decimal("100.0")


def test_other_subject_is_not_a_repeat() -> None:
    counts = measure([fact(1, FIRST), fact(2, FIRST + timedelta(days=2), subject="claims")])

    assert counts.repeated == 0


def test_other_account_is_not_a_repeat() -> None:
    counts = measure([fact(1, FIRST), fact(2, FIRST + timedelta(days=2), party="account:2")])

    assert counts.repeated == 0


def test_open_window_is_pending() -> None:
    counts = measure([fact(1, FIRST)], as_of=FIRST + timedelta(days=3))

    assert counts.pending == 1
    assert counts.measured == 0
    assert counts.rate_percent is None


def test_repeat_after_period_still_counts() -> None:
    last_day = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)

    counts = measure([fact(1, last_day), fact(2, last_day + timedelta(days=2))])

    # contact 2 falls outside the period, so only contact 1 is counted, as repeated
    assert counts.contacts == 1
    assert counts.repeated == 1


def test_unlinked_contact_counted_apart() -> None:
    counts = measure([fact(1, FIRST, party=None)])

    assert counts.unlinked == 1
    assert counts.measured == 0


def test_csat_top_two_box() -> None:
    scores = [5] * 300 + [4] * 110 + [3] * 50 + [2] * 25 + [1] * 15

    counts = csat(scores)

    assert counts.responses == 500
    assert counts.top_two_box == 410
    # (300 + 110) / 500 = 82.0 %
    assert counts.top_two_box_percent == Decimal("82.0")
    # 300 / 500 = 60.0 %
    assert counts.top_box_percent == Decimal("60.0")
    assert counts.by_score == {1: 15, 2: 25, 3: 50, 4: 110, 5: 300}


def test_csat_without_answers_has_no_rate() -> None:
    assert csat([]).top_two_box_percent is None


def test_csat_rejects_out_of_scale_score() -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        csat([6])


def test_percent_rounds_half_up() -> None:
    # 1 / 8 = 12.5 %; 1 / 16 = 6.25 % -> 6.3
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 16) == Decimal("6.3")
