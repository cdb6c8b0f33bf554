"""Premium quotes for renewal notices and the credit a change leaves to bill (pure).

All use the bill run's own charge arithmetic (:func:`premia.billing.charges.expected_charges`).
So the premium a renewal notice states is the premium the first renewal invoice bills. The
credit a termination is expected to refund is the credit the bill run posts: gross premium
and APTC prorated separately, each rounded half-up per member and month. A plan change's
credit is what the account's coverage owed for months already invoiced before the change
less what it owes after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from premia.billing.charges import expected_charges
from premia.billing.coverage import PolicyCoverage
from premia.billing.model import ChargeKey, LineKind
from premia.kernel.dates import Month
from premia.lifecycle.model import MemberPremium, PremiumQuote
from premia.rating.catalog import Catalog


def month_quote(catalog: Catalog, coverage: PolicyCoverage, month: Month, *, person_ids: Iterable[int] | None = None) -> PremiumQuote:
    """Return the full-month premium and APTC of the members of ``coverage`` covered in ``month``.

    ``person_ids`` narrows the quote to those members, so that the year before and the year
    after a renewal compare the same people.
    """
    if person_ids is not None:
        selected = set(person_ids)
        coverage = replace(coverage, members=tuple(member for member in coverage.members if member.person_id in selected))
    charges = expected_charges(catalog, [coverage], [month])
    by_person = {member.person_id: member for member in coverage.members}
    premiums: dict[int, MemberPremium] = {}
    for key in sorted(charges, key=lambda key: (key.person_id, key.kind != LineKind.PREMIUM)):
        charge = charges[key]
        member = by_person[key.person_id]
        if key.kind is LineKind.PREMIUM:
            premiums[key.person_id] = MemberPremium(
                person_id=key.person_id,
                member_id=member.member_id,
                relationship=member.relationship,
                age=charge.age,
                premium_cents=charge.monthly_cents,
                aptc_cents=0,
            )
        elif key.kind is LineKind.APTC and key.person_id in premiums:
            premiums[key.person_id] = replace(premiums[key.person_id], aptc_cents=-charge.monthly_cents)
    ordered = sorted(premiums.values(), key=lambda premium: (premium.relationship != "subscriber", premium.person_id))
    return PremiumQuote(plan_id=coverage.plan_id, month=month, members=tuple(ordered))


def credit_to_bill(catalog: Catalog, coverage: PolicyCoverage, billed: Mapping[ChargeKey, int]) -> int:
    """Return what invoices billed for the policy minus what its coverage now owes, in cents.

    A positive amount is a credit the next bill run will post as adjustment lines. Zero
    means the invoices already match the coverage.
    """
    own = {key: cents for key, cents in billed.items() if key.policy_id == coverage.policy_id}
    if not own:
        return 0
    expected = expected_charges(catalog, [coverage], {key.month for key in own})
    return sum(own.values()) - sum(charge.amount_cents for charge in expected.values())


def invoiced_months_from(billed: Mapping[ChargeKey, int], first_day: date) -> set[Month]:
    """Return the coverage months that invoices billed, from the month of ``first_day`` on."""
    first = Month.of(first_day)
    return {key.month for key in billed if key.month >= first}


def premium_in(catalog: Catalog, coverages: Iterable[PolicyCoverage], months: Iterable[Month]) -> int:
    """Return what ``coverages`` owe in ``months`` as the bill run charges them, net of APTC, in cents."""
    return sum(charge.amount_cents for charge in expected_charges(catalog, coverages, months).values())
