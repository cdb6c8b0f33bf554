"""First contact resolution, CSAT and SLA attainment, read from contacts, surveys and case events.

Service records are stamped in UTC; a period of carrier dates runs from midnight of its
first day to midnight after its last day in the carrier's time zone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, select

from premia.infra.context import ServiceContext
from premia.metrics.definitions import KpiName
from premia.metrics.formulas import InboundContact, KpiFigure, ScoreCounts, classify_contacts, csat_figures, ratio_figure
from premia.metrics.scope import segment_accounts
from premia.metrics.segment import Period, Segment
from premia.servicing import ServicingConfig, default_config
from premia.servicing.model import CaseStatus, ContactDirection

# NOTE: the servicing package does not export these pure clock helpers yet. Metrics uses them
# so that it reads stored case events with the same rules as the case view.
from premia.servicing.case_clock import segments_of, until_first_response
from premia.servicing.sla import read_clock
from premia.servicing.tables import CaseEvent, CaseSurvey, Contact, ServiceCase
from premia.staff.permissions import Permission


def first_contact_resolution(
    ctx: ServiceContext, period: Period, segment: Segment, *, config: ServicingConfig | None = None
) -> KpiFigure:
    """FCR on the repeat-contact basis over inbound contacts started in the period."""
    ctx.require(Permission.KPI_READ)
    config = config or default_config(ctx.settings.time_zone)
    start, end, now = _instants(period, config.time_zone)
    window = config.fcr_window
    query = select(Contact.started_at, Contact.subject, Contact.billing_account_id, Contact.person_id).where(
        Contact.direction == ContactDirection.INBOUND.value,
        Contact.started_at >= start,
        # Later contacts decide whether the period's last contacts were repeated.
        Contact.started_at < min(end + window, now),
    )
    query = _in_segment(query, Contact.billing_account_id, segment)
    contacts = [
        InboundContact(started_at=started_at, subject=subject, party=_party(account_id, person_id))
        for started_at, subject, account_id, person_id in ctx.session.execute(query)
    ]
    counts = classify_contacts(contacts, start=start, end=min(end, now), window=window, now=now)
    return counts.figure(window.days)


def customer_satisfaction(
    ctx: ServiceContext, period: Period, segment: Segment, *, config: ServicingConfig | None = None
) -> tuple[KpiFigure, KpiFigure]:
    """CSAT top-2-box and top box over survey answers received in the period."""
    ctx.require(Permission.KPI_READ)
    config = config or default_config(ctx.settings.time_zone)
    start, end, now = _instants(period, config.time_zone)
    query = (
        select(CaseSurvey.score)
        .join(ServiceCase, ServiceCase.id == CaseSurvey.case_id)
        .where(
            CaseSurvey.answered_at >= start,
            CaseSurvey.answered_at < min(end, now),
            CaseSurvey.score.is_not(None),
        )
    )
    query = _in_segment(query, ServiceCase.billing_account_id, segment)
    return csat_figures(ScoreCounts.of(int(score) for score in ctx.session.scalars(query)))


def sla_attainment(
    ctx: ServiceContext, period: Period, segment: Segment, *, config: ServicingConfig | None = None
) -> KpiFigure:
    """Cases resolved in the period within their resolution target; first responses in ``detail``.

    Each clock is read from the case's status events as they stood at the resolution (or
    first response), in the business hours of the case's queue. A case reopened and
    resolved again is measured at its latest resolution.
    """
    ctx.require(Permission.KPI_READ)
    config = config or default_config(ctx.settings.time_zone)
    start, end, now = _instants(period, config.time_zone)
    until = min(end, now)
    resolved_in_period = (ServiceCase.resolved_at >= start) & (ServiceCase.resolved_at < until)
    responded_in_period = (ServiceCase.first_response_at >= start) & (ServiceCase.first_response_at < until)
    query = select(ServiceCase).where(resolved_in_period | responded_in_period)
    query = _in_segment(query, ServiceCase.billing_account_id, segment)
    cases = list(ctx.session.scalars(query))
    events = _status_events(ctx, [case.id for case in cases])

    resolved = resolved_met = responded = responded_met = 0
    for case in cases:
        segments = segments_of(events[case.id])
        hours = config.hours_of(case.queue)
        if case.resolved_at is not None and start <= case.resolved_at < until:
            reading = read_clock(hours, segments, target=timedelta(minutes=case.resolution_minutes), at=case.resolved_at)
            resolved += 1
            resolved_met += not reading.breached
        if case.first_response_at is not None and start <= case.first_response_at < until:
            first = until_first_response(segments, case.first_response_at)
            reading = read_clock(hours, first, target=timedelta(minutes=case.first_response_minutes), at=case.first_response_at)
            responded += 1
            responded_met += not reading.breached
    detail = {"first_responses": responded, "first_responses_met": responded_met}
    return ratio_figure(KpiName.SLA_ATTAINMENT, resolved_met, resolved, detail)


def _status_events(ctx: ServiceContext, case_ids: list[int]) -> dict[int, list[tuple[datetime, CaseStatus]]]:
    events: dict[int, list[tuple[datetime, CaseStatus]]] = defaultdict(list)
    for first in range(0, len(case_ids), 5000):
        rows = ctx.session.execute(
            select(CaseEvent.case_id, CaseEvent.occurred_at, CaseEvent.to_status)
            .where(CaseEvent.case_id.in_(case_ids[first : first + 5000]))
            .order_by(CaseEvent.case_id, CaseEvent.occurred_at, CaseEvent.id)
        )
        for case_id, occurred_at, status in rows:
            events[case_id].append((occurred_at, CaseStatus(status)))
    return events


def _instants(period: Period, time_zone: str) -> tuple[datetime, datetime, datetime]:
    """Return the period's start and end and the end of ``as_of``, as aware instants."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(period.first_day, time(0), tzinfo=zone)
    end = datetime.combine(period.end_exclusive, time(0), tzinfo=zone)
    now = datetime.combine(period.as_of + timedelta(days=1), time(0), tzinfo=zone)
    return start, end, now


def _party(account_id: int | None, person_id: int | None) -> str | None:
    """Contacts are compared per billing account; a member with no account is compared as themself."""
    if account_id is not None:
        return f"account:{account_id}"
    if person_id is not None:
        return f"person:{person_id}"
    return None


def _in_segment(query: Select, account_column: ColumnElement[int | None], segment: Segment) -> Select:  # type: ignore[type-arg]
    accounts = segment_accounts(segment)
    return query if accounts is None else query.where(account_column.in_(accounts))
