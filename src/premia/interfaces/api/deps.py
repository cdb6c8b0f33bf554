"""Request dependencies: the database session, the bearer token's actor, idempotency, ETags."""

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
from sqlalchemy import select
from sqlalchemy.orm import Session

from premia.infra.context import ServiceContext
from premia.interfaces.api.tables import IdempotentResponse
from premia.kernel.errors import ConflictError, DomainError, ValidationError
from premia.staff import service as staff
from premia.staff.model import Actor


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


def _context(
    request: Request,
    session: Annotated[Session, Depends(_session)],
    authorization: Annotated[str | None, Header(description="Bearer token from POST /api/v1/tokens.")] = None,
) -> ServiceContext:
    ctx = ServiceContext(session=session, actor=Actor.system("anonymous"), clock=request.app.state.clock, settings=request.app.state.settings, channel="api")
    token = _bearer(authorization)
    ctx.actor = staff.actor_for_token(ctx, token)
    return ctx


def _anonymous_context(request: Request, session: Annotated[Session, Depends(_session)]) -> ServiceContext:
    return ServiceContext(session=session, actor=Actor.system("anonymous"), clock=request.app.state.clock, settings=request.app.state.settings, channel="api")


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise DomainError(
            code="staff.session_invalid",
            message="A bearer token is required.",
            field="Authorization",
            hint="Send `Authorization: Bearer <token>`; get a token from POST /api/v1/tokens.",
        )
    return authorization.split(" ", 1)[1].strip()


Context = Annotated[ServiceContext, Depends(_context)]
AnonymousContext = Annotated[ServiceContext, Depends(_anonymous_context)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="Retrying with the same key returns the first response."),
]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="The ETag of the version being changed.")]


def idempotent(
    ctx: ServiceContext,
    request: Request,
    key: str | None,
    payload: Any,
    handler: Callable[[], tuple[int, Any]],
) -> JSONResponse:
    """Run ``handler`` once per key: a retry with the same key and body gets the first response."""
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
    status, body = handler()
    encoded = jsonable_encoder(body)
    ctx.session.add(
        IdempotentResponse(
            username=ctx.actor.username,
            idempotency_key=key,
            method_path=method_path,
            request_hash=request_hash,
            status_code=status,
            body=encoded,
            created_at=ctx.now(),
        )
    )
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
