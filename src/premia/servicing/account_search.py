"""Finding billing accounts from what a caller gives: a name (with an optional date of birth),
a date of birth, a member ID, an account or invoice number, a phone number or an email.

Every account found is audited as a search hit. A member who is a dependent finds the
account that bills their policy; a name also matches employer groups. The search lives with
servicing because it reads people, policies and invoices together, which the accounts area
below them does not import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Select, func, or_, select

from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.audit import service as audit
from premia.billing.tables import Invoice
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.infra.db import contains_ignoring_case, matches_ignoring_case, starts_with_ignoring_case
from premia.kernel.errors import ValidationError
from premia.staff.permissions import Permission

MAX_HITS = 50
_ACCOUNT_PATTERN = re.compile(r"^BA-\d+$", re.IGNORECASE)
_INVOICE_PATTERN = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{4,}$", re.IGNORECASE)
_MEMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$", re.IGNORECASE)


class SearchKind(StrEnum):
    ANY = "any"
    NAME = "name"
    BIRTH_DATE = "birth_date"
    MEMBER_ID = "member_id"
    ACCOUNT = "account"
    INVOICE = "invoice"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class SearchHit:
    """One account found, with the person or group it was found through."""

    account_number: str
    account_kind: str
    account_status: str
    holder_name: str
    found_name: str
    found_member_id: str | None
    matched_on: SearchKind


def detect_kind(text: str) -> SearchKind:
    """Guess what a search box entry is: an account or invoice number, email, phone, member ID or name."""
    value = text.strip()
    if _ACCOUNT_PATTERN.match(value):
        return SearchKind.ACCOUNT
    if _INVOICE_PATTERN.match(value):
        return SearchKind.INVOICE
    if "@" in value:
        return SearchKind.EMAIL
    digits = phone_digits(value)
    if digits is not None and re.fullmatch(r"[\d\s().+-]+", value):
        return SearchKind.PHONE
    if _looks_like_date(value):
        return SearchKind.BIRTH_DATE
    if any(ch.isdigit() for ch in value) and _MEMBER_PATTERN.match(value):
        return SearchKind.MEMBER_ID
    return SearchKind.NAME


def phone_digits(text: str) -> str | None:
    """Return the ten digits of a US phone number as stored, or None when the text is not one."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def split_name(text: str) -> tuple[str, str | None]:
    """Return (last name, first name or None) from ``Last``, ``First Last`` or ``Last, First``."""
    value = " ".join(text.split())
    if "," in value:
        last, first = (part.strip() for part in value.split(",", 1))
        return last, first or None
    parts = value.split(" ")
    if len(parts) == 1:
        return parts[0], None
    return parts[-1], " ".join(parts[:-1])


def search_accounts(
    ctx: ServiceContext,
    *,
    text: str | None,
    birth_date: date | None = None,
    kind: SearchKind = SearchKind.ANY,
) -> list[SearchHit]:
    """Find accounts; ``kind`` ANY guesses it from ``text``. A date of birth narrows a name search."""
    ctx.require(Permission.MEMBER_READ)
    value = (text or "").strip()
    if not value and birth_date is None:
        raise ValidationError(
            code="search.empty",
            message="Type something to search for.",
            field="q",
            hint="Enter a name, member ID, account or invoice number, phone or email, or a date of birth.",
        )
    if not value:
        kind = SearchKind.BIRTH_DATE
    elif kind is SearchKind.ANY:
        kind = detect_kind(value)

    hits = _FINDERS[kind](ctx, value, birth_date)
    unique: dict[tuple[str, str | None], SearchHit] = {}
    for hit in hits:
        unique.setdefault((hit.account_number, hit.found_member_id), hit)
    results = sorted(unique.values(), key=lambda hit: (hit.holder_name.lower(), hit.account_number))[:MAX_HITS]
    for hit in results:
        audit.record(
            ctx,
            action="search",
            record_type="billing_account",
            record_id=hit.account_number,
            fields=["holder_name", "member_id"],
            detail={"matched_on": hit.matched_on.value},
        )
    return results


def _by_account(ctx: ServiceContext, value: str, _: date | None) -> list[SearchHit]:
    query = select(BillingAccount).where(BillingAccount.account_number == value.upper())
    return [_account_hit(ctx, account, SearchKind.ACCOUNT) for account in ctx.session.scalars(query)]


def _by_invoice(ctx: ServiceContext, value: str, _: date | None) -> list[SearchHit]:
    query = select(BillingAccount).join(Invoice, Invoice.billing_account_id == BillingAccount.id).where(
        Invoice.invoice_number == value.upper()
    )
    return [_account_hit(ctx, account, SearchKind.INVOICE) for account in ctx.session.scalars(query)]


def _by_member_id(ctx: ServiceContext, value: str, _: date | None) -> list[SearchHit]:
    return _person_hits(ctx, select(Person).where(Person.member_id == value), SearchKind.MEMBER_ID)


def _by_email(ctx: ServiceContext, value: str, _: date | None) -> list[SearchHit]:
    address = value.lower()
    hits = _person_hits(ctx, select(Person).where(func.lower(Person.email) == address), SearchKind.EMAIL)
    payers = select(BillingAccount).where(func.lower(BillingAccount.payer_email) == address)
    hits.extend(_account_hit(ctx, account, SearchKind.EMAIL) for account in ctx.session.scalars(payers))
    return hits


def _by_phone(ctx: ServiceContext, value: str, _: date | None) -> list[SearchHit]:
    digits = phone_digits(value)
    if digits is None:
        raise ValidationError(
            code="search.phone_invalid",
            message=f"{value!r} is not a ten-digit phone number.",
            field="q",
            value=value,
            hint="Type the area code and number, such as 804 555 0142.",
        )
    hits = _person_hits(ctx, select(Person).where(Person.phone == digits), SearchKind.PHONE)
    payers = select(BillingAccount).where(BillingAccount.payer_phone == digits)
    hits.extend(_account_hit(ctx, account, SearchKind.PHONE) for account in ctx.session.scalars(payers))
    return hits


def _by_birth_date(ctx: ServiceContext, value: str, birth_date: date | None) -> list[SearchHit]:
    day = birth_date or _parse_day(value)
    return _person_hits(ctx, select(Person).where(Person.birth_date == day), SearchKind.BIRTH_DATE)


def _by_name(ctx: ServiceContext, value: str, birth_date: date | None) -> list[SearchHit]:
    last, first = split_name(value)
    query = select(Person).where(matches_ignoring_case(Person.last_name, last))
    if first:
        query = query.where(starts_with_ignoring_case(Person.first_name, first))
    if birth_date is not None:
        query = query.where(Person.birth_date == birth_date)
    hits = _person_hits(ctx, query, SearchKind.NAME)
    if birth_date is None:
        groups = (
            select(BillingAccount)
            .join(EmployerGroup, EmployerGroup.id == BillingAccount.employer_group_id)
            .where(or_(contains_ignoring_case(EmployerGroup.name, value), EmployerGroup.group_number == value))
            .limit(MAX_HITS)
        )
        hits.extend(_account_hit(ctx, account, SearchKind.NAME) for account in ctx.session.scalars(groups))
    return hits


_FINDERS = {
    SearchKind.ACCOUNT: _by_account,
    SearchKind.INVOICE: _by_invoice,
    SearchKind.MEMBER_ID: _by_member_id,
    SearchKind.EMAIL: _by_email,
    SearchKind.PHONE: _by_phone,
    SearchKind.BIRTH_DATE: _by_birth_date,
    SearchKind.NAME: _by_name,
}


def _person_hits(ctx: ServiceContext, query: Select[tuple[Person]], matched_on: SearchKind) -> list[SearchHit]:
    """Return a hit for each account that a matching person is the holder of or is covered under."""
    persons = list(ctx.session.scalars(query.where(Person.merged_into_id.is_(None)).limit(MAX_HITS)))
    if not persons:
        return []
    ids = [person.id for person in persons]
    held = ctx.session.execute(select(BillingAccount, BillingAccount.person_id).where(BillingAccount.person_id.in_(ids))).all()
    covered = ctx.session.execute(
        select(BillingAccount, CoverageSpan.person_id)
        .join(Policy, Policy.billing_account_id == BillingAccount.id)
        .join(CoverageSpan, CoverageSpan.policy_id == Policy.id)
        .where(CoverageSpan.person_id.in_(ids), CoverageSpan.voided.is_(False))
        .distinct()
    ).all()
    by_id = {person.id: person for person in persons}
    hits = []
    for account, person_id in [*held, *covered]:
        person = by_id[person_id]
        hits.append(_hit(ctx, account, matched_on, found_name=_person_name(person), member_id=person.member_id))
    return hits


def _account_hit(ctx: ServiceContext, account: BillingAccount, matched_on: SearchKind) -> SearchHit:
    holder_name = _holder_name(ctx, account)
    member_id = None
    if account.person_id is not None:
        member_id = ctx.session.scalar(select(Person.member_id).where(Person.id == account.person_id))
    return _hit(ctx, account, matched_on, found_name=holder_name, member_id=member_id, holder_name=holder_name)


def _hit(
    ctx: ServiceContext,
    account: BillingAccount,
    matched_on: SearchKind,
    *,
    found_name: str,
    member_id: str | None,
    holder_name: str | None = None,
) -> SearchHit:
    return SearchHit(
        account_number=account.account_number,
        account_kind=account.kind,
        account_status=account.status,
        holder_name=holder_name or _holder_name(ctx, account),
        found_name=found_name,
        found_member_id=member_id,
        matched_on=matched_on,
    )


def _holder_name(ctx: ServiceContext, account: BillingAccount) -> str:
    if account.person_id is not None:
        person = ctx.session.get(Person, account.person_id)
        return _person_name(person) if person else ""
    if account.employer_group_id is not None:
        group = ctx.session.get(EmployerGroup, account.employer_group_id)
        return group.name if group else ""
    return ""


def _person_name(person: Person) -> str:
    return " ".join(part for part in (person.first_name, person.middle_name, person.last_name) if part)


def _looks_like_date(value: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}", value))


def _parse_day(value: str) -> date:
    if "/" in value:
        month, day_of_month, year = (int(part) for part in value.split("/"))
        try:
            return date(year, month, day_of_month)
        except ValueError:
            pass
    else:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(
        code="search.birth_date_invalid",
        message=f"{value!r} is not a valid date of birth.",
        field="birth_date",
        value=value,
        hint="Write it as MM/DD/YYYY or YYYY-MM-DD.",
    )
