"""Case-insensitive search conditions treat LIKE wildcards in the searched text as text."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

from premia.infra.db import contains_ignoring_case, matches_ignoring_case, starts_with_ignoring_case

NAMES = ["O'Brien", "100% Cotton Co", "Under_score", "Back\\slash", "Plain"]


@pytest.fixture
def names_table():
    engine = create_engine("sqlite://")
    table = Table("names", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(table), [{"name": name} for name in NAMES])
    yield engine, table
    engine.dispose()


def _found(names_table, condition) -> list[str]:
    engine, table = names_table
    with engine.connect() as connection:
        return sorted(connection.scalars(select(table.c.name).where(condition(table.c.name))))


@pytest.mark.parametrize(
    ("make", "text", "expected"),
    [
        (matches_ignoring_case, "plain", ["Plain"]),
        (matches_ignoring_case, "%", []),
        (matches_ignoring_case, "Under_score", ["Under_score"]),
        (matches_ignoring_case, "Under score", []),
        (starts_with_ignoring_case, "o'", ["O'Brien"]),
        (starts_with_ignoring_case, "_", []),
        (contains_ignoring_case, "100%", ["100% Cotton Co"]),
        (contains_ignoring_case, "%", ["100% Cotton Co"]),
        (contains_ignoring_case, "_", ["Under_score"]),
        (contains_ignoring_case, "\\", ["Back\\slash"]),
    ],
)
def test_like_text_is_literal(names_table, make, text: str, expected: list[str]) -> None:
    assert _found(names_table, lambda column: make(column, text)) == expected
