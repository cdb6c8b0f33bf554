"""Billing accounts: open, search, read, change preferences, add bank accounts, and the billing summary."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, BankAccountInput, BillingPreferences, PersonInput
from premia.accounts.tables import BillingAccount
from premia.billing.queries import account_billing_summary
from premia.interfaces.api.deps import (
    Context,
    IdempotencyKey,
    IfMatch,
    encode_cursor,
    idempotent,
    require_if_match,
    requires,
    set_etag,
)
from premia.interfaces.api.errors import problems
from premia.interfaces.api.paging import Cursor, Limit, Page, after_key, keyset_page
from premia.interfaces.api.schemas.accounts import (
    AccountCreate,
    AccountOut,
    BankAccountIn,
    BankAccountOut,
    BillingSummaryOut,
    PreferencesPatch,
    summary_out,
)
from premia.interfaces.api.schemas.common import ApiDate
from premia.staff.permissions import Permission

router = APIRouter(prefix="/accounts", tags=["accounts"])
ETAG_HEADER = {"ETag": {"description": "The account's version, for If-Match.", "schema": {"type": "string"}}}
# A filtered search matches a handful of accounts; this caps one that matches far more.
MAX_SEARCH_MATCHES = 1_000


def _out(view: Any) -> AccountOut:
    data = view.to_dict()
    data.pop("sections", None)
    return AccountOut.model_validate(data)


@router.get("", response_model=Page[AccountOut], responses=problems(422), dependencies=[requires(Permission.MEMBER_READ)])
def list_accounts(
    ctx: Context,
    member_id: str | None = None,
    last_name: str | None = None,
    birth_date: ApiDate | None = None,
    employer: str | None = None,
    status: Literal["open", "closed"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AccountOut]:
    """Search accounts by member ID, last name with date of birth, or employer, in account-number order.

    Without a search field every account is listed. Each account shown is audited as a search.
    """
    if member_id or last_name or birth_date or employer:
        return _search(ctx, member_id, last_name, birth_date, employer, status, limit, cursor)
    query = select(BillingAccount)
    if status is not None:
        query = query.where(BillingAccount.status == status)
    rows, next_cursor = keyset_page(ctx, query, BillingAccount.account_number, limit=limit, cursor=cursor, key_type=str)
    views = [accounts.find_accounts(ctx, account_number=row.account_number, limit=1)[0] for row in rows]
    return Page[AccountOut](items=[_out(view) for view in views], next_cursor=next_cursor)


def _search(
    ctx: Any,
    member_id: str | None,
    last_name: str | None,
    birth_date: date | None,
    employer: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Page[AccountOut]:
    after = after_key(cursor, str) or ""
    views = accounts.find_accounts(
        ctx, member_id=member_id, last_name=last_name, birth_date=birth_date, employer=employer, limit=MAX_SEARCH_MATCHES
    )
    views = [view for view in views if view.account_number > after and (status is None or view.status == status)]
    page = views[:limit]
    next_cursor = encode_cursor(page[-1].account_number) if len(views) > limit else None
    return Page[AccountOut](items=[_out(view) for view in page], next_cursor=next_cursor)


@router.post(
    "",
    status_code=201,
    response_model=AccountOut,
    responses=problems(404, 409, 422),
    dependencies=[requires(Permission.MEMBER_WRITE)],
)
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
                email=h.email,
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
                payer_email=p.payer_email,
                payer_phone=p.payer_phone,
            ),
        )
        account = accounts.create_account(ctx, data)
        return 201, _out(accounts.get_account(ctx, account.account_number))

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get(
    "/{account_number}",
    response_model=AccountOut,
    responses={200: {"headers": ETAG_HEADER}, **problems(404, 422)},
    dependencies=[requires(Permission.MEMBER_READ)],
)
def get_account(account_number: str, ctx: Context, response: Response) -> AccountOut:
    """Return one account with its holder (SSN masked), preferences and masked bank accounts, with an ETag."""
    view = accounts.get_account(ctx, account_number)
    set_etag(response, view.version)
    return _out(view)


@router.patch(
    "/{account_number}/preferences",
    response_model=AccountOut,
    responses={200: {"headers": ETAG_HEADER}, **problems(404, 409, 412, 422, 428)},
    dependencies=[requires(Permission.MEMBER_WRITE)],
)
def update_preferences(account_number: str, body: PreferencesPatch, ctx: Context, response: Response, if_match: IfMatch = None) -> AccountOut:
    """Change billing preferences; needs If-Match with the ETag of the version you read."""
    current = accounts.get_account_row(ctx, account_number)
    version = require_if_match(if_match, current.version)
    changes = body.model_dump(exclude_none=True)
    accounts.update_preferences(ctx, account_number, changes, expected_version=version)
    view = accounts.get_account(ctx, account_number)
    set_etag(response, view.version)
    return _out(view)


@router.post(
    "/{account_number}/bank-accounts",
    status_code=201,
    response_model=BankAccountOut,
    responses=problems(404, 409, 422),
    dependencies=[requires(Permission.BANK_ACCOUNT_WRITE)],
)
def add_bank_account(account_number: str, body: BankAccountIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Record the payer's bank account with its ACH debit authorization; it replaces the active one."""

    def handler() -> tuple[int, Any]:
        view = accounts.add_bank_account(
            ctx,
            account_number,
            BankAccountInput(
                holder_name=body.holder_name,
                routing_number=body.routing_number,
                account_number=body.account_number,
                account_type=body.account_type,
                authorization_method=body.authorization_method,
                authorized_by=body.authorized_by,
                authorization_reference=body.authorization_reference,
            ),
        )
        return 201, BankAccountOut.model_validate(view, from_attributes=True)

    # The account number is kept out of the stored request hash; only its masked form is ever stored.
    return idempotent(ctx, request, idempotency_key, body.model_dump(exclude={"account_number"}) | {"last4": body.account_number[-4:]}, handler)


@router.get(
    "/{account_number}/billing",
    response_model=BillingSummaryOut,
    responses=problems(404, 422),
    dependencies=[requires(Permission.MEMBER_READ, Permission.BILLING_READ)],
)
def billing_summary(account_number: str, ctx: Context, as_of: ApiDate | None = None) -> BillingSummaryOut:
    """Balance, aging, paid-through per policy and invoices with lines, derived from the journal."""
    view = accounts.get_account(ctx, account_number)
    account = ctx.session.scalar(select(BillingAccount).where(BillingAccount.account_number == view.account_number))
    assert account is not None
    summary = account_billing_summary(ctx, account.id, as_of or ctx.today())
    return summary_out(view.account_number, summary)
