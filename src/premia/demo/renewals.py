"""Renewals in the story: the daily renewal run once renewals open, and the payers who respond to their notice.

The renewal run (04:00, before the bill run) renews every policy whose renewal window has
opened, as `premia renewals run` does, so a policy that takes effect late (its binder paid
after the window opened) is renewed by the next run. Each renewal sends its notice.

A few payers respond to the notice one to three weeks later: about 2% decline the renewal and
about 4% choose another plan of their market for the new plan year, through the same
services as `premia renewals decline` and `premia renewals choose-plan`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from premia.demo.timeline import Timeline
from premia.demo.world import DemoWorld
from premia.kernel.banking_days import is_banking_day
from premia.kernel.errors import DomainError
from premia.lifecycle.config import DEFAULT_CONFIG
from premia.lifecycle.model import RenewalOutcome
from premia.lifecycle.renewals import RenewalResult, choose_renewal_plan, decline_renewal, run_renewals
from premia.lifecycle.rules import next_renewal_date, renewal_opens_on
from premia.rating.model import ExchangeStatus, Plan

DECLINE_RATE = 0.02
CHOOSE_OTHER_PLAN_RATE = 0.04
DECLINE_REASONS = ("moving out of state", "covered by a new employer's plan", "enrolled in Medicare")


@dataclass(frozen=True)
class RenewalResponse:
    """A payer's response to a renewal notice: decline it, or renew into ``plan_id`` instead."""

    policy_number: str
    plan_id: str | None
    reason: str


class RenewalDesk:
    """The daily renewal run in the renewal window, and the payers' responses to their renewal notices."""

    def __init__(self, world: DemoWorld, timeline: Timeline, seed: int) -> None:
        self.world = world
        self.timeline = timeline
        self.seed = seed
        self.opens_on = _first_opening_day(world, timeline)
        self.responses: dict[date, list[RenewalResponse]] = defaultdict(list)

    def run_day(self, day: date) -> None:
        if day < self.opens_on or not is_banking_day(day):
            return
        with self.world.timed("renewals"):
            self._renewal_run(day)
            for response in self.responses.pop(day, []):
                self._respond(day, response)

    def _renewal_run(self, day: date) -> None:
        ctx = self.world.ctx("billing", self.world.at(day, 4, 0))
        report = run_renewals(ctx, catalog=self.world.catalog, as_of=day)
        self.world.commit()

        renewed = [result for result in report.results if result.outcome is RenewalOutcome.RENEWED]
        failed = [result for result in report.results if result.outcome is RenewalOutcome.FAILED]
        self.world.count("renewals", len(renewed))
        if renewed:
            crosswalked = sum(1 for result in renewed if result.crosswalked)
            self.world.echo(f"{day}  renewal run: {len(renewed)} renewed ({crosswalked} into a crosswalk plan)")
        if failed:
            self.world.count("renewal failures", len(failed))
            first = failed[0]
            self.world.echo(f"   {len(failed)} policies not renewed; first: {first.policy_number}: {(first.error or {}).get('message')}")
        for result in renewed:
            self._plan_response(day, result)

    def _plan_response(self, day: date, result: RenewalResult) -> None:
        """Decide whether the payer responds to the notice, and on which day."""
        rng = random.Random(f"{self.seed}:renewal:{result.policy_number}:{result.renewal_date}")
        roll = rng.random()
        responds_on = day + timedelta(days=rng.randint(7, 21))
        if responds_on > self.timeline.today or result.renewal_date is None or responds_on >= result.renewal_date:
            return
        if roll < DECLINE_RATE:
            self.responses[responds_on].append(RenewalResponse(result.policy_number, None, rng.choice(DECLINE_REASONS)))
            return
        if roll < DECLINE_RATE + CHOOSE_OTHER_PLAN_RATE:
            choices = self._other_plans(result)
            if choices:
                self.responses[responds_on].append(RenewalResponse(result.policy_number, rng.choice(choices).plan_id, "chose another plan"))

    def _other_plans(self, result: RenewalResult) -> list[Plan]:
        """Return the new plan year's plans of the renewal's market, state and exchange status, other than the one offered."""
        assert result.renewal_date is not None and result.to_plan_id is not None
        offered = self.world.catalog.plan(result.to_plan_id, result.renewal_date.year)
        return [
            plan
            for plan in self.world.catalog.plans
            if plan.plan_year == offered.plan_year
            and plan.plan_id != offered.plan_id
            and plan.market is offered.market
            and plan.state == offered.state
            and (plan.exchange is ExchangeStatus.ON) == (offered.exchange is ExchangeStatus.ON)
        ]

    def _respond(self, day: date, response: RenewalResponse) -> None:
        ctx = self.world.ctx("billing", self.world.at(day, 10, 30), channel="console")
        savepoint = self.world.session.begin_nested()
        try:
            if response.plan_id is None:
                decline_renewal(ctx, response.policy_number, catalog=self.world.catalog, on=day, reason=response.reason)
            else:
                choose_renewal_plan(ctx, response.policy_number, catalog=self.world.catalog, plan_id=response.plan_id, on=day)
            savepoint.commit()
        except DomainError as exc:
            # Expected when the policy ended meanwhile (non-payment, for example), so the offer no longer waits.
            savepoint.rollback()
            self.world.count("renewal responses not recorded")
            self.world.echo(f"   renewal response for {response.policy_number} not recorded: {exc}")
            return
        self.world.commit()
        self.world.count("renewals declined" if response.plan_id is None else "renewal plans chosen")


def _first_opening_day(world: DemoWorld, timeline: Timeline) -> date:
    """Return the first day a renewal of the simulated book opens: individual ones, or a group's anniversary."""
    config = DEFAULT_CONFIG
    individual = renewal_opens_on(date(timeline.plan_year + 1, 1, 1), is_group=False, config=config)
    groups = [
        renewal_opens_on(next_renewal_date(group.coverage_start, group.coverage_start.month), is_group=True, config=config)
        for group in world.book.groups
    ]
    return min([individual, *groups])
