"""Options, statuses and report records of an 834 import (pure: no database, no I/O)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from premia.importers.enrollment.plan_map import PlanMap

# Full TR3 validation runs at a few hundred members per second (pyx12 4.0.0, see the
# benchmarks page), so by default it runs only on files up to this size. Larger files get
# the envelope and structure checks, which always run.
DEFAULT_TR3_MAX_BYTES = 1_000_000
DEFAULT_CHUNK_MEMBERS = 5_000


class ImportStatus(StrEnum):
    """The outcome of a received file.

    ``duplicate`` is reported to the caller and never stored: the first import of the
    interchange keeps its row.
    """

    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class Count(StrEnum):
    """The actions an import report counts."""

    MEMBERS_RECEIVED = "members_received"
    MEMBERS_APPLIED = "members_applied"
    MEMBERS_REJECTED = "members_rejected"
    ADDITIONS = "additions"
    CHANGES = "changes"
    TERMINATIONS = "terminations"
    CANCELLATIONS = "cancellations"
    REINSTATEMENTS = "reinstatements"
    AUDITED = "audited"
    UNCHANGED = "unchanged"
    PERSONS_CREATED = "persons_created"
    PERSONS_UPDATED = "persons_updated"
    ACCOUNTS_CREATED = "accounts_created"
    POLICIES_CREATED = "policies_created"
    SPANS_CREATED = "coverage_spans_created"
    SPANS_CHANGED = "coverage_spans_changed"
    EXCHANGE_AMOUNTS = "exchange_amounts_recorded"
    DISCREPANCIES = "discrepancies"
    RATING_DIFFERENCES = "rating_differences"
    TRANSACTION_SETS_REJECTED = "transaction_sets_rejected"
    WARNINGS = "warnings"


class RejectionScope(StrEnum):
    INTERCHANGE = "interchange"
    TRANSACTION = "transaction"
    MEMBER = "member"


@dataclass(frozen=True)
class ImportOptions:
    """How to run an import.

    ``tr3`` forces full TR3 validation on (True) or off (False); None runs it on files of at
    most ``tr3_max_bytes``. ``commit_every`` commits after about that many members so a large
    file does not hold one transaction open for minutes; None leaves the whole import in the
    caller's transaction. ``as_of`` is the business date of receipt, by default today in the
    carrier's time zone. ``bulk`` lets new family enrollments skip the per-member service
    calls; turning it off gives the same result more slowly. ``resume`` continues an import
    of the same file that stopped before it finished. ``workers`` forks that many processes
    to prepare new families while this one writes (see ``parallel``), for files large
    enough to gain from it. A process that runs other threads must leave it at 0.
    """

    plan_map: PlanMap = field(default_factory=PlanMap)
    tr3: bool | None = None
    tr3_max_bytes: int = DEFAULT_TR3_MAX_BYTES
    commit_every: int | None = None
    chunk_members: int = DEFAULT_CHUNK_MEMBERS
    lenient_isa: bool = False
    as_of: date | None = None
    bulk: bool = True
    resume: bool = False
    workers: int = 0

    def runs_tr3(self, size_bytes: int) -> bool:
        if self.tr3 is not None:
            return self.tr3
        return size_bytes <= self.tr3_max_bytes


@dataclass(frozen=True)
class Rejection:
    """A transaction, member or whole interchange that was not applied, and why.

    ``position`` is the segment (counted from 1 at ISA) where the fault is, and
    ``member_position`` the INS segment of the member it rejects.
    """

    scope: RejectionScope
    code: str
    reason: str
    segment_id: str
    position: int
    element: str | None = None
    hint: str | None = None
    transaction: str | None = None
    member_position: int | None = None
    subscriber_id: str | None = None
    member_name: str | None = None
    maintenance_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _without_none(self.__dict__)


@dataclass(frozen=True)
class ImportWarning:
    """Something applied with a caveat, such as a contact detail that was not stored."""

    code: str
    message: str
    position: int
    element: str | None = None
    member_position: int | None = None
    subscriber_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _without_none(self.__dict__)


@dataclass(frozen=True)
class Discrepancy:
    """A value that differs between an audit or verify 834 and what Premia stores."""

    subscriber_id: str
    field: str
    premia_value: str | None
    file_value: str | None
    member_position: int | None = None
    member_id: str | None = None
    element: str | None = None
    policy_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = _without_none(self.__dict__)
        data["premia_value"] = self.premia_value
        data["file_value"] = self.file_value
        return data


@dataclass(frozen=True)
class RatingDifference:
    """An Exchange amount that differs from Premia's own rating of the same coverage month.

    ``billed`` names whose amount the bill run uses. The Exchange's APTC is always the one
    billed, and the Exchange's premium is billed where it was sent.
    """

    policy_number: str
    amount: str
    coverage_month: str
    exchange_cents: int
    premia_cents: int
    billed: str
    member_id: str | None = None
    member_position: int | None = None

    @property
    def difference_cents(self) -> int:
        return self.exchange_cents - self.premia_cents

    def to_dict(self) -> dict[str, Any]:
        data = _without_none(self.__dict__)
        data["difference_cents"] = self.difference_cents
        return data


@dataclass
class ImportReport:
    """The result of importing one file, as written to the JSON import report."""

    file_name: str
    content_hash: str
    status: ImportStatus
    size_bytes: int = 0
    import_id: int | None = None
    duplicate_of: int | None = None
    sender_qualifier: str | None = None
    sender_id: str | None = None
    control_number: str | None = None
    acknowledgment_code: str | None = None
    tr3: dict[str, Any] = field(default_factory=dict)
    # Worker processes that prepared new families (0 when the import ran in one process).
    workers: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    rating_differences: list[RatingDifference] = field(default_factory=list)

    def count(self, name: Count, amount: int = 1) -> None:
        self.counts[name.value] += amount

    def reject(self, rejection: Rejection) -> None:
        self.rejections.append(rejection)
        if rejection.scope is RejectionScope.MEMBER:
            self.count(Count.MEMBERS_REJECTED)
        elif rejection.scope is RejectionScope.TRANSACTION:
            self.count(Count.TRANSACTION_SETS_REJECTED)

    def warn(self, warning: ImportWarning) -> None:
        self.warnings.append(warning)
        self.count(Count.WARNINGS)

    def add_discrepancy(self, discrepancy: Discrepancy) -> None:
        self.discrepancies.append(discrepancy)
        self.count(Count.DISCREPANCIES)

    def add_rating_difference(self, difference: RatingDifference) -> None:
        self.rating_differences.append(difference)
        self.count(Count.RATING_DIFFERENCES)

    def checkpoint(self) -> tuple[Counter[str], int, int, int]:
        """Return the report's state, so a rejected member's partial counts can be undone."""
        return Counter(self.counts), len(self.warnings), len(self.discrepancies), len(self.rating_differences)

    def restore(self, checkpoint: tuple[Counter[str], int, int, int]) -> None:
        counts, warnings, discrepancies, differences = checkpoint
        self.counts = counts
        del self.warnings[warnings:]
        del self.discrepancies[discrepancies:]
        del self.rating_differences[differences:]

    def restore_from(self, stored: dict[str, Any]) -> None:
        """Continue from a stored report of the same file, written when an earlier run committed."""
        self.counts = Counter({name: value for name, value in (stored.get("counts") or {}).items() if value})
        self.rejections = [
            Rejection(**{**item, "scope": RejectionScope(item["scope"])})
            for item in stored.get("rejections", [])
        ]
        self.warnings = [ImportWarning(**item) for item in stored.get("warnings", [])]
        self.discrepancies = [Discrepancy(**item) for item in stored.get("discrepancies", [])]
        self.rating_differences = [
            RatingDifference(**{key: value for key, value in item.items() if key != "difference_cents"})
            for item in stored.get("rating_differences", [])
        ]

    def counts_dict(self) -> dict[str, int]:
        """Return every count, zero included, in the order of ``Count``."""
        return {name.value: self.counts.get(name.value, 0) for name in Count}

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "content_hash": self.content_hash,
            "size_bytes": self.size_bytes,
            "status": self.status.value,
            "import_id": self.import_id,
            "duplicate_of": self.duplicate_of,
            "sender_qualifier": self.sender_qualifier,
            "sender_id": self.sender_id,
            "control_number": self.control_number,
            "acknowledgment_code": self.acknowledgment_code,
            "tr3": self.tr3,
            "workers": self.workers,
            "counts": self.counts_dict(),
            "rejections": [rejection.to_dict() for rejection in self.rejections],
            "warnings": [warning.to_dict() for warning in self.warnings],
            "discrepancies": [discrepancy.to_dict() for discrepancy in self.discrepancies],
            "rating_differences": [difference.to_dict() for difference in self.rating_differences],
        }


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (value.value if isinstance(value, StrEnum) else value)
        for key, value in values.items()
        if value is not None
    }


class MemberRejected(Exception):
    """A member transaction that cannot be applied; the members beside it are unaffected."""

    def __init__(
        self,
        code: str,
        reason: str,
        *,
        segment_id: str,
        position: int,
        element: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.segment_id = segment_id
        self.position = position
        self.element = element
        self.hint = hint
