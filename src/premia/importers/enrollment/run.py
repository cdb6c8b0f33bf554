"""State shared by every member of one import: the context, the report and the caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from premia.accounts.tables import Person
from premia.enrollment.tables import Policy
from premia.importers.enrollment.intake import CoverageLine, MemberIntake
from premia.importers.enrollment.model import Count, ImportReport, Rejection
from premia.importers.enrollment.payers import Payers
from premia.infra.context import ServiceContext
from premia.lifecycle.refunds import expect_refunds
from premia.lifecycle.tables import PolicyChange
from premia.rating.catalog import Catalog

SOURCE = "834"


class Outcome(NamedTuple):
    """The count a member's transaction adds to, and the member ID of the person it concerned."""

    count: Count
    member_id: str


@dataclass
class ImportRun:
    """One import in progress. ``import_id`` is the ``import_files`` row the changes cite."""

    ctx: ServiceContext
    report: ImportReport
    catalog: Catalog
    payers: Payers
    as_of: date
    import_id: int
    # Lifecycle changes recorded for the Exchange's terminations, whose credit is quoted in
    # one load per commit rather than one per change.
    unquoted_changes: list[PolicyChange] = field(default_factory=list)

    def quote_changes(self) -> None:
        """Quote the credit of the lifecycle changes recorded since the last call."""
        # A member rejected after its change was recorded rolled the change back with it.
        recorded = [change for change in self.unquoted_changes if change in self.ctx.session]
        self.unquoted_changes = []
        expect_refunds(self.ctx, self.catalog, recorded)

    def source_reference(self, intake: MemberIntake) -> str:
        """Return where a change came from, for person history and coverage events."""
        return f"834 import {self.import_id}, INS at segment {intake.position}"


@dataclass
class Family:
    """A subscriber and the dependents that follow them in one transaction set.

    Dependents without coverage lines of their own join the policies their subscriber was
    enrolled in by the same file. ``rejection`` is set when the subscriber's own loop was
    rejected, which leaves a new dependent nothing to join. ``priced`` lists, per policy, the
    members whose loops carried Exchange amounts, compared with Premia's rating once the
    whole family is applied.
    """

    subscriber_id: str
    subscriber: Person | None = None
    enrolled: list[tuple[CoverageLine, Policy]] = field(default_factory=list)
    rejection: Rejection | None = None
    priced: dict[int, list[tuple[Person, MemberIntake]]] = field(default_factory=dict)

    def price(self, policy: Policy, person: Person, intake: MemberIntake) -> None:
        """Remember that ``intake`` sent Exchange amounts for ``policy``, to compare after the family."""
        if intake.has_amounts:
            self.priced.setdefault(policy.id, []).append((person, intake))
