"""Cursor pagination: every list route takes ``limit`` and ``cursor`` and returns ``{items, next_cursor}``.

A cursor is the sort key of the last item sent, so a page never repeats or skips a row when
rows are added between requests. Clients treat it as opaque text.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import decode_cursor, encode_cursor
from premia.interfaces.api.schemas.common import storable_text_problem
from premia.kernel.errors import ValidationError

ItemT = TypeVar("ItemT")
MAX_LIMIT = 200
# A cursor is decoded from client text, so its number may not fit the BIGINT the keys are compared as.
MIN_BIGINT = -(2**63)
MAX_BIGINT = 2**63 - 1

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=256, description="next_cursor of the previous page.")]


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; ``next_cursor`` is null on the last page."""

    items: list[ItemT]
    next_cursor: str | None = None


def after_key(cursor: str | None, key_type: type) -> Any:
    """Return the sort key a cursor encodes, or None for the first page."""
    value = decode_cursor(cursor)
    if value is None:
        return None
    if type(value) is not key_type or not _storable_key(value):
        raise ValidationError(
            code="api.invalid_cursor",
            message="The cursor is not valid for this list.",
            field="cursor",
            hint="Use next_cursor from the previous page of the same list.",
        )
    return value


def _storable_key(value: Any) -> bool:
    """Check that the database can compare a key with ``value``: a signed 64-bit integer, or text without NUL."""
    if isinstance(value, int):
        return MIN_BIGINT <= value <= MAX_BIGINT
    if isinstance(value, str):
        return storable_text_problem(value) is None
    return True


def keyset_page(
    ctx: ServiceContext,
    query: Select[Any],
    key: InstrumentedAttribute[Any],
    *,
    limit: int,
    cursor: str | None,
    key_type: type = int,
) -> tuple[list[Any], str | None]:
    """Run ``query`` for the rows after the cursor in ``key`` order; return them and the next cursor."""
    after = after_key(cursor, key_type)
    if after is not None:
        query = query.where(key > after)
    rows = list(ctx.session.scalars(query.order_by(key).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(getattr(rows[-1], key.key)) if more and rows else None
    return rows, next_cursor


def list_page(items: list[Any], *, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """Page a short list a service returns whole, such as one person's history, by position."""
    start = after_key(cursor, int) or 0
    if start < 0:
        raise ValidationError(
            code="api.invalid_cursor", message="The cursor is not valid.", field="cursor", hint="Use next_cursor from the previous page."
        )
    page = items[start : start + limit]
    next_cursor = encode_cursor(start + limit) if start + limit < len(items) else None
    return page, next_cursor
