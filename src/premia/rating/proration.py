"""Proration of a monthly amount over the days covered in one calendar month.

Every method works on the member's rounded monthly premium (or APTC) in cents and a covered
span inside one month, both ends inclusive. The actual-days method multiplies before it
divides and rounds half-up once, so ``600.00 x 14 / 31`` gives 270.97 and not 270.98.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from premia.kernel.dates import DateSpan, Month
from premia.kernel.errors import ValidationError
from premia.kernel.money import cents_to_decimal, round_half_up_cents
from premia.rating.model import ProrationMethod

THIRTY_DAY_MONTH = 30
FIFTEEN_DAYS = 15
MID_MONTH_DAY = 15


class EarnedAndCredit(NamedTuple):
    """A month's amount split at a last covered day: the earned part and the credit for the rest."""

    earned_cents: int
    credit_cents: int


def prorate(
    monthly_cents: int,
    covered: DateSpan,
    method: ProrationMethod = ProrationMethod.ACTUAL_DAYS,
) -> int:
    """Return the part of ``monthly_cents`` owed for the ``covered`` days of one month.

    ``actual_days``: monthly x covered days / days in the month, rounded half-up once.
    ``thirty_day``: monthly x covered days / 30 (at most 30 days); a whole month is the monthly amount.
    ``fifteenth_rule_add``: the whole month when 15 or more days are covered, otherwise 0.
    ``sixteenth_rule_term``: the whole month when coverage starts by the 15th and ends on the
    16th or later, otherwise 0; so a term on the 20th owes the month and a term on the 15th owes nothing.
    ``full_month``: the whole month for any covered day.
    ``half_month``: the whole month when coverage starts by the 15th and ends on the 16th or
    later, otherwise half of it.
    """
    month, last_day = _month_and_end(covered)
    days = covered.days
    if days == month.days:
        return monthly_cents

    if method is ProrationMethod.ACTUAL_DAYS:
        return round_half_up_cents(cents_to_decimal(monthly_cents) * days / month.days)
    if method is ProrationMethod.THIRTY_DAY:
        return round_half_up_cents(
            cents_to_decimal(monthly_cents) * min(days, THIRTY_DAY_MONTH) / THIRTY_DAY_MONTH
        )
    if method is ProrationMethod.FIFTEENTH_RULE_ADD:
        return monthly_cents if days >= FIFTEEN_DAYS else 0
    if method is ProrationMethod.SIXTEENTH_RULE_TERM:
        return monthly_cents if _spans_mid_month(covered.start, last_day) else 0
    if method is ProrationMethod.FULL_MONTH:
        return monthly_cents
    if method is ProrationMethod.HALF_MONTH:
        return (
            monthly_cents
            if _spans_mid_month(covered.start, last_day)
            else round_half_up_cents(cents_to_decimal(monthly_cents) / 2)
        )
    raise ValueError(f"unknown proration method {method!r}")


def earned_and_credit(
    monthly_cents: int,
    last_day: date,
    *,
    method: ProrationMethod = ProrationMethod.ACTUAL_DAYS,
    first_day: date | None = None,
) -> EarnedAndCredit:
    """Split a billed month at the last covered day into earned premium and credit.

    The earned part is prorated; the credit is the monthly amount minus the earned part,
    so the two add back to the monthly amount exactly. ``first_day`` defaults to the first
    of the month, for coverage that started before it.
    """
    start = first_day or Month.of(last_day).first_day
    earned = prorate(monthly_cents, DateSpan(start, last_day), method)
    return EarnedAndCredit(earned, monthly_cents - earned)


def _month_and_end(covered: DateSpan) -> tuple[Month, date]:
    if covered.end is None:
        raise ValidationError(
            code="proration.open_span",
            message=f"coverage from {covered.start} has no end date to prorate to.",
            field="covered",
            hint="Prorate one calendar month at a time, with both the first and last covered day.",
        )
    month = Month.of(covered.start)
    if Month.of(covered.end) != month:
        raise ValidationError(
            code="proration.span_crosses_month",
            message=f"covered span {covered.start}..{covered.end} crosses a month boundary.",
            field="covered",
            value=f"{covered.start}..{covered.end}",
            hint="Split the span into calendar months and prorate each month on its own.",
        )
    return month, covered.end


def _spans_mid_month(start: date, end: date) -> bool:
    return start.day <= MID_MONTH_DAY and end.day > MID_MONTH_DAY
