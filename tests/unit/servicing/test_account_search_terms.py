"""What a search box entry is taken for (pure)."""

from __future__ import annotations

import pytest

from premia.servicing.account_search import SearchKind, detect_kind, phone_digits, split_name


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("BA-000123", SearchKind.ACCOUNT),
        ("ba-7", SearchKind.ACCOUNT),
        ("PRM-2026-000114", SearchKind.INVOICE),
        ("maria@example.com", SearchKind.EMAIL),
        ("(804) 555-0142", SearchKind.PHONE),
        ("1 804 555 0142", SearchKind.PHONE),
        ("1980-03-15", SearchKind.BIRTH_DATE),
        ("3/15/1980", SearchKind.BIRTH_DATE),
        ("M000000012", SearchKind.MEMBER_ID),
        ("Lopez", SearchKind.NAME),
        ("Maria Lopez", SearchKind.NAME),
        ("O'Brien", SearchKind.NAME),
    ],
)
def test_detect_kind(text: str, kind: SearchKind) -> None:
    assert detect_kind(text) is kind


def test_phone_digits() -> None:
    assert phone_digits("+1 (804) 555-0142") == "8045550142"
    assert phone_digits("555-0142") is None


def test_split_name() -> None:
    assert split_name("Lopez") == ("Lopez", None)
    assert split_name("Maria  Lopez") == ("Lopez", "Maria")
    assert split_name("Lopez, Maria") == ("Lopez", "Maria")
    assert split_name("Mary Ann Lopez") == ("Lopez", "Mary Ann")
