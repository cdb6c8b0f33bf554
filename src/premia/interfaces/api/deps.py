"""Request dependencies: the database session, the bearer token's actor, permissions, idempotency, ETags."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from premia.infra.context import ServiceContext
from premia.interfaces.api.tables import IdempotentResponse
from premia.kernel.errors import ConflictError, DomainError, ValidationError
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Permission, allows

BEARER = HTTPBearer(auto_error=False, description="Bearer token from POST /api/v1/tokens.")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.session_factory()
    try:
        session.begin()
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# The "function" scope commits before the response is sent, so a client never gets a success
# whose transaction then failed, and its next request reads what this one wrote.
RequestSession = Annotated[Session, Depends(_session, scope="function")]


def _context(
    request: Request,
    session: RequestSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> ServiceContext:
    ctx = ServiceContext(
        session=session,
        actor=Actor.system("anonymous"),
        clock=request.app.state.clock,
        settings=request.app.state.settings,
        channel="api",
    )
    token = _bearer_token(credentials)
    try:
        ctx.actor = staff.actor_for_token(ctx, token)
    except DomainError as error:
        if error.code != "staff.session_invalid":
            raise
        # The service's hint names the CLI login, but an API client gets a new token from /tokens.
        raise DomainError(
            code=error.code,
            message="The bearer token is unknown, expired or revoked.",
            field="Authorization",
            hint="Get a new token from POST /api/v1/tokens and send it as `Authorization: Bearer <token>`.",
        ) from error
    return ctx


def _anonymous_context(request: Request, session: RequestSession) -> ServiceContext:
    return ServiceContext(
        session=session,
        actor=Actor.system("anonymous"),
        clock=request.app.state.clock,
        settings=request.app.state.settings,
        channel="api",
    )


def _bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials.strip():
        raise DomainError(
            code="staff.session_invalid",
            message="A bearer token is required.",
            field="Authorization",
            hint="Send `Authorization: Bearer <token>`; get a token from POST /api/v1/tokens.",
        )
    return credentials.credentials.strip()


Context = Annotated[ServiceContext, Depends(_context)]
AnonymousContext = Annotated[ServiceContext, Depends(_anonymous_context)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="Retrying with the same key returns the first response and changes nothing.",
    ),
]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="The ETag of the version being changed.")]


def requires(*permissions: Permission) -> Any:
    """Build a route dependency that rejects a token whose role lacks any of ``permissions``.

    It runs before the path and body are validated, so a role without the permission gets
    403 whatever the request contains. The services check again on their own.
    """

    def check(ctx: Context) -> None:
        for permission in permissions:
            ctx.require(permission)

    check.__name__ = "requires_" + "_".join(permission.value.replace(".", "_") for permission in permissions)
    return Depends(check)


def requires_any(*permissions: Permission) -> Any:
    """Build a route dependency that accepts a role with at least one of ``permissions``."""

    def check(ctx: Context) -> None:
        if any(allows(ctx.actor.role, permission) for permission in permissions):
            return
        ctx.require(permissions[0])

    check.__name__ = "requires_any_" + "_".join(permission.value.replace(".", "_") for permission in permissions)
    return Depends(check)


def idempotent(
    ctx: ServiceContext,
    request: Request,
    key: str | None,
    payload: Any,
    handler: Callable[[], tuple[int, Any]],
) -> JSONResponse:
    """Run ``handler`` once per key: a retry with the same key and body gets the first response.

    The key is claimed before the handler runs, so a second request with the same key sent
    while the first is still running gets a 409 instead of doing the work twice. A handler
    that raises rolls the claim back with everything else, so the request can be retried.
    """
    method_path = f"{request.method} {request.url.path}"
    if key is None:
        status, body = handler()
        return JSONResponse(jsonable_encoder(body), status_code=status)
    request_hash = hashlib.sha256(json.dumps(jsonable_encoder(payload), sort_keys=True).encode()).hexdigest()
    stored = ctx.session.scalar(
        select(IdempotentResponse).where(IdempotentResponse.username == ctx.actor.username, IdempotentResponse.idempotency_key == key)
    )
    if stored is not None:
        if stored.request_hash != request_hash or stored.method_path != method_path:
            raise ConflictError(
                code="api.idempotency_key_reused",
                message=f"Idempotency-Key {key!r} was used for a different request.",
                field="Idempotency-Key",
                value=key,
                hint="Use a new key for a new request; reuse a key only to retry the same request.",
            )
        return JSONResponse(stored.body, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"})

    claim = IdempotentResponse(
        username=ctx.actor.username,
        idempotency_key=key,
        method_path=method_path,
        request_hash=request_hash,
        status_code=0,
        body={},
        created_at=ctx.now(),
    )
    try:
        with ctx.session.begin_nested():
            ctx.session.add(claim)
    except IntegrityError as exc:
        raise ConflictError(
            code="api.idempotency_key_in_use",
            message=f"A request with Idempotency-Key {key!r} is still being processed.",
            field="Idempotency-Key",
            value=key,
            hint="Retry in a moment with the same key to get its response.",
        ) from exc
    status, body = handler()
    encoded = jsonable_encoder(body)
    claim.status_code = status
    claim.body = encoded
    ctx.session.flush()
    return JSONResponse(encoded, status_code=status)


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def require_if_match(if_match: str | None, current_version: int) -> int:
    """Return the version the client edited; a missing or stale If-Match is rejected."""
    if not if_match:
        raise DomainError(
            code="api.precondition_required",
            message="This update needs an If-Match header.",
            field="If-Match",
            hint="Send the ETag from your last GET of the record.",
        )
    expected = etag_for(current_version)
    if if_match.strip() != expected:
        raise DomainError(
            code="api.precondition_failed",
            message=f"The record changed since you read it (current ETag {expected}).",
            field="If-Match",
            value=if_match,
            hint="GET the record again, reapply your change and send it with the new ETag.",
        )
    return current_version


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValidationError(
            code="api.invalid_cursor", message="The cursor is not valid.", field="cursor", hint="Use next_cursor from the previous page."
        ) from exc


def service_idempotency_key(ctx: ServiceContext, key: str | None) -> str | None:
    """Return the key a service stores for an Idempotency-Key: scoped to the user, at most 128 characters."""
    if key is None:
        return None
    scoped = f"api:{ctx.actor.username}:{key}"
    if len(scoped) <= 128:
        return scoped
    return "api:" + hashlib.sha256(scoped.encode("utf-8")).hexdigest()
