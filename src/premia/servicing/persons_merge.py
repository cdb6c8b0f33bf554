"""Merging a duplicate person into the surviving one.

A merge moves everything that is about the human being (cases, contacts, authorities,
claims, exchange change reports, coverage spans, the subscriber role and the accounts
they hold) from the duplicate to the survivor, then marks the duplicate as merged. The
duplicate is never deleted: its member ID still resolves to the survivor and its
demographic history stays readable with its original sources.

Issued invoice lines and journal lines keep the duplicate's id, because posted records are
never edited. Paid-through dates and aging read coverage months and policies, which a merge
leaves as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from premia.accounts.person_service import find_person
from premia.accounts.tables import BillingAccount, Person, PersonHistory
from premia.audit import service as audit
from premia.enrollment.tables import CoverageEvent, CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, ValidationError
from premia.servicing.tables import (
    AuthorizedParty,
    ClaimRecord,
    Contact,
    ExchangeChangeReport,
    PersonMerge,
    ServiceCase,
)
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class MergeResult:
    source_member_id: str
    target_member_id: str
    moved: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def merge_persons(
    ctx: ServiceContext, *, source_member_id: str, target_member_id: str, reason: str
) -> MergeResult:
    """Merge the person ``source_member_id`` into ``target_member_id``, which survives."""
    ctx.require(Permission.MEMBER_WRITE)
    ctx.require(Permission.POLICIES_CHANGE)
    source = find_person(ctx, source_member_id)
    target = find_person(ctx, target_member_id)
    record = f"merge of person {source.member_id} into {target.member_id}"
    if source.id == target.id:
        raise ValidationError(
            code="person.merge_into_self",
            message=f"Person {source.member_id} cannot be merged into itself.",
            record=f"person {source.member_id}",
            field="target_member_id",
            value=target.member_id,
            hint="Give the member ID of the duplicate as the source and the surviving record as the target.",
        )
    for person, role in ((source, "source"), (target, "target")):
        if person.merged_into_id is not None:
            raise ConflictError(
                code="person.already_merged",
                message=(
                    f"Person {person.member_id} was already merged into another person and cannot be the "
                    f"{role} of a merge."
                ),
                record=record,
                field=f"{role}_member_id",
                value=person.member_id,
                hint="Use the surviving person's member ID.",
            )
    if not (reason or "").strip():
        raise ValidationError(
            code="person.merge_reason_missing",
            message=f"{record}: give the reason.",
            record=record,
            field="reason",
        )
    _lock_in_id_order(ctx, source, target)
    _reject_overlapping_coverage(ctx, source, target, record=record)
    _reject_second_account(ctx, source, target, record=record)

    moved = {
        "cases": _repoint(ctx, ServiceCase.__table__.c.person_id, source, target),
        "contacts": _repoint(ctx, Contact.__table__.c.person_id, source, target),
        "verified_contacts": _repoint(ctx, Contact.__table__.c.verified_person_id, source, target),
        "authorized_parties": _repoint(ctx, AuthorizedParty.__table__.c.person_id, source, target),
        "claims": _repoint(ctx, ClaimRecord.__table__.c.person_id, source, target),
        "exchange_change_reports": _repoint(ctx, ExchangeChangeReport.__table__.c.person_id, source, target),
        "coverage_spans": _move_coverage(ctx, source, target, reason=reason.strip()),
        "subscribed_policies": _move_subscriber_role(ctx, source, target),
        "billing_accounts": _move_accounts(ctx, source, target),
        "earlier_merges": _move_earlier_merges(ctx, source, target),
    }
    # The bulk updates above bypass the session, so loaded rows must be read again.
    ctx.session.expire_all()
    source = find_person(ctx, source_member_id)
    target = find_person(ctx, target_member_id)

    now = ctx.now()
    source.merged_into_id = target.id
    source.updated_at = now
    for person, field, other in ((source, "merged_into", target), (target, "merged_from", source)):
        ctx.session.add(
            PersonHistory(
                person_id=person.id,
                field=field,
                old_value=None,
                new_value=other.member_id,
                source="staff",
                source_reference=reason.strip()[:128],
                changed_by=ctx.actor.username,
                changed_at=now,
            )
        )
    ctx.session.add(
        PersonMerge(
            source_person_id=source.id,
            target_person_id=target.id,
            reason=reason.strip()[:256],
            moved=moved,
            merged_by=ctx.actor.username,
            merged_at=now,
        )
    )
    try:
        ctx.session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            code="person.version_conflict",
            message=f"{record}: one of the persons was changed by someone else during the merge.",
            record=record,
            field="version",
            hint="Reload both records and merge again.",
        ) from exc
    audit.record(
        ctx,
        action="merge",
        record_type="person",
        record_id=source.member_id,
        fields=["merged_into"],
        detail={"into": target.member_id, "moved": moved},
    )
    return MergeResult(source_member_id=source.member_id, target_member_id=target.member_id, moved=moved)


def _lock_in_id_order(ctx: ServiceContext, source: Person, target: Person) -> None:
    """Lock both person rows, lower id first, so two merges of the same pair queue instead of deadlocking.

    SQLite ignores the row lock, but there every writer already waits for the database lock.
    """
    for person_id in sorted((source.id, target.id)):
        ctx.session.execute(select(Person.id).where(Person.id == person_id).with_for_update())


def _reject_overlapping_coverage(ctx: ServiceContext, source: Person, target: Person, *, record: str) -> None:
    spans = ctx.session.scalars(
        select(CoverageSpan).where(
            CoverageSpan.person_id.in_([source.id, target.id]), CoverageSpan.voided.is_(False)
        )
    ).all()
    by_policy: dict[int, list[CoverageSpan]] = {}
    for span in spans:
        by_policy.setdefault(span.policy_id, []).append(span)
    for policy_id, policy_spans in by_policy.items():
        mine = [span for span in policy_spans if span.person_id == source.id]
        theirs = [span for span in policy_spans if span.person_id == target.id]
        for left in mine:
            for right in theirs:
                if _overlap(left, right):
                    raise ConflictError(
                        code="person.merge_coverage_overlap",
                        message=(
                            f"{record}: both persons are covered on policy id {policy_id} at the same time."
                        ),
                        record=record,
                        field="coverage",
                        value=policy_id,
                        hint=(
                            "End or void the duplicate's coverage on that policy first, so nobody is billed "
                            "twice."
                        ),
                    )


def _reject_second_account(ctx: ServiceContext, source: Person, target: Person, *, record: str) -> None:
    source_entities = set(
        ctx.session.scalars(select(BillingAccount.legal_entity).where(BillingAccount.person_id == source.id))
    )
    target_entities = set(
        ctx.session.scalars(select(BillingAccount.legal_entity).where(BillingAccount.person_id == target.id))
    )
    shared = sorted(source_entities & target_entities)
    if shared:
        raise ConflictError(
            code="person.merge_two_accounts",
            message=f"{record}: both persons hold a billing account with legal entity {shared[0]}.",
            record=record,
            field="billing_account",
            value=shared[0],
            hint=(
                "Move the duplicate's policies to the surviving account and close the duplicate account "
                "first."
            ),
        )


def _repoint(ctx: ServiceContext, column: Any, source: Person, target: Person) -> int:
    result = ctx.session.execute(
        update(column.table).where(column == source.id).values({column.name: target.id})
    )
    return int(result.rowcount or 0)


def _move_coverage(ctx: ServiceContext, source: Person, target: Person, *, reason: str) -> int:
    spans = ctx.session.scalars(
        select(CoverageSpan).where(CoverageSpan.person_id == source.id).order_by(CoverageSpan.id)
    ).all()
    now = ctx.now()
    for span in spans:
        span.person_id = target.id
        span.updated_at = now
        ctx.session.add(
            CoverageEvent(
                policy_id=span.policy_id,
                coverage_span_id=span.id,
                event="member_merged",
                effective_date=span.start_date,
                detail=f"person {source.member_id} merged into {target.member_id}: {reason}"[:512],
                source="staff",
                source_reference=None,
                recorded_by=ctx.actor.username,
                recorded_at=now,
            )
        )
    ctx.session.flush()
    return len(spans)


def _move_subscriber_role(ctx: ServiceContext, source: Person, target: Person) -> int:
    # Through the ORM, so each policy's version moves and a concurrent policy edit conflicts.
    policies = ctx.session.scalars(select(Policy).where(Policy.subscriber_person_id == source.id)).all()
    for policy in policies:
        policy.subscriber_person_id = target.id
        policy.updated_at = ctx.now()
    ctx.session.flush()
    return len(policies)


def _move_earlier_merges(ctx: ServiceContext, source: Person, target: Person) -> int:
    """Point persons merged into the source at the target, so every merge chain stays one step long."""
    merged = ctx.session.scalars(select(Person).where(Person.merged_into_id == source.id)).all()
    for person in merged:
        person.merged_into_id = target.id
        person.updated_at = ctx.now()
    ctx.session.flush()
    return len(merged)


def _move_accounts(ctx: ServiceContext, source: Person, target: Person) -> int:
    accounts = ctx.session.scalars(select(BillingAccount).where(BillingAccount.person_id == source.id)).all()
    for account in accounts:
        account.person_id = target.id
        account.holder_key = f"person:{target.id}"
    ctx.session.flush()
    return len(accounts)


def _overlap(left: CoverageSpan, right: CoverageSpan) -> bool:
    left_ends_before = left.end_date is not None and left.end_date < right.start_date
    right_ends_before = right.end_date is not None and right.end_date < left.start_date
    return not (left_ends_before or right_ends_before)
