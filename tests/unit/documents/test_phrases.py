"""Phrase catalogs: both languages complete, every key a template or builder uses present, formats."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest

from premia.accounts.model import Language
from premia.documents import letter_context
from premia.documents.model import RENDERED_TYPES
from premia.documents.phrases import TEXT_DIR, Texts, catalog, document_language, taglines
from premia.documents.render import TEMPLATES_DIR
from premia.enrollment.model import Relationship
from premia.kernel.dates import Month

SOURCE_DIR = Path(letter_context.__file__).parent


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _used_keys() -> set[str]:
    """Phrase keys named literally in templates and builders, plus the ones they build from codes."""
    keys: set[str] = set()
    for template in TEMPLATES_DIR.glob("*.html"):
        keys |= set(
            re.findall(r"""\bt\(\s*["']([a-z_A-Z0-9]+)["']\s*[,)]""", template.read_text(encoding="utf-8"))
        )
    for module in SOURCE_DIR.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""Phrase\(\s*["']([a-z_A-Z0-9]+)["']\s*[,)]""", text))
        keys |= set(re.findall(r"""Fact\(\s*["']([a-z_A-Z0-9]+)["']\s*[,)]""", text))
    keys |= {f"title_{notice_type.value}" for notice_type in RENDERED_TYPES}
    keys |= {f"relationship_{relationship.value}" for relationship in Relationship}
    keys |= {
        f"adjustment_{kind}_{sign}" for kind in ("premium", "aptc", "fee") for sign in ("charge", "credit")
    }
    keys |= {f"reason_{code}" for code in letter_context.KNOWN_REASONS}
    keys |= {f"return_reason_{code}" for code in letter_context.RETURN_REASONS}
    keys |= {f"dispute_{outcome}" for outcome in letter_context.DISPUTE_OUTCOMES}
    keys |= {f"refund_method_{method}" for method in ("check", "ach", "card")}
    keys |= {"email_subject", "email_body_attached", "email_body_link"}
    # Keys the letter builders pick from a condition rather than name in a call.
    keys |= {"delinquency_intro", "delinquency_intro_no_date", "grace_second_intro", "final_intro"}
    keys |= {
        "renewal_increase",
        "renewal_decrease",
        "renewal_no_change",
        "returned_pay_now",
        "returned_pay_now_no_date",
    }
    keys |= {"consequence_aptc", "consequence_standard", "consequence_group"}
    return keys


def test_catalogs_have_same_keys():
    assert set(catalog(Language.ENGLISH)) == set(catalog(Language.SPANISH))


def test_catalogs_have_same_placeholders():
    english, spanish = catalog(Language.ENGLISH), catalog(Language.SPANISH)
    mismatched = [key for key in english if _placeholders(english[key]) != _placeholders(spanish[key])]
    assert mismatched == []


def test_used_keys_exist():
    missing = sorted(_used_keys() - set(catalog(Language.ENGLISH)))
    assert missing == []


def test_every_catalog_file_is_a_language():
    assert {path.stem for path in TEXT_DIR.glob("*.yaml")} == {"en", "es", "taglines"}


def test_taglines_name_phone():
    assert all("{phone}" in text for _code, _name, text in taglines())


def test_taglines_cover_spanish_and_english():
    codes = [code for code, _name, _text in taglines()]
    assert "es" in codes
    assert "en" in codes
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("language", "expected"),
    [(Language.ENGLISH, "March 1, 2026"), (Language.SPANISH, "1 de marzo de 2026")],
)
def test_written_date(language, expected):
    assert Texts(language).day(date(2026, 3, 1)) == expected


@pytest.mark.parametrize(
    ("cents", "expected"), [(123_456, "$1,234.56"), (-1_250, "-$12.50"), (0, "$0.00"), (7, "$0.07")]
)
def test_money_format(cents, expected):
    assert Texts(Language.ENGLISH).money(cents) == expected


@pytest.mark.parametrize(
    ("language", "start", "end", "expected"),
    [
        (Language.ENGLISH, date(2026, 3, 1), date(2026, 3, 31), "March 2026"),
        (Language.SPANISH, date(2026, 3, 1), date(2026, 3, 31), "marzo de 2026"),
        (Language.ENGLISH, date(2026, 1, 1), date(2026, 3, 31), "January to March 2026"),
        (Language.SPANISH, date(2026, 1, 1), date(2026, 3, 31), "enero a marzo de 2026"),
        (Language.ENGLISH, date(2025, 12, 1), date(2026, 2, 28), "December 2025 to February 2026"),
        (Language.ENGLISH, date(2026, 3, 17), date(2026, 3, 31), "March 17, 2026 to March 31, 2026"),
    ],
)
def test_coverage_period(language, start, end, expected):
    assert Texts(language).period(start, end) == expected


def test_month_name():
    assert Texts(Language.SPANISH).month(Month(2026, 12)) == "diciembre de 2026"


def test_unknown_language_falls_back():
    assert document_language("fr") is Language.ENGLISH
    assert document_language("es") is Language.SPANISH


def test_missing_phrase_named():
    with pytest.raises(KeyError, match="no_such_phrase"):
        Texts(Language.ENGLISH)("no_such_phrase")
