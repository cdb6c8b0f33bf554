"""RFC 9457 problem details: the one place where domain errors become HTTP statuses.

Clients get the stable domain code, the field at fault and the fix hint, never exception text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from premia.interfaces.api.money import AMOUNT_PATTERN, CURRENCY_PATTERN
from premia.kernel.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError, ValidationError

log = logging.getLogger("premia.api")
PROBLEM_TYPE_BASE = "https://premia.example/problems/"
PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: list[tuple[type[DomainError], int]] = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (ValidationError, 422),
]
STATUS_BY_CODE = {
    "staff.session_invalid": 401,
    "staff.login_failed": 401,
    "staff.not_logged_in": 401,
    "staff.user_inactive": 401,
    "api.upload_too_large": 413,
    "api.precondition_failed": 412,
    "api.precondition_required": 428,
}


class Problem(BaseModel):
    """An error response (RFC 9457) with Premia's domain code, field and fix hint."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    hint: str | None = None
    record: str | None = None
    errors: list[dict[str, Any]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}
    for status, description in {
        400: "The request body could not be read",
        401: "Missing or invalid bearer token",
        403: "The token's role lacks the permission",
        404: "Not found",
        409: "Conflict with stored state",
        412: "If-Match does not match the current version",
        422: "Invalid input",
        413: "The uploaded file is too large",
        428: "If-Match is required",
    }.items()
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented problem responses for ``statuses``, plus those every route can return.

    Every route returns 401 without a valid token and 403 to a role without the permission,
    and 422 for a path or query parameter with text the database cannot store.
    """
    return {status: PROBLEM_RESPONSES[status] for status in sorted({401, 403, 422, *statuses})}


def _problem_entry(status: int) -> dict[str, Any]:
    return {"description": PROBLEM_RESPONSES[status]["description"], "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def finish_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """Complete the generated document with what FastAPI leaves out of it.

    FastAPI puts a response model's schema under the route's media type, which is
    application/json or, for a file route, text/plain. Problem responses are documented under
    application/problem+json only, because that is the media type they are sent with. A body that is not
    readable (not UTF-8, or not the declared form encoding) is answered 400 before any route
    runs, so operations with a body document that status too, and operations that take an
    Idempotency-Key document the 409 of a reused key.
    """
    for path in document.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            headers = {parameter.get("name") for parameter in operation.get("parameters", []) if parameter.get("in") == "header"}
            if "requestBody" in operation:
                responses.setdefault("400", _problem_entry(400))
            # A key reused for another request, or still in use by a running one, is a conflict.
            if "Idempotency-Key" in headers:
                responses.setdefault("409", _problem_entry(409))
            for response in responses.values():
                if PROBLEM_JSON in response.get("content", {}):
                    response["content"] = _problem_entry(400)["content"]
    return document


HTTP_HINTS = {
    400: "Send the body as UTF-8 JSON, or as multipart/form-data for file uploads.",
    404: "Check the path against the API documentation at /api/v1/docs.",
    405: "Check the method against the API documentation at /api/v1/docs.",
}


def status_for(error: DomainError) -> int:
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    if isinstance(error, PermissionDeniedError):
        return 403
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 422


def problem_response(
    status: int, *, code: str, title: str, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = Problem(type=PROBLEM_TYPE_BASE + code, title=title, status=status, detail=detail, code=code, **extra)
    sent = dict(headers or {})
    # RFC 9110 requires a 401 to carry WWW-Authenticate with the scheme the client should use.
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON, headers=sent or None
    )


def _json_decode_issue(error: RequestValidationError) -> Mapping[str, Any] | None:
    """Return the issue FastAPI reports for a body that is not JSON, or None when the JSON was read."""
    return next((issue for issue in error.errors() if issue.get("type") == "json_invalid"), None)


def _unreadable_body(issue: Mapping[str, Any]) -> JSONResponse:
    # FastAPI reports a JSON syntax error as a 422 located at a character offset. The body
    # was never read, so the response is a 400 on the body as a whole.
    reason = (issue.get("ctx") or {}).get("error") or "not valid JSON"
    location = issue.get("loc", ())
    offset = location[1] if len(location) > 1 else None
    where = f" at character {offset}" if isinstance(offset, int) else ""
    detail = f"The body is not valid JSON: {reason}{where}."
    return problem_response(
        400, code="api.invalid_json", title="The request body could not be read.", detail=detail, field="body", hint=HTTP_HINTS[400]
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        status = status_for(error)
        return problem_response(
            status, code=error.code, title=error.message, detail=error.message, field=error.field, hint=error.hint, record=error.record
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        unreadable = _json_decode_issue(error)
        if unreadable is not None:
            return _unreadable_body(unreadable)
        issues = [
            {"field": ".".join(str(part) for part in issue["loc"][1:]) or str(issue["loc"][0]), "message": _plain_message(issue)}
            for issue in error.errors()
        ]
        first = issues[0] if issues else {"field": None, "message": "invalid request"}
        return problem_response(
            422,
            code="api.invalid_request",
            title="The request is not valid.",
            detail=f"{first['field']}: {first['message']}",
            field=first["field"],
            hint="Correct the listed fields and send the request again.",
            errors=issues,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        # Starlette's own headers are kept: a 405 names the allowed methods in Allow (RFC 9110).
        return problem_response(
            error.status_code,
            code=f"http.{error.status_code}",
            title=str(error.detail),
            detail=str(error.detail),
            hint=HTTP_HINTS.get(error.status_code),
            headers=error.headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(500, code="api.internal_error", title="Internal error.", detail="The request failed; it was logged.")


def _plain_message(issue: Mapping[str, Any]) -> str:
    """Return Pydantic's message, or a plain one where it would show a regular expression."""
    pattern = (issue.get("ctx") or {}).get("pattern")
    if issue.get("type") == "string_pattern_mismatch" and pattern == AMOUNT_PATTERN:
        return f"{issue.get('input')!r} is not an amount: write dollars with two decimal places, for example 968.00."
    if issue.get("type") == "string_pattern_mismatch" and pattern == CURRENCY_PATTERN:
        return f"{issue.get('input')!r} is not a supported currency: Premia bills in USD."
    return str(issue["msg"])
