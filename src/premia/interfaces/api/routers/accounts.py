"""Billing accounts, their preferences and their billing summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    BillingPreferences,
    Delivery,
    Language,
    PaymentMethod,
    PaymentMode,
    PersonInput,
    Sex,
)
from premia.accounts.tables import BillingAccount
from premia.billing.queries import account_billing_summary
from premia.interfaces.api.deps import Context, IdempotencyKey, IfMatch, decode_cursor, encode_cursor, idempotent, require_if_match, set_etag
from premia.interfaces.api.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/accounts", tags=["accounts"])
COMMON_ERRORS = {k: PROBLEM_RESPONSES[k] for k in (401, 403, 404, 422)}


class AddressIn(BaseModel):
    line1: str = Field(min_length=1, max_length=128)
    line2: str | None = Field(default=None, max_length=128)
    city: str = Field(min_length=1, max_length=64)
    state: str = Field(min_length=2, max_length=2)
    zip_code: str = Field(min_length=5, max_length=10)

    def to_model(self) -> Address:
        return Address(line1=self.line1, line2=self.line2, city=self.city, state=self.state, zip_code=self.zip_code)


class HolderIn(BaseModel):
    first_name: str = Field(min_length=1, max_length=64)
    last_name: str = Field(min_length=1, max_length=64)
    birth_date: date
    sex: Sex = Sex.UNKNOWN
    ssn: str | None = Field(default=None, description="Nine digits; stored encrypted and shown masked.")
    address: AddressIn | None = None
    phone: str | None = None
    email: str | None = None
    language: Language = Language.ENGLISH


class PreferencesIn(BaseModel):
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    payment_mode: PaymentMode = PaymentMode.MONTHLY
    delivery: Delivery = Delivery.PAPER
    language: Language = Language.ENGLISH
    due_day: int = Field(default=1, ge=1, le=28)
    autodraft_day: int | None = Field(default=None, ge=1, le=28)
    payer_name: str | None = None
    payer_email: str | None = None
    payer_phone: str | None = None


class AccountCreate(BaseModel):
    kind: AccountKind
    holder: HolderIn | None = None
    holder_member_id: str | None = None
    employer_group_number: str | None = None
    legal_entity: str = "MAIN"
    preferences: PreferencesIn = PreferencesIn()


class PreferencesPatch(BaseModel):
    payment_method: PaymentMethod | None = None
    payment_mode: PaymentMode | None = None
    delivery: Delivery | None = None
    language: Language | None = None
    due_day: int | None = Field(default=None, ge=1, le=28)
    autodraft_day: int | None = Field(default=None, ge=1, le=28)
    payer_name: str | None = None
    payer_email: str | None = None
    payer_phone: str | None = None


class AccountOut(BaseModel):
    account_number: str
    kind: str
    status: str
    legal_entity: str
    holder_name: str
    holder: dict[str, Any] | None
    employer_group: dict[str, Any] | None
    preferences: dict[str, Any]
    bank_accounts: list[dict[str, Any]]
    version: int


class AccountPage(BaseModel):
    items: list[AccountOut]
    next_cursor: str | None = None


class BillingSummaryOut(BaseModel):
    account_number: str
    balance: dict[str, str]
    unapplied_credit: dict[str, str]
    aging: dict[str, dict[str, str]]
    policies: list[dict[str, Any]]
    invoices: list[dict[str, Any]]


def _out(view: Any) -> AccountOut:
    data = view.to_dict()
    data.pop("sections", None)
    return AccountOut(**data)


@router.get("", response_model=AccountPage, responses=COMMON_ERRORS)
def list_accounts(
    ctx: Context,
    member_id: str | None = None,
    last_name: str | None = None,
    birth_date: date | None = None,
    employer: str | None = None,
    status: Literal["open", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> AccountPage:
    """Search accounts by member ID, last name with date of birth, or employer; cursor-paginated."""
    after = decode_cursor(cursor) or ""
    views = accounts.find_accounts(
        ctx,
        member_id=member_id,
        last_name=last_name,
        birth_date=birth_date.isoformat() if birth_date else None,
        employer=employer,
        limit=1000,
    )
    views = [view for view in views if view.account_number > after and (status is None or view.status == status)]
    page = views[:limit]
    next_cursor = encode_cursor(page[-1].account_number) if len(views) > limit else None
    return AccountPage(items=[_out(view) for view in page], next_cursor=next_cursor)


@router.post("", status_code=201, response_model=AccountOut, responses={**COMMON_ERRORS, 409: PROBLEM_RESPONSES[409]})
def create_account(body: AccountCreate, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Open a billing account for a new or existing policyholder, or for an employer group."""

    def handler() -> tuple[int, Any]:
        holder = None
        if body.holder is not None:
            h = body.holder
            holder = PersonInput(
                first_name=h.first_name,
                last_name=h.last_name,
                birth_date=h.birth_date,
                sex=h.sex,
                ssn=h.ssn,
                residential_address=h.address.to_model() if h.address else None,
                phone=h.phone,
                email=str(h.email) if h.email else None,
                spoken_language=h.language,
                written_language=h.language,
            )
        p = body.preferences
        data = AccountInput(
            kind=body.kind,
            holder=holder,
            holder_member_id=body.holder_member_id,
            employer_group_number=body.employer_group_number,
            legal_entity=body.legal_entity,
            preferences=BillingPreferences(
                payment_method=p.payment_method,
                payment_mode=p.payment_mode,
                delivery=p.delivery,
                language=p.language,
                due_day=p.due_day,
                autodraft_day=p.autodraft_day,
                payer_name=p.payer_name,
                payer_email=str(p.payer_email) if p.payer_email else None,
                payer_phone=p.payer_phone,
            ),
        )
        account = accounts.create_account(ctx, data)
        return 201, _out(accounts.get_account(ctx, account.account_number))

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("/{account_number}", response_model=AccountOut, responses=COMMON_ERRORS)
def get_account(account_number: str, ctx: Context, response: Response) -> AccountOut:
    """One account with its holder (SSN masked), preferences and masked bank accounts; sends an ETag."""
    view = accounts.get_account(ctx, account_number)
    set_etag(response, view.version)
    return _out(view)


@router.patch(
    "/{account_number}/preferences",
    response_model=AccountOut,
    responses={**COMMON_ERRORS, 409: PROBLEM_RESPONSES[409], 412: PROBLEM_RESPONSES[412], 428: PROBLEM_RESPONSES[428]},
)
def update_preferences(account_number: str, body: PreferencesPatch, ctx: Context, response: Response, if_match: IfMatch = None) -> AccountOut:
    """Change billing preferences; needs If-Match with the ETag of the version you read."""
    current = accounts.get_account_row(ctx, account_number)
    version = require_if_match(if_match, current.version)
    changes = {name: (str(value) if name == "payer_email" else value) for name, value in body.model_dump(exclude_none=True).items()}
    accounts.update_preferences(ctx, account_number, changes, expected_version=version)
    view = accounts.get_account(ctx, account_number)
    set_etag(response, view.version)
    return _out(view)


@router.get("/{account_number}/billing", response_model=BillingSummaryOut, responses=COMMON_ERRORS)
def billing_summary(account_number: str, ctx: Context, as_of: date | None = None) -> BillingSummaryOut:
    """Balance, aging, paid-through per policy and invoices with lines, derived from the journal."""
    view = accounts.get_account(ctx, account_number)
    account = ctx.session.scalar(select(BillingAccount).where(BillingAccount.account_number == view.account_number))
    assert account is not None
    summary = account_billing_summary(ctx, account.id, as_of or ctx.today())
    return BillingSummaryOut(
        account_number=view.account_number,
        balance={"amount": summary["balance"], "currency": "USD"},
        unapplied_credit={"amount": summary["unapplied_credit"], "currency": "USD"},
        aging={name: {"amount": value, "currency": "USD"} for name, value in summary["aging"].items()},
        policies=summary["policies"],
        invoices=summary["invoices"],
    )
