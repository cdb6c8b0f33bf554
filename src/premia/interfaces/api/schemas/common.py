"""Types shared by the request and response models: bounded ids, dates and text, and the input base model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from premia.kernel.errors import ValidationError

# Ids are stored in 32-bit columns on some tables, so a larger number cannot name a row.
MAX_ID = 2_147_483_647
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)


def _in_date_range(value: date) -> date:
    # Dates far outside the business range overflow the date arithmetic of billing rules.
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}")
    return value


ApiDate = Annotated[date, AfterValidator(_in_date_range)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
MONTH_PATTERN = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"


def storable_text_problem(value: str) -> str | None:
    """Why a string cannot be stored as text in PostgreSQL, or None when it can."""
    if "\x00" in value:
        return "must not contain the NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    return None


def _check_texts(value: Any) -> None:
    if isinstance(value, str):
        problem = storable_text_problem(value)
        if problem:
            raise ValueError(problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_texts(key)
            _check_texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_texts(item)


class ApiInput(BaseModel):
    """Base of every request body: unknown fields are rejected, and text must be storable."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_texts(cls, data: Any) -> Any:
        _check_texts(data)
        return data


def reject_unstorable_parameters(request: Request) -> None:
    """Reject a path or query parameter holding text the database cannot store, before any route runs."""
    parameters = [("path", name, value) for name, value in request.path_params.items()]
    parameters += [("query", name, value) for name, value in request.query_params.multi_items()]
    for source, name, value in parameters:
        for text in (str(name), str(value)):
            problem = storable_text_problem(text)
            if problem:
                raise ValidationError(
                    code="api.invalid_request",
                    message=f"The {source} parameter {name!r} {problem}.",
                    field=str(name),
                    hint="Correct the parameter and send the request again.",
                )
