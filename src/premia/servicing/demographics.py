"""Demographic updates from the service desk, with history, audit and the exchange rule.

Changes go through the accounts area's person and preference services, which keep the old
and new values with their source. A change the member requests on a contact needs the
caller verified on that contact and is recorded with source ``member``. A staff correction
without a contact is recorded with source ``staff``.

A member on an exchange policy must report a new residential address or name to the
Marketplace, and the carrier may not act on it until the exchange sends it on an 834
(the address decides the rating area and eligibility). Such changes are recorded as
exchange change reports instead of being applied. Mailing address, phone, email, language
and mailing preference are applied for every member.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import Address, ChangeSource, Delivery
from premia.accounts.tables import BillingAccount, Person, PersonHistory
from premia.audit import service as audit
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.servicing.contacts import touch
from premia.servicing.model import ExchangeReportStatus, ProtectedAction
from premia.servicing.parties import surviving_person
from premia.servicing.tables import Contact, ExchangeChangeReport
from premia.servicing.verification import get_contact, require_verified
from premia.staff.permissions import Permission

NAME_FIELDS = frozenset({"first_name", "middle_name", "last_name", "name_suffix"})
PERSON_FIELDS = NAME_FIELDS | {
    "address",
    "mailing_address",
    "phone",
    "email",
    "spoken_language",
    "written_language",
}
ACCOUNT_FIELDS = frozenset({"delivery"})
EXCHANGE_REPORTED_FIELDS = NAME_FIELDS | {"address"}
LIVE_POLICY_STATUSES = [PolicyStatus.PENDING.value, PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value]
# Exchange enrollees must report changes to the Marketplace within 30 days (CMS consumer guidance).
EXCHANGE_REPORTING_DAYS = 30


@dataclass(frozen=True)
class DemographicUpdate:
    """Result of an update: the fields applied, the fields left for the exchange, and the new versions."""

    applied: list[str]
    flagged: list[str]
    person_version: int
    account_version: int | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def update_demographics(
    ctx: ServiceContext,
    member_id: str,
    changes: dict[str, Any],
    *,
    contact_id: int | None = None,
    document_reference: str | None = None,
    expected_version: int | None = None,
    expected_account_version: int | None = None,
    on: date | None = None,
) -> DemographicUpdate:
    """Apply address, phone, email, name, language and mailing-preference changes.

    ``expected_version`` is the person's version as the editor last read it and
    ``expected_account_version`` the billing account's; a stale one is a conflict.
    """
    ctx.require(Permission.MEMBER_WRITE)
    on = on or ctx.today()
    person = surviving_person(ctx, member_id)
    record = f"person {person.member_id}"
    _reject_unknown(changes, record=record)
    if expected_version is not None and expected_version != person.version:
        raise _person_conflict(person, expected_version)

    contact = _verified_contact(ctx, contact_id, person) if contact_id is not None else None
    source = ChangeSource.MEMBER if contact else ChangeSource.STAFF
    reference = f"contact {contact.id}" if contact else (document_reference or "").strip() or None
    exchange_policy = _exchange_policy(ctx, person, on)
    flagged_names = sorted(set(changes) & EXCHANGE_REPORTED_FIELDS) if exchange_policy else []
    person_changes = {
        name: value for name, value in changes.items() if name in PERSON_FIELDS and name not in flagged_names
    }
    if set(person_changes) & NAME_FIELDS and not reference:
        raise ValidationError(
            code="demographics.name_change_undocumented",
            message=f"{record}: a name change needs the document that supports it.",
            record=record,
            field="document_reference",
            hint="Give the reference of the marriage certificate, court order or ID the member sent.",
        )

    for name in flagged_names:
        _flag_for_exchange(ctx, person, exchange_policy, name, changes[name], contact=contact, on=on)
    applied = _apply_person_changes(ctx, person, person_changes, source=source, reference=reference)
    account = _apply_account_changes(ctx, person, changes, expected_account_version, record=record)
    if account is not None:
        applied.append("delivery")

    if contact is not None:
        touch(contact, "person", person.member_id)
        if account is not None:
            touch(contact, "billing_account", account.account_number)
        ctx.session.flush()
    return DemographicUpdate(
        applied=applied,
        flagged=flagged_names,
        person_version=person.version,
        account_version=account.version if account is not None else None,
    )


def record_returned_mail(
    ctx: ServiceContext, member_id: str, *, received_on: date, note: str | None = None
) -> Person:
    """Flag the member's address after mail came back undelivered; a new address clears the flag."""
    return _flag_undeliverable(
        ctx,
        member_id,
        column="address_returned",
        reference=f"returned mail {received_on.isoformat()}",
        note=note,
    )


def record_bounced_email(
    ctx: ServiceContext, member_id: str, *, bounced_on: date, note: str | None = None
) -> Person:
    """Flag the member's email address after a message to it bounced."""
    return _flag_undeliverable(
        ctx,
        member_id,
        column="email_undeliverable",
        reference=f"bounced email {bounced_on.isoformat()}",
        note=note,
    )


def exchange_reports(
    ctx: ServiceContext, *, member_id: str | None = None, open_only: bool = True
) -> list[ExchangeChangeReport]:
    """Changes waiting for the exchange, for one member or for all."""
    ctx.require(Permission.MEMBER_READ)
    query = select(ExchangeChangeReport).order_by(ExchangeChangeReport.flagged_on, ExchangeChangeReport.id)
    if member_id:
        query = query.where(ExchangeChangeReport.person_id == surviving_person(ctx, member_id).id)
    if open_only:
        query = query.where(ExchangeChangeReport.status == ExchangeReportStatus.AWAITING_EXCHANGE.value)
    return list(ctx.session.scalars(query))


def close_exchange_report(
    ctx: ServiceContext, report_id: int, *, status: ExchangeReportStatus, on: date
) -> ExchangeChangeReport:
    """Close a report when the exchange's 834 brought the change, or when the member withdrew it."""
    ctx.require(Permission.MEMBER_WRITE)
    report = ctx.session.get(ExchangeChangeReport, report_id)
    if report is None:
        raise NotFoundError(
            code="exchange_report.not_found",
            message=f"No exchange change report has id {report_id}.",
            field="report_id",
            value=report_id,
        )
    status = ExchangeReportStatus(status)
    if (
        status is ExchangeReportStatus.AWAITING_EXCHANGE
        or report.status != ExchangeReportStatus.AWAITING_EXCHANGE.value
    ):
        raise ConflictError(
            code="exchange_report.not_open",
            message=(
                f"Exchange change report {report_id} is {report.status} and cannot become {status.value}."
            ),
            record=f"exchange_change_report {report_id}",
            field="status",
            value=status.value,
        )
    report.status = status.value
    report.closed_on = on
    ctx.session.flush()
    audit.record(
        ctx, action="close", record_type="exchange_change_report", record_id=report.id, fields=["status"]
    )
    return report


def _reject_unknown(changes: dict[str, Any], *, record: str) -> None:
    allowed = PERSON_FIELDS | ACCOUNT_FIELDS
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError(
            code="demographics.field_not_changeable",
            message=f"{record}: {unknown[0]} cannot be changed on the service desk.",
            record=record,
            field=unknown[0],
            hint="Changeable here: "
            + ", ".join(sorted(allowed))
            + ". Date of birth, sex and SSN need documents and go through enrollment.",
        )
    if not changes:
        raise ValidationError(
            code="demographics.no_changes",
            message=f"{record}: no changes were given.",
            record=record,
            field="changes",
        )


def _verified_contact(ctx: ServiceContext, contact_id: int, person: Person) -> Contact:
    contact = get_contact(ctx, contact_id)
    require_verified(ctx, contact, person_id=person.id, action=ProtectedAction.CHANGE_DEMOGRAPHICS)
    return contact


def _exchange_policy(ctx: ServiceContext, person: Person, on: date) -> Policy | None:
    """Return a live exchange policy covering the person on ``on``, or None."""
    return ctx.session.scalar(
        select(Policy)
        .join(CoverageSpan, CoverageSpan.policy_id == Policy.id)
        .where(
            CoverageSpan.person_id == person.id,
            CoverageSpan.voided.is_(False),
            CoverageSpan.start_date <= on,
            (CoverageSpan.end_date.is_(None)) | (CoverageSpan.end_date >= on),
            Policy.on_exchange.is_(True),
            Policy.status.in_(LIVE_POLICY_STATUSES),
        )
        .order_by(Policy.id)
        .limit(1)
    )


def _flag_for_exchange(
    ctx: ServiceContext,
    person: Person,
    policy: Policy | None,
    name: str,
    value: Any,
    *,
    contact: Contact | None,
    on: date,
) -> None:
    assert policy is not None
    report = ExchangeChangeReport(
        person_id=person.id,
        policy_id=policy.id,
        field=name,
        requested_value={"value": _plain(value)},
        status=ExchangeReportStatus.AWAITING_EXCHANGE.value,
        flagged_on=on,
        report_by=on + timedelta(days=EXCHANGE_REPORTING_DAYS),
        contact_id=contact.id if contact else None,
        flagged_by=ctx.actor.username,
    )
    ctx.session.add(report)
    ctx.session.flush()
    audit.record(
        ctx,
        action="flag_for_exchange",
        record_type="person",
        record_id=person.member_id,
        fields=[name],
        detail={"policy": policy.policy_number, "report_id": report.id},
    )


def _apply_person_changes(
    ctx: ServiceContext,
    person: Person,
    changes: dict[str, Any],
    *,
    source: ChangeSource,
    reference: str | None,
) -> list[str]:
    if not changes:
        return []
    version_before = person.version
    try:
        person_service.update_person(
            ctx,
            person.member_id,
            changes,
            source=source,
            source_reference=reference,
            expected_version=version_before,
        )
    except StaleDataError as exc:
        raise _person_conflict(person, version_before) from exc
    return sorted(changes) if person.version != version_before else []


def _apply_account_changes(
    ctx: ServiceContext,
    person: Person,
    changes: dict[str, Any],
    expected_version: int | None,
    *,
    record: str,
) -> BillingAccount | None:
    if "delivery" not in changes:
        return None
    account = ctx.session.scalar(
        select(BillingAccount)
        .where(BillingAccount.person_id == person.id)
        .order_by(BillingAccount.id)
        .limit(1)
    )
    if account is None:
        raise ValidationError(
            code="demographics.no_account_held",
            message=(
                f"{record} is not the holder of a billing account, so there is no mailing preference to "
                "change."
            ),
            record=record,
            field="delivery",
            hint="Change the preference on the account holder's record.",
        )
    delivery = Delivery(changes["delivery"])
    preferences: dict[str, Any] = {"delivery": delivery}
    if delivery is not Delivery.PAPER and not account.payer_email:
        # The person's changes are applied first, so a new email in the same update is used here.
        if not person.email:
            raise ValidationError(
                code="demographics.delivery_without_email",
                message=f"{record}: email delivery needs an email address.",
                record=record,
                field="delivery",
                value=delivery.value,
                hint="Add the email address in the same change.",
            )
        preferences["payer_email"] = person.email
    try:
        return accounts.update_preferences(
            ctx, account.account_number, preferences, expected_version=expected_version
        )
    except StaleDataError as exc:
        raise ConflictError(
            code="account.version_conflict",
            message=f"billing_account {account.account_number} was changed by someone else.",
            record=f"billing_account {account.account_number}",
            field="version",
            hint="Reload the account, reapply your change and save again.",
        ) from exc


def _flag_undeliverable(
    ctx: ServiceContext, member_id: str, *, column: str, reference: str, note: str | None
) -> Person:
    ctx.require(Permission.MEMBER_WRITE)
    person = surviving_person(ctx, member_id)
    if getattr(person, column):
        return person
    now = ctx.now()
    setattr(person, column, True)
    person.updated_at = now
    # The person service keeps history only for the fields it edits, so this flag's history
    # row is written here in the same form.
    ctx.session.add(
        PersonHistory(
            person_id=person.id,
            field=column,
            old_value="false",
            new_value="true",
            source=ChangeSource.STAFF.value,
            source_reference=reference if not note else f"{reference}: {note.strip()}"[:128],
            changed_by=ctx.actor.username,
            changed_at=now,
        )
    )
    version_before = person.version
    try:
        ctx.session.flush()
    except StaleDataError as exc:
        raise _person_conflict(person, version_before) from exc
    audit.record(ctx, action="update", record_type="person", record_id=person.member_id, fields=[column])
    return person


def _person_conflict(person: Person, expected_version: int) -> ConflictError:
    record = f"person {person.member_id}"
    return ConflictError(
        code="person.version_conflict",
        message=(
            f"{record} was changed by someone else (version {person.version}, you edited {expected_version})."
        ),
        record=record,
        field="version",
        value=expected_version,
        hint="Reload the record, reapply your change and save again.",
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Address):
        return dataclasses.asdict(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
