"""First contact resolution and CSAT, computed from stored contacts and survey answers.

Both keep their raw counts next to the rate, so a report can be re-added across periods
and checked by hand.

First contact resolution (definition ``repeat_contact``): an inbound contact is resolved at
first contact when no other inbound contact on the same subject about the same account
follows it within the window (7 days by default). A contact whose window has not ended at
the as-of instant is pending and left out of the rate. A contact with neither account nor
member cannot be compared and is counted apart. Outbound contacts are the carrier's own
follow-ups and are neither measured nor counted as repeats.

CSAT: the share of survey answers of 4 or 5 on the 1 to 5 scale (top-2-box). The top-box
share (5 only) is kept as well.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from premia.infra.context import ServiceContext
from premia.kernel.errors import ValidationError
from premia.servicing.config import ServicingConfig, default_config
from premia.servicing.model import ContactDirection
from premia.servicing.surveys import HIGHEST_SCORE, LOWEST_SCORE, answered_scores
from premia.servicing.tables import Contact
from premia.staff.permissions import Permission

FCR_DEFINITION = "repeat_contact"
TOP_BOX = 5
TOP_TWO_BOX = 4


@dataclass(frozen=True)
class ContactFact:
    """The parts of a contact that first contact resolution compares."""

    contact_id: int
    started_at: datetime
    subject: str
    party_key: str | None


@dataclass(frozen=True)
class FcrCounts:
    """First contact resolution over a period, with every count that makes up the rate."""

    definition: str
    window_days: int
    contacts: int
    resolved_first_contact: int
    repeated: int
    pending: int
    unlinked: int

    @property
    def measured(self) -> int:
        return self.resolved_first_contact + self.repeated

    @property
    def rate_percent(self) -> Decimal | None:
        return percent(self.resolved_first_contact, self.measured)

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["measured"] = self.measured
        data["rate_percent"] = str(self.rate_percent) if self.rate_percent is not None else None
        return data


@dataclass(frozen=True)
class CsatCounts:
    responses: int
    top_box: int
    top_two_box: int
    by_score: dict[int, int] = field(default_factory=dict)

    @property
    def top_two_box_percent(self) -> Decimal | None:
        return percent(self.top_two_box, self.responses)

    @property
    def top_box_percent(self) -> Decimal | None:
        return percent(self.top_box, self.responses)

    def to_dict(self) -> dict[str, Any]:
        return {
            "responses": self.responses,
            "top_box": self.top_box,
            "top_two_box": self.top_two_box,
            "by_score": {str(score): count for score, count in sorted(self.by_score.items())},
            "top_two_box_percent": str(self.top_two_box_percent)
            if self.top_two_box_percent is not None
            else None,
            "top_box_percent": str(self.top_box_percent) if self.top_box_percent is not None else None,
        }


def percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator`` as a percentage of ``denominator`` to one decimal place, half-up; None for 0 of 0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def first_contact_resolution(
    facts: Sequence[ContactFact],
    *,
    start: datetime,
    end: datetime,
    window: timedelta,
    as_of: datetime,
) -> FcrCounts:
    """Classify the contacts started in ``[start, end)``; ``facts`` must include later contacts too."""
    by_thread: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for fact in facts:
        if fact.party_key is not None:
            by_thread[(fact.party_key, fact.subject)].append(fact.started_at)
    for times in by_thread.values():
        times.sort()

    contacts = resolved = repeated = pending = unlinked = 0
    for fact in facts:
        if not start <= fact.started_at < end:
            continue
        contacts += 1
        if fact.party_key is None:
            unlinked += 1
            continue
        later = [
            moment
            for moment in by_thread[(fact.party_key, fact.subject)]
            if fact.started_at < moment <= fact.started_at + window
        ]
        if later:
            repeated += 1
        elif fact.started_at + window > as_of:
            pending += 1
        else:
            resolved += 1
    return FcrCounts(
        definition=FCR_DEFINITION,
        window_days=window.days,
        contacts=contacts,
        resolved_first_contact=resolved,
        repeated=repeated,
        pending=pending,
        unlinked=unlinked,
    )


def csat(scores: Iterable[int]) -> CsatCounts:
    """Count survey answers by score and into the top and top-2 boxes."""
    counts = Counter(scores)
    invalid = sorted(score for score in counts if not LOWEST_SCORE <= score <= HIGHEST_SCORE)
    if invalid:
        raise ValueError(f"survey scores must be {LOWEST_SCORE} to {HIGHEST_SCORE}, got {invalid}")
    return CsatCounts(
        responses=sum(counts.values()),
        top_box=counts[TOP_BOX],
        top_two_box=sum(count for score, count in counts.items() if score >= TOP_TWO_BOX),
        by_score={score: counts.get(score, 0) for score in range(LOWEST_SCORE, HIGHEST_SCORE + 1)},
    )


def fcr_report(
    ctx: ServiceContext,
    *,
    first_day: date,
    last_day: date,
    as_of: datetime | None = None,
    config: ServicingConfig | None = None,
) -> FcrCounts:
    """First contact resolution for contacts started from ``first_day`` to ``last_day`` (carrier dates)."""
    ctx.require(Permission.KPI_READ)
    config = config or default_config(ctx.settings.time_zone)
    start, end = _period(first_day, last_day, config.time_zone)
    rows = ctx.session.execute(
        select(
            Contact.id, Contact.started_at, Contact.subject, Contact.billing_account_id, Contact.person_id
        ).where(
            Contact.direction == ContactDirection.INBOUND.value,
            Contact.started_at >= start,
            Contact.started_at < end + config.fcr_window,
        )
    ).all()
    facts = [ContactFact(row[0], row[1], row[2], _party_key(row[3], row[4])) for row in rows]
    return first_contact_resolution(
        facts, start=start, end=end, window=config.fcr_window, as_of=as_of or ctx.now()
    )


def csat_report(
    ctx: ServiceContext, *, first_day: date, last_day: date, config: ServicingConfig | None = None
) -> CsatCounts:
    """CSAT over survey answers received from ``first_day`` to ``last_day`` (carrier dates)."""
    ctx.require(Permission.KPI_READ)
    config = config or default_config(ctx.settings.time_zone)
    start, end = _period(first_day, last_day, config.time_zone)
    return csat(answered_scores(ctx, start=start, end=end))


def _period(first_day: date, last_day: date, time_zone: str) -> tuple[datetime, datetime]:
    if last_day < first_day:
        raise ValidationError(
            code="kpi.period_reversed",
            message=f"The period ends ({last_day}) before it starts ({first_day}).",
            field="last_day",
            value=last_day.isoformat(),
        )
    zone = ZoneInfo(time_zone)
    start = datetime.combine(first_day, time(0), tzinfo=zone)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def _party_key(billing_account_id: int | None, person_id: int | None) -> str | None:
    """Contacts are compared per account; a member with no account is compared as themself."""
    if billing_account_id is not None:
        return f"account:{billing_account_id}"
    if person_id is not None:
        return f"person:{person_id}"
    return None
