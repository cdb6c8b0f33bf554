"""The bulk path for new family enrollments: check everything in Python, then insert in bulk.

Most members of a large 834 are new families: a new subscriber (INS03 021) enrolling in
one or more plans, with new dependents. For those, every check the services would make can
be made before writing (the person's values, the plan, the rating area, the payer), and
the look-ups that decide "new" are made for a whole chunk of members in three queries.
A family that passes is buffered. ``flush`` then writes every buffered family inside one
savepoint, with one multi-row insert per table: persons, history, accounts, policies,
spans, events, Exchange amounts, and one audit row per member.

Anything else (a change, a known person, an invalid value) takes the per-member path in
``applier``. So does a whole buffered batch whose insert fails, for example because a
member ID was taken in the meantime: its savepoint is rolled back and its members are
applied one at a time, where the member at fault is rejected alone.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from premia.accounts.tables import Person
from premia.enrollment.model import Market
from premia.enrollment.tables import Policy
from premia.formats.x12 import MaintenanceType, Member834
from premia.importers.enrollment.applier import Applier
from premia.importers.enrollment.bulk_rows import BulkWriter, NewFamily, NewLine, NewMember
from premia.importers.enrollment.coverage_changes import initial_status
from premia.importers.enrollment.families import FamilyKey
from premia.importers.enrollment.intake import MEMBER_ID_LENGTH, MemberIntake, TransactionInfo
from premia.importers.enrollment.model import Count, ImportWarning, MemberRejected
from premia.importers.enrollment.plans import PlanResolver
from premia.importers.enrollment.rating_check import PolicyAmounts, RatedMember
from premia.importers.enrollment.run import ImportRun
from premia.kernel.errors import DomainError
from premia.rating.model import Market as PlanMarket

log = logging.getLogger(__name__)

Read = MemberIntake | MemberRejected
MISSING = object()


@dataclass
class Known:
    """The identifiers of one chunk of members that are already in use."""

    member_ids: set[str] = field(default_factory=set)
    ssn_indexes: set[str] = field(default_factory=set)
    exchange_policy_ids: set[str] = field(default_factory=set)


class BulkEnrollment:
    """Buffers new families and writes them in bulk; see the module docstring."""

    def __init__(self, run: ImportRun, resolver: PlanResolver, applier: Applier) -> None:
        self.run = run
        self.resolver = resolver
        self.applier = applier
        self.known = Known()
        self.claimed = Known()
        self.pending: list[NewFamily] = []
        self.current: NewFamily | None = None
        self.ssn_indexes: dict[int, str] = {}
        self.writer = BulkWriter(run)
        self.areas: dict[tuple[str, str, str | None], object] = {}

    # Look-ups per chunk -------------------------------------------------------------------

    def prefetch(self, intakes: list[Read]) -> None:
        """Load which of the chunk's member IDs, SSNs and Exchange policy ids already exist."""
        session = self.run.ctx.session
        cipher = self.run.ctx.cipher
        member_ids: set[str] = set()
        exchange_ids: set[str] = set()
        self.ssn_indexes = {}
        for intake in intakes:
            if isinstance(intake, MemberRejected) or intake.action is not MaintenanceType.ADDITION:
                continue
            if intake.own_member_id:
                member_ids.add(intake.own_member_id)
            if intake.person.ssn:
                self.ssn_indexes[id(intake)] = cipher.blind_index(intake.person.ssn)
            exchange_ids.update(
                line.exchange_policy_id for line in intake.coverages if line.exchange_policy_id
            )
        self.known = Known(
            member_ids=_existing(session, Person.member_id, member_ids),
            ssn_indexes=_existing(session, Person.ssn_index, set(self.ssn_indexes.values())),
            exchange_policy_ids=_existing(session, Policy.exchange_policy_id, exchange_ids),
        )

    # Offering members ---------------------------------------------------------------------

    def offer(self, member: Member834, info: TransactionInfo, intake: Read, *, starts: bool) -> bool:
        """Buffer ``member`` when it belongs to a new family the bulk path can write; else False.

        ``starts`` is True when the member starts a family, which a dependent does when its
        subscriber's loop was not sent.
        """
        if (
            isinstance(intake, MemberRejected)
            or intake.action is not MaintenanceType.ADDITION
            or info.is_full_file
            or (starts and not member.is_subscriber)
        ):
            self.current = None
            return False
        if member.is_subscriber:
            family = self._new_family(intake)
            self.current = family
            if family is None:
                return False
            self.pending.append(family)
            return True
        family = self.current
        if family is None or family.subscriber.intake.subscriber_id != intake.subscriber_id:
            return False
        dependent = self._new_dependent(intake, family)
        if dependent is None:
            self.current = None
            return False
        family.dependents.append(dependent)
        return True

    def _new_family(self, intake: MemberIntake) -> NewFamily | None:
        subscriber_id = intake.subscriber_id
        if not intake.coverages or self._taken(subscriber_id):
            return None
        person = self._new_member(intake, subscriber_id)
        if person is None:
            return None
        warnings: list[ImportWarning] = []
        lines: list[NewLine] = []
        plans: set[str] = set()
        for line in intake.coverages:
            if (
                line.maintenance_type is not MaintenanceType.ADDITION
                or line.plan is None
                or line.start is None
                or (line.end is not None and line.end <= line.start)
                or line.plan.plan_id in plans
                or (line.exchange_policy_id and self._policy_taken(line.exchange_policy_id))
            ):
                return None
            plans.add(line.plan.plan_id)
            new_line = self._payer_and_area(intake, line.plan.plan.market, warnings)
            if new_line is None:
                return None
            market, area, group_id, account_id = new_line
            lines.append(
                NewLine(
                    line, line.start, line.end, market, area, group_id, account_id, initial_status(market)
                )
            )
        self._claim(person)
        for new_line in lines:
            if new_line.line.exchange_policy_id:
                self.claimed.exchange_policy_ids.add(new_line.line.exchange_policy_id)
        return NewFamily(person, lines, [], warnings)

    def _payer_and_area(
        self, intake: MemberIntake, market: PlanMarket, warnings: list[ImportWarning]
    ) -> tuple[Market, str, int | None, int | None] | None:
        payers = self.run.payers
        try:
            if market is PlanMarket.INDIVIDUAL:
                area = self._residence_area(intake)
                return (Market.INDIVIDUAL, area, None, None) if area else None
            group = payers.employer_group(intake)
            account = payers.group_account(group, intake, warnings)
            return Market(market.value), payers.group_rating_area(group, intake), group.id, account.id
        except (MemberRejected, DomainError):
            return None

    def _residence_area(self, intake: MemberIntake) -> str | None:
        residence = intake.person.residence
        if residence is None or residence.state is None or residence.zip_code is None:
            return None
        key = (residence.state, residence.zip_code[:5], intake.county)
        area_id = self.areas.get(key, MISSING)
        if area_id is MISSING:
            # The catalog's result depends only on the state, ZIP and county, and most
            # families of a file share a few of them.
            try:
                area_id = self.run.catalog.find_area(key[0], zip_code=key[1], county=key[2]).area_id
            except DomainError:
                area_id = None
            self.areas[key] = area_id
        if area_id is not None:
            return area_id  # type: ignore[return-value]
        exchange_area = intake.amounts.rating_area
        if exchange_area and any(area.area_id == exchange_area for area in self.run.catalog.rating_areas):
            return exchange_area
        return None

    def _new_dependent(self, intake: MemberIntake, family: NewFamily) -> NewMember | None:
        if intake.own_member_id:
            member_id = intake.own_member_id
        else:
            member_id = f"{family.subscriber.member_id}-{family.next_suffix():02d}"
            if len(member_id) > MEMBER_ID_LENGTH:
                return None
        if self._taken(member_id):
            return None
        dependent = self._new_member(intake, member_id)
        if dependent is None:
            return None
        joins = self._joins(intake, family)
        if joins is None:
            return None
        dependent.joins = joins
        self._claim(dependent)
        return dependent

    def _joins(
        self, intake: MemberIntake, family: NewFamily
    ) -> list[tuple[NewLine, date, date | None]] | None:
        """Return the subscriber's lines a dependent joins, with the dependent's dates on each."""
        by_plan = {line.line.plan.plan_id: line for line in family.lines if line.line.plan is not None}
        wanted: list[tuple[NewLine, date | None, date | None]] = []
        if intake.coverages:
            for line in intake.coverages:
                target = by_plan.get(line.plan.plan_id) if line.plan is not None else None
                if target is None or line.maintenance_type is not MaintenanceType.ADDITION:
                    return None
                wanted.append(
                    (target, line.start or intake.eligibility_start, line.end or intake.eligibility_end)
                )
        else:
            wanted = [(line, intake.eligibility_start, intake.eligibility_end) for line in family.lines]
        joins = []
        for target, start, end in wanted:
            begin = max(start or target.start, target.start)
            end = end if end is not None else target.end
            if (target.end is not None and begin > target.end) or (end is not None and end < begin):
                return None
            joins.append((target, begin, end))
        return joins

    def _new_member(self, intake: MemberIntake, member_id: str) -> NewMember | None:
        ssn_index = self.ssn_indexes.get(id(intake))
        if ssn_index is not None and (
            ssn_index in self.known.ssn_indexes or ssn_index in self.claimed.ssn_indexes
        ):
            return None
        try:
            person = intake.person.person_input(member_id, intake.member.name.position)
        except MemberRejected:
            return None
        return NewMember(intake, member_id, person, ssn_index, self.run.source_reference(intake))

    def _taken(self, member_id: str) -> bool:
        return member_id in self.known.member_ids or member_id in self.claimed.member_ids

    def _policy_taken(self, exchange_policy_id: str) -> bool:
        return (
            exchange_policy_id in self.known.exchange_policy_ids
            or exchange_policy_id in self.claimed.exchange_policy_ids
        )

    def _claim(self, member: NewMember) -> None:
        self.claimed.member_ids.add(member.member_id)
        if member.ssn_index is not None:
            self.claimed.ssn_indexes.add(member.ssn_index)

    # Writing ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the buffered families in one savepoint, or apply them one by one if that fails."""
        families = self.pending
        self.pending = []
        self.current = None
        if not families:
            return
        run = self.run
        try:
            with run.ctx.session.begin_nested():
                self.writer.write(families)
        except (StatementError, DomainError) as error:
            log.warning(
                "bulk insert of %d families failed (%s); applying them member by member",
                len(families),
                type(error).__name__,
                extra={"import_id": run.import_id},
            )
            run.payers.forget()
            self._replay(families)
            return
        self._count(families)
        self._compare_amounts(families)

    def _replay(self, families: list[NewFamily]) -> None:
        for family in families:
            for member in family.members():
                self.claimed.member_ids.discard(member.member_id)
                key = FamilyKey(family.subscriber.member_id, None, member is family.subscriber)
                self.applier.start_family(key)
                self.applier.apply(member.intake.member, member.intake.transaction, member.intake)
        self.applier.finish_family()

    def _count(self, families: list[NewFamily]) -> None:
        """Add the families' counts to the report (summed first, since a chunk is thousands of families)."""
        report = self.run.report
        members = policies = spans = accounts = amounts = 0
        for family in families:
            members += 1 + len(family.dependents)
            policies += len(family.lines)
            spans += len(family.lines) + sum(len(member.joins) for member in family.dependents)
            accounts += family.account_created
            amounts += family.amounts_recorded
            for warning in family.warnings:
                report.warn(warning)
            for member in family.members():
                for warning in member.intake.warnings:
                    report.warn(warning)
        for count in (Count.MEMBERS_RECEIVED, Count.MEMBERS_APPLIED, Count.ADDITIONS, Count.PERSONS_CREATED):
            report.count(count, members)
        report.count(Count.POLICIES_CREATED, policies)
        report.count(Count.SPANS_CREATED, spans)
        if accounts:
            report.count(Count.ACCOUNTS_CREATED, accounts)
        report.count(Count.EXCHANGE_AMOUNTS, amounts)

    def _compare_amounts(self, families: list[NewFamily]) -> None:
        report = self.run.report
        rating = self.applier.rating
        for family in families:
            if not any(member.intake.has_amounts for member in family.members()):
                continue
            totals = next(member.intake for member in family.members() if member.intake.has_amounts)
            for line in family.lines:
                effective = totals.amounts_effective or line.start
                members = [_rated(family.subscriber, line.start, line.end, effective)]
                members += [
                    _rated(dependent, start, end, effective)
                    for dependent in family.dependents
                    for target, start, end in dependent.joins
                    if target is line
                ]
                covered = tuple(member for member in members if member is not None)
                if not covered or line.policy_number is None:
                    continue
                differences, warning = rating.compare(
                    PolicyAmounts(
                        policy_number=line.policy_number,
                        plan_id=line.line.plan.plan_id if line.line.plan else "",
                        area_id=line.area,
                        effective_date=line.start,
                        effective=effective,
                        members=covered,
                        premium_total_cents=totals.amounts.premium_total_cents,
                        aptc_cents=totals.amounts.aptc_cents,
                        responsibility_cents=totals.amounts.responsibility_cents,
                        position=totals.position,
                    )
                )
                for difference in differences:
                    report.add_rating_difference(difference)
                if warning is not None:
                    report.warn(warning)


def _existing(session: Session, column: Any, values: set[str]) -> set[str]:
    """Return which of ``values`` ``column`` already holds.

    The values go in one parameter: an array on PostgreSQL, a JSON array that
    ``json_each`` unpacks on SQLite. An IN list of a chunk's thousands of parameters took
    psycopg about 20 ms per query to prepare, and SQLAlchemy more than half that again to
    compile (profiled on PostgreSQL, 20,000 members).
    """
    if not values:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        condition = column == any_(bindparam("values", list(values), type_=ARRAY(String)))
    else:
        listed = func.json_each(bindparam("values", json.dumps(list(values)), type_=String))
        condition = column.in_(select(literal_column("value")).select_from(listed))
    return set(session.scalars(select(column).where(condition)))


def _rated(member: NewMember, start: date, end: date | None, effective: date) -> RatedMember | None:
    if start > effective or (end is not None and end < effective):
        return None
    intake = member.intake
    return RatedMember(
        member_id=member.member_id,
        birth_date=member.person.birth_date,
        relationship=intake.relationship.value,
        tobacco=False,
        aptc_eligible=True,
        coverage_start=start,
        exchange_premium_cents=intake.amounts.premium_cents,
        position=intake.position,
    )
