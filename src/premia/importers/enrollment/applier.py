"""Apply the members of accepted 834 transaction sets, each inside its own savepoint.

Members are applied in file order, a family (a subscriber and the dependents that follow
with the same REF*0F) at a time. A member whose values fail a check, or whose change a
service rejects, is rolled back to its savepoint and reported, and the members beside it
are kept. New families skip the savepoints and the per-member service calls through the bulk
path (see ``bulk``), which checks everything before it writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sqlalchemy.exc import StatementError

from premia.accounts.tables import Person
from premia.audit import service as audit
from premia.enrollment import service as enrollment
from premia.enrollment.tables import Policy
from premia.formats.x12 import MaintenanceType, Member834, RejectedMember
from premia.importers.enrollment.comparison import compare_member
from premia.importers.enrollment.families import FamilyKey
from premia.importers.enrollment.identity import subscriber_of
from premia.importers.enrollment.intake import (
    MemberIntake,
    TransactionInfo,
    member_rejection,
    read_member,
    reader_rejection,
)
from premia.importers.enrollment.maintenance import (
    apply_addition,
    apply_change,
    apply_reinstatement,
    apply_termination,
)
from premia.importers.enrollment.model import Count, MemberRejected
from premia.importers.enrollment.plans import PlanResolver
from premia.importers.enrollment.rating_check import PolicyAmounts, RatedMember, RatingCheck
from premia.importers.enrollment.run import Family, ImportRun, Outcome
from premia.kernel.errors import DomainError

log = logging.getLogger(__name__)

Handler = Callable[[ImportRun, MemberIntake, Family], Outcome]
HANDLERS: dict[MaintenanceType, Handler] = {
    MaintenanceType.ADDITION: apply_addition,
    MaintenanceType.CHANGE: apply_change,
    MaintenanceType.CANCELLATION_OR_TERMINATION: apply_termination,
    MaintenanceType.REINSTATEMENT: apply_reinstatement,
}
# Service errors name a field of Premia's model; the report names the 834 element instead.
FIELD_ELEMENTS = {
    "first_name": "NM104",
    "last_name": "NM103",
    "middle_name": "NM105",
    "birth_date": "DMG02",
    "sex": "DMG03",
    "email": "PER04",
    "phone": "PER04",
    "start_date": "DTP03",
    "end_date": "DTP03",
    "exchange_policy_id": "REF02",
}


class Applier:
    """Applies members one family at a time and calls ``checkpoint`` between families."""

    def __init__(self, run: ImportRun, resolver: PlanResolver, *, as_of: date) -> None:
        self.run = run
        self.resolver = resolver
        self.as_of = as_of
        self.rating = RatingCheck(run.catalog)
        self.family: Family | None = None

    # Families -------------------------------------------------------------------------

    def start_family(self, key: FamilyKey) -> None:
        """Start the family ``key`` names, finishing the previous one, unless it is already current."""
        if self.family is not None and not key.starts and self.family.subscriber_id == key.subscriber_id:
            return
        self.finish_family()
        self.family = Family(key.subscriber_id)

    def finish_family(self) -> None:
        """Compare the finished family's Exchange amounts with Premia's rating."""
        family = self.family
        self.family = None
        if family is None or not family.priced:
            return
        for policy_id, priced in family.priced.items():
            self._compare_amounts(policy_id, priced)

    # One member -----------------------------------------------------------------------

    def read(
        self, member: Member834 | RejectedMember, info: TransactionInfo, key: FamilyKey
    ) -> MemberIntake | MemberRejected:
        """Check and normalize ``member``, returning the rejection instead of raising it.

        A loop the 834 reader rejected is rejected here with the reader's findings.
        """
        if isinstance(member, RejectedMember):
            return reader_rejection(member)
        try:
            return read_member(
                member,
                info,
                self.resolver,
                self.as_of,
                subscriber_id=key.subscriber_id,
                member_reference=key.member_reference,
            )
        except MemberRejected as error:
            return error

    def apply(
        self, member: Member834 | RejectedMember, info: TransactionInfo, intake: MemberIntake | MemberRejected
    ) -> None:
        """Apply one member, read with ``read``, in a savepoint; a rejection rolls back only this member."""
        run = self.run
        report = run.report
        family = self.family
        assert family is not None
        report.count(Count.MEMBERS_RECEIVED)
        if isinstance(intake, MemberRejected):
            self._reject(member, info, family, intake)
            return

        checkpoint = report.checkpoint()
        try:
            with run.ctx.session.begin_nested():
                outcome = self._handler(intake)(run, intake, family)
                self._audit(intake, outcome)
        except (MemberRejected, DomainError, StatementError) as error:
            report.restore(checkpoint)
            run.payers.forget()
            self._reject(member, info, family, _as_rejection(intake, error))
            return

        report.count(outcome.count)
        report.count(Count.MEMBERS_APPLIED)
        for warning in intake.warnings:
            report.warn(warning)

    def _handler(self, intake: MemberIntake) -> Handler:
        if intake.transaction.is_full_file or intake.action is MaintenanceType.AUDIT_OR_COMPARE:
            return _compare
        if intake.action is MaintenanceType.EMPLOYEE_INFORMATION_NOT_APPLICABLE:
            return _subscriber_context
        return HANDLERS[intake.action]

    def _reject(
        self, member: Member834 | RejectedMember, info: TransactionInfo, family: Family, error: MemberRejected
    ) -> None:
        rejection = member_rejection(member, info, error)
        self.run.report.reject(rejection)
        log.info(
            "834 member rejected",
            extra={"import_id": self.run.import_id, "position": member.position, "code": error.code},
        )
        if member.is_subscriber:
            family.subscriber = None
            family.enrolled.clear()
            family.priced.clear()
            family.rejection = rejection

    def _audit(self, intake: MemberIntake, outcome: Outcome) -> None:
        audit.record(
            self.run.ctx,
            action="import_834",
            record_type="person",
            record_id=outcome.member_id,
            detail={
                "import_id": self.run.import_id,
                "segment": intake.position,
                "outcome": outcome.count.value,
            },
        )

    # Rating comparison ------------------------------------------------------------------

    def _compare_amounts(self, policy_id: int, priced: list[tuple[Person, MemberIntake]]) -> None:
        run = self.run
        policy = run.ctx.session.get(Policy, policy_id)
        if policy is None:
            return
        sent = {person.id: intake for person, intake in priced}
        effective = next(
            (intake.amounts_effective for _, intake in priced if intake.amounts_effective is not None),
            policy.effective_date,
        )
        members = []
        for span, person in enrollment.members_of(run.ctx, policy):
            if span.start_date > effective or (span.end_date is not None and span.end_date < effective):
                continue
            intake = sent.get(person.id)
            members.append(
                RatedMember(
                    member_id=person.member_id,
                    birth_date=person.birth_date,
                    relationship=span.relationship,
                    tobacco=span.tobacco,
                    aptc_eligible=span.aptc_eligible,
                    coverage_start=span.start_date,
                    exchange_premium_cents=intake.amounts.premium_cents if intake else None,
                    position=intake.position if intake else None,
                )
            )
        if not members:
            return
        subscriber_intake = next((intake for _, intake in priced if intake.is_subscriber), priced[0][1])
        totals = subscriber_intake.amounts
        differences, warning = self.rating.compare(
            PolicyAmounts(
                policy_number=policy.policy_number,
                plan_id=policy.plan_id,
                area_id=policy.rating_area,
                effective_date=policy.effective_date,
                effective=effective,
                members=tuple(members),
                premium_total_cents=totals.premium_total_cents,
                aptc_cents=totals.aptc_cents,
                responsibility_cents=totals.responsibility_cents,
                position=subscriber_intake.position,
            )
        )
        for difference in differences:
            run.report.add_rating_difference(difference)
        if warning is not None:
            run.report.warn(warning)


def _compare(run: ImportRun, intake: MemberIntake, family: Family) -> Outcome:
    return compare_member(run, intake)


def _subscriber_context(run: ImportRun, intake: MemberIntake, family: Family) -> Outcome:
    """INS03 032: the subscriber's loop is sent only as the context of dependent changes."""
    family.subscriber = subscriber_of(run.ctx, intake)
    return Outcome(Count.UNCHANGED, family.subscriber.member_id)


def _as_rejection(intake: MemberIntake, error: Exception) -> MemberRejected:
    if isinstance(error, MemberRejected):
        return error
    if isinstance(error, DomainError):
        return MemberRejected(
            error.code,
            error.message,
            segment_id="INS",
            position=intake.position,
            element=FIELD_ELEMENTS.get(error.field or ""),
            hint=error.hint,
        )
    assert isinstance(error, StatementError)
    return MemberRejected(
        "enrollment.not_stored",
        f"The database refused the member's data: {getattr(error, 'orig', error)}",
        segment_id="INS",
        position=intake.position,
        hint="Check the member's values against the lengths and formats Premia stores.",
    )
