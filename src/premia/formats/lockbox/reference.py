"""Normalise payment references for exact matching against invoice numbers.

Payers write ``PRM-2026-000114`` as ``PRM 2026 000114`` or ``prm2026-000114``. Blanks and
hyphens carry no meaning in an invoice number, so they are dropped and letters upper-cased.
Matching is equality of the normalised forms, never a substring test: ``PRM2026000114`` does
not match ``PRM2026001142``, although the first digits agree.
"""

from __future__ import annotations

# The ASCII hyphen-minus and the Unicode hyphens and dashes that word processors and
# spreadsheets substitute for it.
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")


def normalize_reference(reference: str) -> str:
    """Drop blanks and hyphens and upper-case the rest: ``"PRM 2026 000114"`` gives ``"PRM2026000114"``."""
    return "".join(
        character for character in reference if not character.isspace() and character not in _HYPHENS
    ).upper()


def references_match(left: str | None, right: str | None) -> bool:
    """Return whether two references are equal once normalised; an empty reference matches nothing."""
    if left is None or right is None:
        return False
    normalized = normalize_reference(left)
    return bool(normalized) and normalized == normalize_reference(right)
