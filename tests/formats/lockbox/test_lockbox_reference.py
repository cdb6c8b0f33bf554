"""Reference normalisation for exact invoice matching: blanks and hyphens ignored, never a substring match."""

from __future__ import annotations

import pytest

from premia.formats.lockbox import normalize_reference, references_match


@pytest.mark.parametrize(
    "written",
    ["PRM 2026 000114", "PRM-2026-000114", "prm2026-000114", " PRM\u20132026\u00a0000114 ", "PRM2026000114"],
)
def test_normalized_forms(written: str) -> None:
    assert normalize_reference(written) == "PRM2026000114"


def test_memo_matches_its_invoice() -> None:
    assert references_match("PRM 2026 000114", "PRM-2026-000114")


def test_digit_group_inside_other_invoice() -> None:
    # "114" occurs inside PRM-2026-001142, which must not match.
    assert not references_match("PRM 2026 000114", "PRM-2026-001142")


def test_unknown_invoice_matches_neither() -> None:
    assert not references_match("PRM 2026 000199", "PRM-2026-000114")
    assert not references_match("PRM 2026 000199", "PRM-2026-001142")


def test_prefix_does_not_match() -> None:
    assert not references_match("PRM-2026-00011", "PRM-2026-000114")


@pytest.mark.parametrize(
    ("left", "right"), [("", ""), (" - ", ""), (None, "PRM-2026-000114"), ("PRM-2026-000114", None)]
)
def test_empty_references_match_nothing(left: str | None, right: str | None) -> None:
    assert not references_match(left, right)
