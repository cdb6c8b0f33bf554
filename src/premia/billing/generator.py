"""The invoice generator: pure arithmetic from expected charges and earlier billing to lines.

For each charge key, the amount still to bill is what the coverage as it stands costs now,
minus what was billed for that key before. Keys inside the period being invoiced that were
never billed become regular lines; every other non-zero difference becomes an adjustment
line, so a late change to a month already billed (an added newborn, a retroactive
termination, a new rate) is corrected on the next invoice and the old invoice stays as it
was issued.
"""

from __future__ import annotations

from collections.abc import Mapping

from premia.billing.model import BillingPeriod, Charge, ChargeKey, DraftLine


def draft_lines(
    period: BillingPeriod,
    expected: Mapping[ChargeKey, Charge],
    billed: Mapping[ChargeKey, int],
) -> list[DraftLine]:
    """Lines for ``period``: its own months in full, earlier and later months as differences."""
    lines: list[DraftLine] = []
    for key in sorted(set(expected) | set(billed)):
        charge = expected.get(key)
        expected_cents = charge.amount_cents if charge else 0
        billed_cents = billed.get(key, 0)
        difference = expected_cents - billed_cents
        first_billing = key not in billed
        in_period = period.contains(key.month)
        if difference == 0 and not (first_billing and in_period and charge is not None):
            continue
        if key.month > period.last_month and first_billing:
            # A later month is billed by its own period's invoice, not ahead of time.
            continue
        lines.append(
            DraftLine(
                key=key,
                amount_cents=difference,
                adjustment=not (in_period and first_billing),
                description=_describe(charge, difference, adjustment=not (in_period and first_billing)),
                days_covered=charge.days_covered if charge else 0,
                days_in_month=charge.days_in_month if charge else key.month.days,
                employer_share_cents=charge.employer_share_cents if charge else 0,
                trace=charge.trace if charge else (),
            )
        )
    return lines


def _describe(charge: Charge | None, difference: int, *, adjustment: bool) -> str:
    if not adjustment and charge is not None:
        return charge.description
    if charge is None or charge.amount_cents == 0:
        return "adjustment: no coverage owed for this month, amount billed credited"
    return f"adjustment: {charge.description}"
