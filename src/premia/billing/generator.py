"""The invoice generator: pure arithmetic from expected charges and earlier billing to lines.

For each charge key, the amount still to bill is what the coverage as it is now costs,
minus what was billed for that key before. Keys inside the period being invoiced that were
never billed become regular lines; every other non-zero difference becomes an adjustment
line, so a late change to a month already billed (an added newborn, a retroactive
termination, a new rate) is corrected on the next invoice and the old invoice stays as it
was issued. A month after the period is never billed ahead of its own invoice.
"""

from __future__ import annotations

from collections.abc import Mapping

from premia.billing.model import BillingPeriod, Charge, ChargeKey, DraftLine


def draft_lines(
    period: BillingPeriod,
    expected: Mapping[ChargeKey, Charge],
    billed: Mapping[ChargeKey, int],
) -> list[DraftLine]:
    """Lines for ``period``: its own months in full, earlier and later months as differences.

    A key billed before gets an adjustment even inside the period, so a member-month never
    has two regular lines. A key never billed inside the period gets a regular line even
    when its amount is zero (a child beyond the child cap), so the roster shows the member.
    """
    first_month = period.first_month
    last_month = period.last_month
    lines: list[DraftLine] = []
    for key in sorted(expected.keys() | billed.keys()):
        charge = expected.get(key)
        billed_cents = billed.get(key)
        first_billing = billed_cents is None
        in_period = first_month <= key.month <= last_month
        if first_billing and key.month > last_month:
            continue
        difference = (charge.amount_cents if charge is not None else 0) - (billed_cents or 0)
        regular = first_billing and in_period
        if difference == 0 and not regular:
            continue
        lines.append(DraftLine(key=key, amount_cents=difference, adjustment=not regular, charge=charge))
    return lines


def add_billed(billed: dict[ChargeKey, int], lines: list[DraftLine] | tuple[DraftLine, ...]) -> None:
    """Add ``lines`` to a running map of amounts billed per key, as issuing them would."""
    for line in lines:
        billed[line.key] = billed.get(line.key, 0) + line.amount_cents
