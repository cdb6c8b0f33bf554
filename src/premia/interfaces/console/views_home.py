"""The start page: search for an account, with the staff member's open cases and SLA warnings beside it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from premia.interfaces.console.forms import FormFailure, FormFields
from premia.interfaces.console.rendering import render
from premia.servicing.account_search import SearchHit, SearchKind, search_accounts
from premia.interfaces.console.web import CurrentStaff, unit_of_work
from premia.kernel.errors import DomainError, PermissionDeniedError
from premia.servicing.case_queries import breach_warnings, list_cases
from premia.staff.permissions import Permission

router = APIRouter()

SEARCH_KINDS = [
    (SearchKind.ANY.value, "Anything"),
    (SearchKind.NAME.value, "Name"),
    (SearchKind.BIRTH_DATE.value, "Date of birth"),
    (SearchKind.MEMBER_ID.value, "Member ID"),
    (SearchKind.ACCOUNT.value, "Account number"),
    (SearchKind.INVOICE.value, "Invoice number"),
    (SearchKind.PHONE.value, "Phone"),
    (SearchKind.EMAIL.value, "Email"),
]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, staff: CurrentStaff) -> HTMLResponse:
    return _page(request, staff, query=FormFields.of([]), hits=None, failure=None)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, staff: CurrentStaff) -> HTMLResponse:
    query = FormFields.of(list(request.query_params.multi_items()))
    if query.text("q") is None and query.text("birth_date") is None:
        return _page(request, staff, query=query, hits=None, failure=None)
    try:
        with unit_of_work(request, staff.actor) as ctx:
            hits = search_accounts(
                ctx,
                text=query.text("q"),
                birth_date=query.optional_day("birth_date"),
                kind=query.optional_choice("kind", SearchKind, label="Search by") or SearchKind.ANY,
            )
    except PermissionDeniedError:
        raise
    except DomainError as error:
        return _page(request, staff, query=query, hits=None, failure=FormFailure.of("search", error, query), status_code=422)
    return _page(request, staff, query=query, hits=hits, failure=None)


def _page(
    request: Request,
    staff: CurrentStaff,
    *,
    query: FormFields,
    hits: list[SearchHit] | None,
    failure: FormFailure | None,
    status_code: int = 200,
) -> HTMLResponse:
    my_cases = []
    warnings = []
    if staff.can(Permission.CASES_WORK):
        with unit_of_work(request, staff.actor) as ctx:
            my_cases = list_cases(ctx, owner=staff.actor.username, open_only=True, limit=20)
            if staff.can(Permission.CASES_SUPERVISE):
                warnings = breach_warnings(ctx)[:10]
    return render(
        request,
        "home.html",
        staff=staff,
        status_code=status_code,
        nav="search",
        page_title="Find an account",
        query=query.values,
        kinds=SEARCH_KINDS,
        hits=hits,
        failure=failure,
        my_cases=my_cases,
        warnings=warnings,
    )
