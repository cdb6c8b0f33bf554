"""Carrier settings of the service desk: queues, SLA targets, thresholds and windows (pure).

Every value here is a product choice with a default. Services take a
:class:`ServicingConfig` argument and fall back to :func:`default_config` in the carrier's
time zone. A case copies its SLA targets when it is opened, so a later change of targets
does not rewrite the clocks of cases already open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta

from premia.servicing.model import CasePriority, CaseType
from premia.servicing.sla import BusinessHours


@dataclass(frozen=True)
class SlaTarget:
    """First response and resolution targets, in business minutes."""

    first_response_minutes: int
    resolution_minutes: int

    def __post_init__(self) -> None:
        if self.first_response_minutes <= 0 or self.resolution_minutes <= 0:
            raise ValueError("SLA targets must be positive numbers of business minutes")


HOUR = 60
BUSINESS_DAY = 8 * HOUR

# Targets per case type and priority, in business minutes.
DEFAULT_TARGETS: dict[tuple[CaseType, CasePriority], SlaTarget] = {
    (CaseType.INQUIRY, CasePriority.URGENT): SlaTarget(1 * HOUR, 4 * HOUR),
    (CaseType.INQUIRY, CasePriority.HIGH): SlaTarget(2 * HOUR, 1 * BUSINESS_DAY),
    (CaseType.INQUIRY, CasePriority.NORMAL): SlaTarget(4 * HOUR, 2 * BUSINESS_DAY),
    (CaseType.INQUIRY, CasePriority.LOW): SlaTarget(1 * BUSINESS_DAY, 5 * BUSINESS_DAY),
    (CaseType.BILLING_DISPUTE, CasePriority.URGENT): SlaTarget(1 * HOUR, 2 * BUSINESS_DAY),
    (CaseType.BILLING_DISPUTE, CasePriority.HIGH): SlaTarget(2 * HOUR, 5 * BUSINESS_DAY),
    (CaseType.BILLING_DISPUTE, CasePriority.NORMAL): SlaTarget(4 * HOUR, 10 * BUSINESS_DAY),
    (CaseType.BILLING_DISPUTE, CasePriority.LOW): SlaTarget(1 * BUSINESS_DAY, 15 * BUSINESS_DAY),
    (CaseType.DEMOGRAPHIC_CHANGE, CasePriority.URGENT): SlaTarget(1 * HOUR, 4 * HOUR),
    (CaseType.DEMOGRAPHIC_CHANGE, CasePriority.HIGH): SlaTarget(2 * HOUR, 1 * BUSINESS_DAY),
    (CaseType.DEMOGRAPHIC_CHANGE, CasePriority.NORMAL): SlaTarget(4 * HOUR, 3 * BUSINESS_DAY),
    (CaseType.DEMOGRAPHIC_CHANGE, CasePriority.LOW): SlaTarget(1 * BUSINESS_DAY, 5 * BUSINESS_DAY),
    (CaseType.COMPLAINT, CasePriority.URGENT): SlaTarget(1 * HOUR, 1 * BUSINESS_DAY),
    (CaseType.COMPLAINT, CasePriority.HIGH): SlaTarget(2 * HOUR, 3 * BUSINESS_DAY),
    (CaseType.COMPLAINT, CasePriority.NORMAL): SlaTarget(4 * HOUR, 10 * BUSINESS_DAY),
    (CaseType.COMPLAINT, CasePriority.LOW): SlaTarget(1 * BUSINESS_DAY, 20 * BUSINESS_DAY),
    (CaseType.REFUND_REQUEST, CasePriority.URGENT): SlaTarget(1 * HOUR, 1 * BUSINESS_DAY),
    (CaseType.REFUND_REQUEST, CasePriority.HIGH): SlaTarget(2 * HOUR, 3 * BUSINESS_DAY),
    (CaseType.REFUND_REQUEST, CasePriority.NORMAL): SlaTarget(4 * HOUR, 5 * BUSINESS_DAY),
    (CaseType.REFUND_REQUEST, CasePriority.LOW): SlaTarget(1 * BUSINESS_DAY, 10 * BUSINESS_DAY),
}

DEFAULT_QUEUE_FOR_TYPE: dict[CaseType, str] = {
    CaseType.INQUIRY: "member_services",
    CaseType.BILLING_DISPUTE: "disputes",
    CaseType.DEMOGRAPHIC_CHANGE: "member_services",
    CaseType.COMPLAINT: "member_services",
    CaseType.REFUND_REQUEST: "billing",
}


@dataclass(frozen=True)
class ServicingConfig:
    """The service desk's settings for one carrier.

    ``adjustment_approval_cents``: a dispute credit above this amount waits for a supervisor.
    ``fcr_window``: a later contact on the same subject and account within this window makes
    the earlier one unresolved at first contact. ``survey_valid_for``: how long a survey link
    accepts an answer.
    """

    time_zone: str
    queues: Mapping[str, BusinessHours]
    targets: Mapping[tuple[CaseType, CasePriority], SlaTarget] = field(
        default_factory=lambda: dict(DEFAULT_TARGETS)
    )
    queue_for_type: Mapping[CaseType, str] = field(default_factory=lambda: dict(DEFAULT_QUEUE_FOR_TYPE))
    adjustment_approval_cents: int = 25_000
    fcr_window: timedelta = timedelta(days=7)
    survey_after_resolution: bool = True
    survey_valid_for: timedelta = timedelta(days=30)
    breach_warning_window: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        missing_targets = [
            f"{kind}/{priority}"
            for kind in CaseType
            for priority in CasePriority
            if (kind, priority) not in self.targets
        ]
        if missing_targets:
            raise ValueError("SLA targets missing for " + ", ".join(missing_targets))
        unknown_queues = sorted(set(self.queue_for_type.values()) - set(self.queues))
        if unknown_queues:
            raise ValueError("case types are routed to undefined queues: " + ", ".join(unknown_queues))
        if self.adjustment_approval_cents < 0:
            raise ValueError("the adjustment approval threshold must not be negative")
        if self.fcr_window <= timedelta(0):
            raise ValueError("the first contact resolution window must be positive")

    def hours_of(self, queue: str) -> BusinessHours:
        try:
            return self.queues[queue]
        except KeyError:
            raise ValueError(
                f"queue {queue!r} is not configured; known queues: {', '.join(sorted(self.queues))}"
            ) from None

    def target_for(self, case_type: CaseType, priority: CasePriority) -> SlaTarget:
        return self.targets[(case_type, priority)]


def default_config(time_zone: str) -> ServicingConfig:
    """Three queues working Monday to Friday with federal holidays off, in ``time_zone``."""
    return ServicingConfig(
        time_zone=time_zone,
        queues={
            "member_services": BusinessHours(time_zone, time(8, 0), time(18, 0)),
            "billing": BusinessHours(time_zone, time(9, 0), time(17, 0)),
            "disputes": BusinessHours(time_zone, time(8, 0), time(17, 0)),
        },
    )
