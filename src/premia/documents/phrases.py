"""Phrase catalogs and number and date formats, per document language.

Every sentence a document or email prints comes from ``templates/text/<language>.yaml``;
both catalogs must carry the same keys, which a unit test checks. Values are formatted for
the language before they are put in: ``Amount`` as dollars, ``date`` as a written date,
``Month`` as month and year.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from premia.accounts.model import Language
from premia.documents.content import Amount, Phrase
from premia.kernel.dates import Month
from premia.kernel.money import format_cents

TEXT_DIR = Path(__file__).parent / "templates" / "text"

MONTH_NAMES = {
    Language.ENGLISH: (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    Language.SPANISH: (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
}  # fmt: skip


def document_language(code: str | None) -> Language:
    """Return the language a document is written in. Codes without a catalog fall back to English."""
    try:
        return Language(code or Language.ENGLISH.value)
    except ValueError:
        return Language.ENGLISH


@cache
def catalog(language: Language) -> dict[str, str]:
    with (TEXT_DIR / f"{language.value}.yaml").open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return {str(key): str(value).strip() for key, value in loaded.items()}


@cache
def taglines() -> tuple[tuple[str, str, str], ...]:
    """Return (language code, language name, sentence with ``{phone}``) for the language-help notice."""
    with (TEXT_DIR / "taglines.yaml").open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return tuple((str(row["code"]), str(row["name"]), str(row["text"]).strip()) for row in loaded)


class Texts:
    """Phrases and formats of one language, callable from templates as ``t(key, **values)``."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.phrases = catalog(language)

    def __call__(self, key: str, **values: Any) -> str:
        try:
            template = self.phrases[key]
        except KeyError as exc:
            raise KeyError(f"phrase {key!r} is missing from the {self.language.value} catalog") from exc
        return template.format(**{name: self.value(value) for name, value in values.items()})

    def has(self, key: str) -> bool:
        return key in self.phrases

    def say(self, phrase: Phrase) -> str:
        return self(phrase.key, **phrase.values)

    def value(self, value: Any) -> str:
        """Format one value for print: amounts, dates and months in this language, the rest as text."""
        if isinstance(value, Amount):
            return self.money(value.cents)
        if isinstance(value, Phrase):
            return self.say(value)
        if isinstance(value, Month):
            return self.month(value)
        if isinstance(value, date):
            return self.day(value)
        if value is None:
            return ""
        return str(value)

    def money(self, cents: int) -> str:
        """Format cents as dollars: ``$1,234.50``, and ``-$12.00`` for a negative amount."""
        text = format_cents(abs(cents))
        return f"-${text}" if cents < 0 else f"${text}"

    def day(self, day: date) -> str:
        """Write a date out: ``March 1, 2026`` in English, ``1 de marzo de 2026`` in Spanish."""
        name = MONTH_NAMES[self.language][day.month - 1]
        if self.language is Language.SPANISH:
            return f"{day.day} de {name} de {day.year}"
        return f"{name} {day.day}, {day.year}"

    def month(self, month: Month) -> str:
        name = MONTH_NAMES[self.language][month.month - 1]
        if self.language is Language.SPANISH:
            return f"{name} de {month.year}"
        return f"{name} {month.year}"

    def short_month(self, month: Month) -> str:
        """Format a month for table columns, such as ``03/2026``."""
        return f"{month.month:02d}/{month.year}"

    def period(self, start: date, end: date) -> str:
        """Format a coverage period: ``March 2026`` for one whole month, ``March to May 2026`` for several."""
        first, last = Month.of(start), Month.of(end)
        whole_months = start == first.first_day and end == last.last_day
        if whole_months and first == last:
            return self.month(first)
        if whole_months and first.year == last.year:
            names = MONTH_NAMES[self.language]
            return self(
                "period_months", first=names[first.month - 1], last=names[last.month - 1], year=str(last.year)
            )
        if whole_months:
            return self("period_range", start=self.month(first), end=self.month(last))
        return self("period_range", start=start, end=end)
