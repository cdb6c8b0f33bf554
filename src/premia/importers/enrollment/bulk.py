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
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Dialect, String, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from premia.accounts.tables import Person
from premia.enrollment.model import Market
from premia.enrollment.tables import Policy
from premia.formats.x12 import MaintenanceType, Member834
from premia.importers.enrollment.applier import Applier
from premia.importers.enrollment.bulk_insert import insert_columns
from premia.importers.enrollment.bulk_rows import (
    TABLES,
    BulkWriter,
    NewFamily,
    NewLine,
    NewMember,
    PreparedTable,
    policy_number,
    rebase,
    restamp,
)
from premia.importers.enrollment.coverage_changes import initial_status
from premia.importers.enrollment.families import FamilyKey
from premia.importers.enrollment.intake import MEMBER_ID_LENGTH, MemberIntake, TransactionInfo
from premia.importers.enrollment.model import Count, ImportWarning, MemberRejected, RatingDifference
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
    """Identifiers of one chunk of members: those in use, those claimed, or those to look up."""

    member_ids: set[str] = field(default_factory=set)
    ssn_indexes: set[str] = field(default_factory=set)
    exchange_policy_ids: set[str] = field(default_factory=set)


class FamilyIds(NamedTuple):
    """The identifiers a new family takes: its members' IDs and SSN indexes, its Exchange policy ids."""

    member_ids: tuple[str, ...]
    ssn_indexes: tuple[str, ...]
    exchange_policy_ids: tuple[str, ...]


class BatchSummary(NamedTuple):
    """The counts, warnings and amount comparisons that a written batch of new families adds to the report."""

    counts: list[tuple[Count, int]]
    warnings: list[ImportWarning]
    compared: list[tuple[int | None, list[RatingDifference], ImportWarning | None]]


class PreparedBatch(NamedTuple):
    """New families prepared by another process: their rows with local ids, and their report lines.

    ``first`` and ``end`` bound the member indexes the batch holds. In ``summary.compared``,
    the policy of each comparison is its local id.
    """

    first: int
    end: int
    families: list[FamilyIds]
    tables: list[PreparedTable]
    summary: BatchSummary


class BulkEnrollment:
    """Buffers new families and writes them in bulk; see the module docstring."""

    def __init__(
        self,
        run: ImportRun,
        resolver: PlanResolver,
        applier: Applier,
        *,
        prepare_only: bool = False,
        dialect: Dialect | None = None,
        known_before: Known | None = None,
    ) -> None:
        self.run = run
        # In another process that only prepares rows, nothing touches the database. Employer
        # groups, whose payer may need an account created, are left to the writing process.
        # ``flush`` adds a PreparedBatch to ``prepared``, and ``known_before`` lists the
        # identifiers in use.
        self.prepare_only = prepare_only
        self.known_before = known_before or Known()
        self.prepared: list[PreparedBatch] = []
        self.pending_first = 0
        self.resolver = resolver
        self.applier = applier
        self.known = Known()
        self.claimed = Known()
        self.pending: list[NewFamily] = []
        self.current: NewFamily | None = None
        self.ssn_indexes: dict[int, str] = {}
        self.writer = BulkWriter(run, dialect)
        self.areas: dict[tuple[str, str, str | None], object] = {}

    # Look-ups per chunk -------------------------------------------------------------------

    def prefetch(self, intakes: list[Read]) -> Known:
        """Load which of the chunk's member IDs, SSNs and Exchange policy ids already exist.

        Returns the identifiers looked up, which a process that did not read the members
        passes to ``look_up``.
        """
        cipher = self.run.ctx.cipher
        identifiers = Known()
        ssn_indexes: dict[int, str] = {}
        for intake in intakes:
            if isinstance(intake, MemberRejected) or intake.action is not MaintenanceType.ADDITION:
                continue
            if intake.own_member_id:
                identifiers.member_ids.add(intake.own_member_id)
            if intake.person.ssn:
                ssn_indexes[id(intake)] = cipher.blind_index(intake.person.ssn)
            identifiers.exchange_policy_ids.update(
                line.exchange_policy_id for line in intake.coverages if line.exchange_policy_id
            )
        identifiers.ssn_indexes.update(ssn_indexes.values())
        self.look_up(identifiers, ssn_indexes)
        return identifiers

    def look_up(self, identifiers: Known, ssn_indexes: dict[int, str] | None = None) -> None:
        """Load which of the ``identifiers`` already exist, for the chunk about to be applied.

        ``ssn_indexes`` maps the ``id`` of each intake read for the chunk to the member's SSN
        index. Members read later get theirs in ``_new_member``.
        """
        self.ssn_indexes = ssn_indexes or {}
        if self.prepare_only:
            before = self.known_before
            self.known = Known(
                member_ids=identifiers.member_ids & before.member_ids,
                ssn_indexes=identifiers.ssn_indexes & before.ssn_indexes,
                exchange_policy_ids=identifiers.exchange_policy_ids & before.exchange_policy_ids,
            )
            return
        session = self.run.ctx.session
        self.known = Known(
            member_ids=existing_values(session, Person.member_id, identifiers.member_ids),
            ssn_indexes=existing_values(session, Person.ssn_index, identifiers.ssn_indexes),
            exchange_policy_ids=existing_values(
                session, Policy.exchange_policy_id, identifiers.exchange_policy_ids
            ),
        )

    # Offering members ---------------------------------------------------------------------

    def building(self, subscriber_id: str, *, starts: bool) -> bool:
        """Return whether a member that does not start a family belongs to the family being buffered."""
        family = self.current
        return not starts and family is not None and family.subscriber.intake.subscriber_id == subscriber_id

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
            if self.prepare_only:
                return None
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
        identifiers: list[tuple[NewLine, date | None, date | None]] = []
        if intake.coverages:
            for line in intake.coverages:
                target = by_plan.get(line.plan.plan_id) if line.plan is not None else None
                if target is None or line.maintenance_type is not MaintenanceType.ADDITION:
                    return None
                identifiers.append(
                    (target, line.start or intake.eligibility_start, line.end or intake.eligibility_end)
                )
        else:
            identifiers = [(line, intake.eligibility_start, intake.eligibility_end) for line in family.lines]
        joins = []
        for target, start, end in identifiers:
            begin = max(start or target.start, target.start)
            end = end if end is not None else target.end
            if (target.end is not None and begin > target.end) or (end is not None and end < begin):
                return None
            joins.append((target, begin, end))
        return joins

    def _new_member(self, intake: MemberIntake, member_id: str) -> NewMember | None:
        ssn_index = self.ssn_indexes.get(id(intake))
        if ssn_index is None and intake.person.ssn:
            # A member read after the chunk's prefetch (by the writing process, for a member
            # another process prepared nothing for).
            ssn_index = self.run.ctx.cipher.blind_index(intake.person.ssn)
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
        if self.prepare_only:
            self._prepare(families)
            return
        run = self.run
        try:
            with run.ctx.session.begin_nested():
                self.writer.write(families)
        except (StatementError, DomainError) as error:
            self._replay_failed(families, error)
            return
        self._add_to_report(self._summary(families))

    def _prepare(self, families: list[NewFamily]) -> None:
        tables = self.writer.prepare(families)
        ids = [
            FamilyIds(
                tuple(member.member_id for member in family.members()),
                tuple(member.ssn_index for member in family.members() if member.ssn_index is not None),
                tuple(line.line.exchange_policy_id for line in family.lines if line.line.exchange_policy_id),
            )
            for family in families
        ]
        end = self.pending_first + sum(len(family.members()) for family in families)
        self.prepared.append(PreparedBatch(self.pending_first, end, ids, tables, self._summary(families)))

    def accepts(self, batch: PreparedBatch) -> bool:
        """Claim the identifiers of a prepared batch, or return False if one is in use or claimed.

        The writing process checks here what the preparing process could not see: the rows
        other processes and the per-member path wrote, and the identifiers they claimed.
        """
        member_ids = [member_id for family in batch.families for member_id in family.member_ids]
        ssn_indexes = [index for family in batch.families for index in family.ssn_indexes]
        policy_ids = [policy_id for family in batch.families for policy_id in family.exchange_policy_ids]
        known, claimed = self.known, self.claimed
        if (
            _taken_or_repeated(member_ids, known.member_ids, claimed.member_ids)
            or _taken_or_repeated(ssn_indexes, known.ssn_indexes, claimed.ssn_indexes)
            or _taken_or_repeated(policy_ids, known.exchange_policy_ids, claimed.exchange_policy_ids)
        ):
            return False
        claimed.member_ids.update(member_ids)
        claimed.ssn_indexes.update(ssn_indexes)
        claimed.exchange_policy_ids.update(policy_ids)
        return True

    def write_prepared(self, batch: PreparedBatch) -> bool:
        """Insert a batch another process prepared (and ``accepts`` claimed), with its final ids.

        Returns False when the insert fails. Nothing is written then, the batch's member IDs
        are no longer claimed, and the caller applies the batch's members one by one, as a
        failed batch of this process's own is applied.
        """
        self.flush()
        session = self.run.ctx.session
        try:
            with session.begin_nested():
                restamp(batch.tables, self.writer.dialect, self.run.ctx.now())
                final: dict[str, list[int]] = {}
                connection = session.connection()
                for table in batch.tables:
                    rebase(table, final, self.writer.new_ids)
                    insert_columns(connection, TABLES[table.name], table.columns, table.values_by_column)
        except (StatementError, DomainError) as error:
            log.warning(
                "insert of %d prepared families failed (%s); applying them member by member",
                len(batch.families),
                type(error).__name__,
                extra={"import_id": self.run.import_id},
            )
            self.run.payers.forget()
            # As ``_replay`` does for a batch of this process's own, only the member IDs are
            # given back: the caller applies the members one by one under those IDs.
            for family in batch.families:
                self.claimed.member_ids.difference_update(family.member_ids)
            return False
        policies = final.get("policies", [])
        compared = []
        for local, differences, warning in batch.summary.compared:
            policy_id = policies[local] if local is not None else None
            if policy_id is not None:
                differences, warning = renumbered(differences, warning, policy_number(policy_id))
            compared.append((policy_id, differences, warning))
        self._add_to_report(batch.summary._replace(compared=compared))
        return True

    def _replay_failed(self, families: list[NewFamily], error: Exception) -> None:
        log.warning(
            "bulk insert of %d families failed (%s); applying them member by member",
            len(families),
            type(error).__name__,
            extra={"import_id": self.run.import_id},
        )
        self.run.payers.forget()
        self._replay(families)

    def _replay(self, families: list[NewFamily]) -> None:
        for family in families:
            for member in family.members():
                self.claimed.member_ids.discard(member.member_id)
                key = FamilyKey(family.subscriber.member_id, None, member is family.subscriber)
                self.applier.start_family(key)
                self.applier.apply(member.intake.member, member.intake.transaction, member.intake)
        self.applier.finish_family()

    def _summary(self, families: list[NewFamily]) -> BatchSummary:
        """Sum the families' counts (a chunk is thousands of families) and compare their amounts."""
        members = policies = spans = accounts = amounts = 0
        warnings: list[ImportWarning] = []
        for family in families:
            members += 1 + len(family.dependents)
            policies += len(family.lines)
            spans += len(family.lines) + sum(len(member.joins) for member in family.dependents)
            accounts += family.account_created
            amounts += family.amounts_recorded
            warnings.extend(family.warnings)
            for member in family.members():
                warnings.extend(member.intake.warnings)
        counts = [
            (count, members)
            for count in (
                Count.MEMBERS_RECEIVED,
                Count.MEMBERS_APPLIED,
                Count.ADDITIONS,
                Count.PERSONS_CREATED,
            )
        ]
        counts += [(Count.POLICIES_CREATED, policies), (Count.SPANS_CREATED, spans)]
        if accounts:
            counts.append((Count.ACCOUNTS_CREATED, accounts))
        counts.append((Count.EXCHANGE_AMOUNTS, amounts))
        return BatchSummary(counts, warnings, self._compare_amounts(families))

    def _add_to_report(self, summary: BatchSummary) -> None:
        report = self.run.report
        for count, value in summary.counts:
            report.count(count, value)
        for warning in summary.warnings:
            report.warn(warning)
        for _, differences, warning in summary.compared:
            for difference in differences:
                report.add_rating_difference(difference)
            if warning is not None:
                report.warn(warning)

    def _compare_amounts(
        self, families: list[NewFamily]
    ) -> list[tuple[int | None, list[RatingDifference], ImportWarning | None]]:
        """Compare each policy's Exchange amounts with Premia's rating, returning each result with its policy's id."""
        compared = []
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
                compared.append((line.policy_id, differences, warning))
        return compared


def _taken_or_repeated(values: list[str], known: set[str], claimed: set[str]) -> bool:
    """Return True if one of ``values`` is in use, claimed, or given twice."""
    unique = set(values)
    return len(unique) < len(values) or not unique.isdisjoint(known) or not unique.isdisjoint(claimed)


def renumbered(
    differences: list[RatingDifference], warning: ImportWarning | None, number: str
) -> tuple[list[RatingDifference], ImportWarning | None]:
    """Give a prepared policy's comparison the policy number it was inserted with."""
    if warning is not None and warning.message.startswith("Policy "):
        # RatingCheck opens the message with "Policy <number>'s", and a number has no apostrophe.
        rest = warning.message[warning.message.index("'s ") :]
        warning = replace(warning, message=f"Policy {number}{rest}")
    return [replace(difference, policy_number=number) for difference in differences], warning


def existing_values(session: Session, column: Any, values: set[str]) -> set[str]:
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
