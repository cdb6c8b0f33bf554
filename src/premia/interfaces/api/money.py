"""Amounts in JSON: decimal strings with their currency, never floats."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, Field

from premia.kernel.money import format_cents, parse_amount

# At most 13 digits of dollars: beyond that an amount is a typing error, not money.
AMOUNT_PATTERN = r"^-?\d{1,13}\.\d{2}$"
CURRENCY_PATTERN = r"^USD$"


class Money(BaseModel):
    amount: Annotated[str, Field(pattern=AMOUNT_PATTERN, examples=["968.00"])]
    currency: Annotated[str, Field(pattern=CURRENCY_PATTERN)] = "USD"

    @classmethod
    def of(cls, cents: int) -> Money:
        return cls(amount=format_cents(cents, thousands=False))

    def cents(self, *, field: str = "amount") -> int:
        return parse_amount(self.amount, field=field)


def is_amount(text: str) -> bool:
    return re.match(AMOUNT_PATTERN, text) is not None
