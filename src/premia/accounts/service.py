"""Use cases for billing accounts, billing preferences, employer groups and ACH bank accounts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from premia.accounts import rules
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    AccountStatus,
    BankAccountInput,
    BillingPreferences,
    Delivery,
    EmployerGroupInput,
    Language,
    PaymentMethod,
    PaymentMode,
)
from premia.accounts.person_service import create_person, find_person
from premia.accounts.tables import BankAccount, BillingAccount, EmployerGroup, Person
from premia.accounts.views import AccountView, BankAccountView
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.infra.db import contains_ignoring_case, matches_ignoring_case
from premia.kernel.dates import parse_date
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError, version_conflict
from premia.rating.contributions import ContributionRule, rule_to_dict
from premia.staff.permissions import Permission

RECORD_TYPE = "billing_account"
PREFERENCE_FIELDS = {
    "payment_method",
    "payment_mode",
    "delivery",
    "language",
    "due_day",
    "autodraft_day",
    "payer_name",
    "payer_email",
    "payer_phone",
    "payer_address",
}


def create_employer_group(ctx: ServiceContext, data: EmployerGroupInput) -> EmployerGroup:
    """Store an employer group, or a sub-group when ``parent_group_number`` is given."""
    ctx.require(Permission.MEMBER_WRITE)
    if data.contribution is not None:
        ctx.require(Permission.POLICIES_CHANGE)
    record = f"employer_group {data.group_number}"
    group_number = rules.require_text(data.group_number, field="group_number", record=record, max_length=32)
    if ctx.session.scalar(select(EmployerGroup.id).where(EmployerGroup.group_number == group_number)):
        raise ConflictError(
            code="group.duplicate",
            message=f"Employer group {group_number} already exists.",
            record=record,
            field="group_number",
            value=group_number,
            hint="Use the existing group, or choose another group number.",
        )
    parent_id = None
    if data.parent_group_number:
        parent_id = get_group_row(ctx, data.parent_group_number).id
    group = EmployerGroup(
        group_number=group_number,
        name=rules.require_text(data.name, field="name", record=record),
        tax_id=(data.tax_id or "").strip() or None,
        parent_id=parent_id,
        anniversary_month=rules.check_month_number(data.anniversary_month, field="anniversary_month", record=record),
        address_line1=rules.require_text(data.address.line1, field="address.line1", record=record),
        address_line2=(data.address.line2 or "").strip() or None,
        city=rules.require_text(data.address.city, field="address.city", record=record, max_length=64),
        state=rules.normalize_state(data.address.state, field="address.state", record=record),
        zip_code=rules.normalize_zip(data.address.zip_code, field="address.zip_code", record=record),
        contact_name=(data.contact_name or "").strip() or None,
        contact_email=rules.normalize_email(data.contact_email, record=record) if data.contact_email else None,
        contact_phone=rules.normalize_phone(data.contact_phone, record=record) if data.contact_phone else None,
        contribution_rule=rule_to_dict(data.contribution) if data.contribution is not None else None,
        created_at=ctx.now(),
    )
    ctx.session.add(group)
    ctx.session.flush()
    audit.record(ctx, action="create", record_type="employer_group", record_id=group.group_number)
    return group


def set_group_contribution(ctx: ServiceContext, group_number: str, contribution: ContributionRule | None) -> EmployerGroup:
    """Replace the employer's contribution rule; None removes it, so a sub-group falls back to its parent's.

    The rule splits each premium line of the group's next invoices into the employer's and
    the employee's share. Invoices already issued keep the split they were issued with.
    Changing the rule is part of a group's plan set-up, so it takes the policy-change permission.
    """
    ctx.require(Permission.POLICIES_CHANGE)
    group = get_group_row(ctx, group_number)
    before = group.contribution_rule
    group.contribution_rule = rule_to_dict(contribution) if contribution is not None else None
    ctx.session.flush()
    audit.record(
        ctx,
        action="update",
        record_type="employer_group",
        record_id=group.group_number,
        fields=["contribution_rule"],
        detail={"before": before, "after": group.contribution_rule},
    )
    return group


def get_group_row(ctx: ServiceContext, group_number: str) -> EmployerGroup:
    group = ctx.session.scalar(select(EmployerGroup).where(EmployerGroup.group_number == group_number.strip()))
    if group is None:
        raise NotFoundError(
            code="group.not_found",
            message=f"No employer group has number {group_number!r}.",
            field="group_number",
            value=group_number,
            hint="Check the group number, or create the group first.",
        )
    return group


def create_account(ctx: ServiceContext, data: AccountInput) -> BillingAccount:
    """Open a billing account for a person or an employer group with its billing preferences.

    An individual account's holder is a new person (``holder``) or an existing one
    (``holder_member_id``); a group account's holder is the employer or sub-group.
    """
    ctx.require(Permission.MEMBER_WRITE)
    record = "billing_account (new)"
    preferences = _validated_preferences(data.preferences, record=record)
    person: Person | None = None
    group: EmployerGroup | None = None

    if AccountKind(data.kind) is AccountKind.INDIVIDUAL:
        if data.holder_member_id:
            person = find_person(ctx, data.holder_member_id)
        elif data.holder is not None:
            person = create_person(ctx, data.holder)
        else:
            raise ValidationError(
                code="account.holder_missing",
                message="An individual account needs a holder.",
                record=record,
                field="holder",
                hint="Give the policyholder's details, or --member-id of an existing person.",
            )
        holder_key = f"person:{person.id}"
    else:
        if not data.employer_group_number:
            raise ValidationError(
                code="account.group_missing",
                message="A group account needs an employer group.",
                record=record,
                field="employer_group_number",
                hint="Give --group with the employer or sub-group number.",
            )
        group = get_group_row(ctx, data.employer_group_number)
        holder_key = f"group:{group.id}"

    legal_entity = rules.require_text(data.legal_entity, field="legal_entity", record=record, max_length=16).upper()
    _reject_duplicate_account(ctx, holder_key, legal_entity, record=record)

    if preferences.language is None:
        written = Language(person.written_language) if person is not None else Language.ENGLISH
        preferences = replace(preferences, language=written)
    now = ctx.now()
    account = BillingAccount(
        # A placeholder that fits the 16-character column keeps it filled until the row has an id.
        account_number=f"PENDING-{uuid.uuid4().hex[:8]}",
        kind=AccountKind(data.kind).value,
        status=AccountStatus.OPEN.value,
        legal_entity=legal_entity,
        holder_key=holder_key,
        person_id=person.id if person else None,
        employer_group_id=group.id if group else None,
        created_at=now,
        updated_at=now,
    )
    _assign_preferences(account, preferences)
    ctx.session.add(account)
    ctx.session.flush()
    account.account_number = f"BA-{account.id:06d}"
    ctx.session.flush()
    audit.record(
        ctx,
        action="create",
        record_type=RECORD_TYPE,
        record_id=account.account_number,
        fields=["kind", "holder", *sorted(PREFERENCE_FIELDS)],
    )
    return account


def get_account_row(ctx: ServiceContext, account_number: str) -> BillingAccount:
    """Load an account for another service; the caller audits its own use."""
    account = ctx.session.scalar(
        select(BillingAccount).where(BillingAccount.account_number == account_number.strip().upper())
    )
    if account is None:
        raise NotFoundError(
            code="account.not_found",
            message=f"No billing account has number {account_number!r}.",
            field="account_number",
            value=account_number,
            hint="Search with `premia accounts list` by member ID, name and date of birth, or employer.",
        )
    return account


def get_account(ctx: ServiceContext, account_number: str) -> AccountView:
    """Return the account with its holder and masked bank accounts, and audit the read."""
    ctx.require(Permission.MEMBER_READ)
    account = get_account_row(ctx, account_number)
    view = _view(ctx, account)
    audit.record(
        ctx, action="read", record_type=RECORD_TYPE, record_id=account.account_number, fields=view.disclosed_fields()
    )
    return view


def update_preferences(
    ctx: ServiceContext,
    account_number: str,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> BillingAccount:
    """Change billing preferences; a stale ``expected_version`` is a conflict, not an overwrite."""
    ctx.require(Permission.MEMBER_WRITE)
    account = get_account_row(ctx, account_number)
    record = f"billing_account {account.account_number}"
    unknown = sorted(set(changes) - PREFERENCE_FIELDS)
    if unknown:
        raise ValidationError(
            code="preferences.unknown_field",
            message=f"{unknown[0]} is not a billing preference.",
            record=record,
            field=unknown[0],
            hint="Billing preferences: " + ", ".join(sorted(PREFERENCE_FIELDS)) + ".",
        )
    if expected_version is not None and expected_version != account.version:
        raise version_conflict(
            code="account.version_conflict",
            record=record,
            stored_version=account.version,
            expected_version=expected_version,
            hint="Reload the account, reapply your change and save again.",
        )
    merged = replace(_current_preferences(account), **changes)
    preferences = _validated_preferences(merged, record=record)
    if preferences.payment_method is PaymentMethod.ACH_AUTODRAFT and not _active_bank(ctx, account):
        raise ValidationError(
            code="preferences.autodraft_without_bank_account",
            message=f"{record} has no active bank account to draft.",
            record=record,
            field="payment_method",
            value=preferences.payment_method.value,
            hint="Add a bank account with its debit authorization first (`premia accounts add-bank`).",
        )
    _assign_preferences(account, preferences)
    account.updated_at = ctx.now()
    ctx.session.flush()
    audit.record(ctx, action="update", record_type=RECORD_TYPE, record_id=account.account_number, fields=changes)
    return account


def add_bank_account(ctx: ServiceContext, account_number: str, data: BankAccountInput) -> BankAccountView:
    """Record a bank account for ACH with its debit authorization (who, when, how)."""
    ctx.require(Permission.BANK_ACCOUNT_WRITE)
    account = get_account_row(ctx, account_number)
    record = f"billing_account {account.account_number}"
    routing = rules.check_routing_number(data.routing_number, record=record)
    number = rules.check_bank_account_number(data.account_number, record=record)
    bank = BankAccount(
        billing_account_id=account.id,
        holder_name=rules.require_text(data.holder_name, field="holder_name", record=record),
        routing_number=routing,
        account_number_ciphertext=ctx.cipher.encrypt(number),
        account_last4=number[-4:],
        account_type=data.account_type.value,
        status="active",
        authorization_method=data.authorization_method.value,
        sec_code=data.authorization_method.sec_code,
        authorized_by=rules.require_text(data.authorized_by, field="authorized_by", record=record),
        authorized_at=ctx.now(),
        authorization_reference=(data.authorization_reference or "").strip() or None,
        recorded_by=ctx.actor.username,
    )
    for existing in _active_banks(ctx, account):
        existing.status = "inactive"
        existing.deactivated_at = ctx.now()
        existing.deactivation_reason = "replaced"
    ctx.session.add(bank)
    ctx.session.flush()
    audit.record(
        ctx,
        action="create",
        record_type="bank_account",
        record_id=bank.id,
        fields=["routing_number", "account_number", "authorization"],
        detail={"billing_account": account.account_number},
    )
    return BankAccountView.of(bank)


def find_accounts(
    ctx: ServiceContext,
    *,
    account_number: str | None = None,
    member_id: str | None = None,
    last_name: str | None = None,
    first_name: str | None = None,
    birth_date: str | date | None = None,
    employer: str | None = None,
    limit: int = 50,
) -> list[AccountView]:
    """Look accounts up by account number, member ID, name with date of birth, or employer.

    ``birth_date`` is a date or an ISO ``YYYY-MM-DD`` string.
    """
    ctx.require(Permission.MEMBER_READ)
    query = select(BillingAccount).order_by(BillingAccount.account_number).limit(limit)
    if account_number:
        query = query.where(BillingAccount.account_number == account_number.strip().upper())
    if member_id or last_name or birth_date:
        query = query.join(Person, Person.id == BillingAccount.person_id)
    if member_id:
        query = query.where(Person.member_id == member_id.strip())
    if last_name or birth_date:
        if not (last_name and birth_date):
            raise ValidationError(
                code="search.name_needs_birth_date",
                message="A name search needs both the last name and the date of birth.",
                field="birth_date" if last_name else "last_name",
                hint="Give --last-name together with --birth-date.",
            )
        # PostgreSQL does not compare a date column with a text parameter, so parse it here.
        birth = birth_date if isinstance(birth_date, date) else parse_date(birth_date, field="birth_date")
        query = query.where(matches_ignoring_case(Person.last_name, last_name.strip()), Person.birth_date == birth)
        if first_name:
            query = query.where(matches_ignoring_case(Person.first_name, first_name.strip()))
    if employer:
        query = query.join(EmployerGroup, EmployerGroup.id == BillingAccount.employer_group_id).where(
            or_(EmployerGroup.group_number == employer.strip(), contains_ignoring_case(EmployerGroup.name, employer.strip()))
        )
    accounts = ctx.session.scalars(query).all()
    views = []
    for account in accounts:
        view = _view(ctx, account)
        audit.record(
            ctx, action="search", record_type=RECORD_TYPE, record_id=account.account_number, fields=view.disclosed_fields()
        )
        views.append(view)
    return views


def _view(ctx: ServiceContext, account: BillingAccount) -> AccountView:
    person = ctx.session.get(Person, account.person_id) if account.person_id else None
    group = ctx.session.get(EmployerGroup, account.employer_group_id) if account.employer_group_id else None
    banks = ctx.session.scalars(
        select(BankAccount).where(BankAccount.billing_account_id == account.id).order_by(BankAccount.id)
    ).all()
    return AccountView.of(account, person=person, group=group, banks=list(banks))


def _active_banks(ctx: ServiceContext, account: BillingAccount) -> list[BankAccount]:
    return list(
        ctx.session.scalars(
            select(BankAccount).where(BankAccount.billing_account_id == account.id, BankAccount.status == "active")
        ).all()
    )


def _active_bank(ctx: ServiceContext, account: BillingAccount) -> BankAccount | None:
    banks = _active_banks(ctx, account)
    return banks[-1] if banks else None


def _reject_duplicate_account(ctx: ServiceContext, holder_key: str, legal_entity: str, *, record: str) -> None:
    existing = ctx.session.scalar(
        select(BillingAccount.account_number).where(
            BillingAccount.holder_key == holder_key, BillingAccount.legal_entity == legal_entity
        )
    )
    if existing:
        raise ConflictError(
            code="account.duplicate",
            message=f"This payer already has billing account {existing} with legal entity {legal_entity}.",
            record=record,
            field="holder",
            value=existing,
            hint=f"Use {existing}, or change its preferences with `premia accounts update {existing}`.",
        )


def _validated_preferences(preferences: BillingPreferences, *, record: str) -> BillingPreferences:
    method = rules.parse_choice(PaymentMethod, preferences.payment_method, field="payment_method", record=record)
    mode = rules.parse_choice(PaymentMode, preferences.payment_mode, field="payment_mode", record=record)
    delivery = rules.parse_choice(Delivery, preferences.delivery, field="delivery", record=record)
    language = (
        rules.parse_choice(Language, preferences.language, field="language", record=record)
        if preferences.language is not None
        else None
    )
    due_day = rules.check_day_of_month(preferences.due_day, field="due_day", record=record)
    autodraft_day = preferences.autodraft_day
    if method is PaymentMethod.ACH_AUTODRAFT:
        autodraft_day = rules.check_day_of_month(autodraft_day or due_day, field="autodraft_day", record=record)
    payer_email = rules.normalize_email(preferences.payer_email, field="payer_email", record=record) if preferences.payer_email else None
    if delivery in (Delivery.EMAIL, Delivery.BOTH) and not payer_email:
        raise ValidationError(
            code="preferences.email_missing",
            message="Email delivery needs the payer's email address.",
            record=record,
            field="payer_email",
            hint="Give --payer-email, or choose paper delivery.",
        )
    payer_address = preferences.payer_address
    if payer_address is not None:
        payer_address = replace(
            payer_address,
            state=rules.normalize_state(payer_address.state, field="payer_address.state", record=record),
            zip_code=rules.normalize_zip(payer_address.zip_code, field="payer_address.zip_code", record=record),
        )
    return replace(
        preferences,
        payment_method=method,
        payment_mode=mode,
        delivery=delivery,
        language=language,
        due_day=due_day,
        autodraft_day=autodraft_day,
        payer_email=payer_email,
        payer_phone=rules.normalize_phone(preferences.payer_phone, field="payer_phone", record=record)
        if preferences.payer_phone
        else None,
        payer_address=payer_address,
    )


def _assign_preferences(account: BillingAccount, preferences: BillingPreferences) -> None:
    account.payment_method = PaymentMethod(preferences.payment_method).value
    account.payment_mode = PaymentMode(preferences.payment_mode).value
    account.delivery = Delivery(preferences.delivery).value
    account.language = Language(preferences.language).value
    account.due_day = preferences.due_day
    account.autodraft_day = preferences.autodraft_day
    account.payer_name = preferences.payer_name
    account.payer_email = preferences.payer_email
    account.payer_phone = preferences.payer_phone
    address = preferences.payer_address
    account.payer_line1 = address.line1 if address else None
    account.payer_line2 = address.line2 if address else None
    account.payer_city = address.city if address else None
    account.payer_state = address.state if address else None
    account.payer_zip_code = address.zip_code if address else None


def _current_preferences(account: BillingAccount) -> BillingPreferences:
    from premia.accounts.model import Address

    address = None
    if account.payer_line1:
        address = Address(
            line1=account.payer_line1,
            line2=account.payer_line2,
            city=account.payer_city or "",
            state=account.payer_state or "",
            zip_code=account.payer_zip_code or "",
        )
    return BillingPreferences(
        payment_method=PaymentMethod(account.payment_method),
        payment_mode=PaymentMode(account.payment_mode),
        delivery=Delivery(account.delivery),
        language=Language(account.language),
        due_day=account.due_day,
        autodraft_day=account.autodraft_day,
        payer_name=account.payer_name,
        payer_email=account.payer_email,
        payer_phone=account.payer_phone,
        payer_address=address,
    )
