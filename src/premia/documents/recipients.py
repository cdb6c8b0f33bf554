"""Recipients of a billing account's documents, and the carrier details printed on them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.accounts.model import Delivery
from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.documents.content import Carrier
from premia.documents.model import MailingAddress, Recipient
from premia.documents.tables import ConfidentialRoute, UndeliverableEmail
from premia.infra.context import ServiceContext
from premia.infra.settings import Settings
from premia.kernel.errors import ValidationError


def carrier_from_settings(settings: Settings) -> Carrier:
    """Return the carrier block of every document. Each part is a required setting."""
    missing = [
        name
        for name, value in (
            ("PREMIA_CARRIER_NAME", settings.carrier_name),
            ("PREMIA_CARRIER_PHONE", settings.carrier_phone),
            ("PREMIA_CARRIER_ADDRESS", settings.carrier_address),
        )
        if not (value or "").strip()
    ]
    if missing:
        raise ValidationError(
            code="documents.carrier_settings_missing",
            message=f"Missing carrier setting(s) for documents: {', '.join(missing)}.",
            field=missing[0],
            hint="Set PREMIA_CARRIER_NAME, PREMIA_CARRIER_PHONE and PREMIA_CARRIER_ADDRESS (lines separated by |).",
        )
    lines = tuple(line.strip() for line in (settings.carrier_address or "").split("|") if line.strip())
    return Carrier(
        name=(settings.carrier_name or "").strip(),
        phone=(settings.carrier_phone or "").strip(),
        address_lines=lines,
    )


def recipient_for(ctx: ServiceContext, account: BillingAccount, *, on: date) -> tuple[Recipient, Delivery]:
    """Return the payer's name, email and postal address, and the delivery preference in force on ``on``.

    A confidential route replaces both the addresses and the preference. Otherwise the
    payer fields of the account win, then the holder's own details: a person's mailing
    address before their residence, or the employer group's address for its billing contact.
    """
    route = confidential_route(ctx, account.id, on=on)
    if route is not None:
        return _confidential_recipient(ctx, route, fallback_name=_holder_name(ctx, account)), Delivery(
            route.delivery
        )

    person = ctx.session.get(Person, account.person_id) if account.person_id else None
    group = ctx.session.get(EmployerGroup, account.employer_group_id) if account.employer_group_id else None
    name = account.payer_name or _holder_name(ctx, account)
    email = account.payer_email
    if email is None and person is not None:
        email = person.email
    if email is None and group is not None:
        email = group.contact_email
    address = _payer_address(account, name) or _person_address(person, name) or _group_address(group, name)
    bounced = email is not None and (
        is_undeliverable(ctx, email)
        or (person is not None and person.email == email and person.email_undeliverable)
    )
    recipient = Recipient(name=name, email=email, address=address, email_undeliverable=bounced)
    return recipient, Delivery(account.delivery)


def confidential_route(ctx: ServiceContext, billing_account_id: int, *, on: date) -> ConfidentialRoute | None:
    """Return the newest confidential route of the account in force on ``on``, if any."""
    return ctx.session.scalar(
        select(ConfidentialRoute)
        .where(
            ConfidentialRoute.billing_account_id == billing_account_id,
            ConfidentialRoute.starts_on <= on,
            (ConfidentialRoute.ends_on.is_(None)) | (ConfidentialRoute.ends_on >= on),
        )
        .order_by(ConfidentialRoute.starts_on.desc(), ConfidentialRoute.id.desc())
        .limit(1)
    )


def is_undeliverable(ctx: ServiceContext, email: str) -> bool:
    return (
        ctx.session.scalar(
            select(UndeliverableEmail.id).where(
                UndeliverableEmail.address == email.strip().lower(), UndeliverableEmail.cleared_at.is_(None)
            )
        )
        is not None
    )


def person_name(person: Person) -> str:
    parts = [person.first_name, person.middle_name, person.last_name, person.name_suffix]
    return " ".join(part for part in parts if part)


def _holder_name(ctx: ServiceContext, account: BillingAccount) -> str:
    if account.person_id:
        person = ctx.session.get(Person, account.person_id)
        if person is not None:
            return person_name(person)
    if account.employer_group_id:
        group = ctx.session.get(EmployerGroup, account.employer_group_id)
        if group is not None:
            return group.name
    return account.account_number


def _confidential_recipient(
    ctx: ServiceContext, route: ConfidentialRoute, *, fallback_name: str
) -> Recipient:
    name = route.name or fallback_name
    address = None
    if route.line1 and route.city and route.state and route.zip_code:
        address = MailingAddress(
            name=name,
            line1=route.line1,
            line2=route.line2,
            city=route.city,
            state=route.state,
            zip_code=route.zip_code,
        )
    bounced = route.email is not None and is_undeliverable(ctx, route.email)
    return Recipient(
        name=name, email=route.email, address=address, email_undeliverable=bounced, confidential=True
    )


def _payer_address(account: BillingAccount, name: str) -> MailingAddress | None:
    if not (account.payer_line1 and account.payer_city and account.payer_state and account.payer_zip_code):
        return None
    return MailingAddress(
        name=name,
        line1=account.payer_line1,
        line2=account.payer_line2,
        city=account.payer_city,
        state=account.payer_state,
        zip_code=account.payer_zip_code,
    )


def _person_address(person: Person | None, name: str) -> MailingAddress | None:
    if person is None:
        return None
    if person.mailing_line1 and person.mailing_city and person.mailing_state and person.mailing_zip_code:
        return MailingAddress(
            name=name,
            line1=person.mailing_line1,
            line2=person.mailing_line2,
            city=person.mailing_city,
            state=person.mailing_state,
            zip_code=person.mailing_zip_code,
        )
    if person.address_line1 and person.city and person.state and person.zip_code:
        return MailingAddress(
            name=name,
            line1=person.address_line1,
            line2=person.address_line2,
            city=person.city,
            state=person.state,
            zip_code=person.zip_code,
        )
    return None


def _group_address(group: EmployerGroup | None, name: str) -> MailingAddress | None:
    if group is None:
        return None
    # A group's bills go to its billing contact at the employer's address.
    return MailingAddress(
        name=name,
        attention=group.contact_name,
        line1=group.address_line1,
        line2=group.address_line2,
        city=group.city,
        state=group.state,
        zip_code=group.zip_code,
    )
