"""Advance premium tax credit (APTC): the EHB cap and the split over members.

The Exchange sets the policy's APTC; the carrier applies at most the essential-health-benefits
share of the gross premium, rounded down to the cent, and never more than the premiums of the
members who are eligible for it. The applied amount is split over the eligible members in
proportion to their benchmark premiums, each share capped at that member's premium, with the
leftover cents on the subscriber.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from premia.kernel.money import cents_to_decimal, round_down_cents
from premia.rating.splits import split_capped
from premia.rating.trace import TraceStep, TraceStepName, dollars, trace_step


@dataclass(frozen=True)
class AptcOutcome:
    """Applied part of the Exchange's APTC, and each member's share of it."""

    exchange_cents: int
    ehb_cap_cents: int
    eligible_premium_cents: int
    applied_cents: int
    shares: tuple[int, ...]

    @property
    def reduction_cents(self) -> int:
        """APTC sent by the Exchange that could not be applied to this premium."""
        return self.exchange_cents - self.applied_cents


def ehb_cap_cents(gross_cents: int, ehb_share: Decimal) -> int:
    """Return the EHB part of a gross premium, rounded down to the cent: the most APTC can pay."""
    return round_down_cents(cents_to_decimal(gross_cents) * ehb_share)


def apply_aptc(
    *,
    exchange_cents: int,
    premiums: Sequence[int],
    eligible: Sequence[bool],
    benchmark_weights: Sequence[Decimal],
    ehb_share: Decimal,
    remainder_index: int,
) -> AptcOutcome:
    """Cap the Exchange's APTC and split it over the eligible members' premiums.

    ``premiums`` are the members' gross premiums in cents after the child cap, so a child
    charged $0 receives no APTC. ``remainder_index`` is the subscriber's position.
    """
    gross_cents = sum(premiums)
    cap = ehb_cap_cents(gross_cents, ehb_share)
    caps = [premium if is_eligible else 0 for premium, is_eligible in zip(premiums, eligible, strict=True)]
    eligible_premium = sum(caps)
    applied = min(exchange_cents, cap, eligible_premium)

    weights = [
        weight if room > 0 else Decimal(0) for weight, room in zip(benchmark_weights, caps, strict=True)
    ]
    shares = split_capped(applied, weights, caps, remainder_index=remainder_index)
    return AptcOutcome(exchange_cents, cap, eligible_premium, applied, tuple(shares))


def aptc_trace(
    outcome: AptcOutcome,
    *,
    member_ids: Sequence[str],
    benchmark_weights: Sequence[Decimal],
    eligible: Sequence[bool],
    premiums: Sequence[int],
    ehb_share: Decimal,
    remainder_member_id: str,
) -> list[TraceStep]:
    """Describe the subsidy cap and the APTC split as two trace steps."""
    notes = []
    if outcome.applied_cents < outcome.exchange_cents:
        limits = {
            "the EHB cap": outcome.ehb_cap_cents,
            "the eligible members' premiums": outcome.eligible_premium_cents,
        }
        binding = min(limits, key=lambda name: limits[name])
        notes.append(
            f"{dollars(outcome.reduction_cents)} of the Exchange's APTC not applied, limited by {binding}"
        )

    cap_step = trace_step(
        TraceStepName.SUBSIDY_CAP,
        inputs={
            "exchange_aptc": dollars(outcome.exchange_cents),
            "ehb_share": str(ehb_share),
            "ehb_cap": dollars(outcome.ehb_cap_cents),
            "eligible_premium": dollars(outcome.eligible_premium_cents),
        },
        outputs={
            "applied_aptc": dollars(outcome.applied_cents),
            "reduction": dollars(outcome.reduction_cents),
        },
        note="; ".join(notes),
    )

    weights_text = {}
    for member_id, weight, is_eligible, premium in zip(
        member_ids, benchmark_weights, eligible, premiums, strict=True
    ):
        if not is_eligible:
            weights_text[member_id] = "not eligible"
        elif premium == 0:
            weights_text[member_id] = "0 (no premium)"
        else:
            weights_text[member_id] = str(weight)
    split_step = trace_step(
        TraceStepName.APTC_SPLIT,
        inputs={
            "applied_aptc": dollars(outcome.applied_cents),
            **{f"weight {member_id}": text for member_id, text in weights_text.items()},
        },
        outputs={
            member_id: dollars(share) for member_id, share in zip(member_ids, outcome.shares, strict=True)
        },
        note=(
            "shares by benchmark premium, capped at each premium; "
            f"{remainder_member_id} takes the remaining cents"
        ),
    )
    return [cap_step, split_step]
