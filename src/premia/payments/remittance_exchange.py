"""Post the policy loops of an Exchange 820 against the APTC receivable.

Each ENT loop is one policy, found by its Exchange policy id (REF*POL, else ENT04). Its
APTC and APTCADJ lines credit the APTC receivable per member and coverage month (DTM*582),
split over the members' open amounts with the subscriber's line taking the rest. Other
payment types (CSR, user fees, administrative fees, balances) have no receivable in
Premia and are held in suspense with their sign for finance to book. The loop is one
journal entry, keyed by the file's control numbers and the loop's position. A loop for a
policy Premia does not hold goes to suspense whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from premia.enrollment.tables import Policy
from premia.formats.x12 import ExchangePaymentType, RemittanceEntity
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.ledger.payables import aptc_open_amounts
from premia.payments.imports import record_item
from premia.payments.model import ItemOutcome, MatchRule
from premia.payments.remittance_rules import months_of, split_aptc
from premia.payments.suspense import new_suspense_item, put_in_suspense
from premia.payments.tables import PaymentImport, SuspenseItem

if TYPE_CHECKING:
    from premia.payments.remittance_820 import SetContext

# Open APTC receivable per (policy, coverage month), then per member.
Opens = dict[tuple[int, date], dict[int | None, int]]
APTC_TYPES = frozenset({ExchangePaymentType.APTC, ExchangePaymentType.APTC_ADJUSTMENT})
LOOKUP_CHUNK = 500


class ExchangePoster:
    """Posts the loops of one Exchange 820 transaction set, chunk by chunk."""

    def __init__(self, ctx: ServiceContext, record: PaymentImport, context: SetContext) -> None:
        self.ctx = ctx
        self.record = record
        self.context = context
        self.rows: list[dict[str, Any]] = []

    def key(self, entity: RemittanceEntity) -> str:
        return f"x12-820:{self.context.key}:{entity.position}"

    def keys(self, entity: RemittanceEntity) -> list[str]:
        return [self.key(entity)]

    def post(self, entities: tuple[RemittanceEntity, ...], stored: set[str]) -> int:
        """Post the loops not stored before; return how many were."""
        fresh = [entity for entity in entities if self.key(entity) not in stored]
        policies = self._policies({_exchange_id(entity) for entity in fresh})
        opens: Opens = defaultdict(dict)
        for (policy_id, person_id, month), cents in aptc_open_amounts(self.ctx, {policy.id for policy in policies.values()}).items():
            opens[(policy_id, month)][person_id] = cents
        for entity in fresh:
            self._post_loop(entity, policies.get(_exchange_id(entity)), opens)
        return len(entities) - len(fresh)

    def variance(self) -> list[dict[str, Any]]:
        return self.rows

    def _post_loop(self, entity: RemittanceEntity, policy: Policy | None, opens: Opens) -> None:
        context = self.context
        key = self.key(entity)
        exchange_id = _exchange_id(entity)
        net = entity.remitted_cents
        if policy is None:
            self._hold_loop(entity, key, exchange_id, net)
            return

        lines: list[LineSpec] = []
        held: list[SuspenseItem] = []
        for line in entity.lines:
            amount = line.cents + sum(adjustment.cents for adjustment in line.adjustments)
            if amount == 0:
                continue
            if line.payment_type in APTC_TYPES:
                period = line.coverage_period
                months = months_of(period.start, period.end) if period else [Month.of(context.paid_on).first_day]
                lines.extend(self._aptc_lines(policy, exchange_id, months, amount, opens))
            else:
                reason = (
                    f"Payment type {line.reference} of Exchange policy {exchange_id} has no receivable in Premia; "
                    "book it in the general ledger."
                )
                lines.append(self._withheld(held, amount, reason, exchange_id))
        for adjustment in entity.adjustments:
            reason = f"Loop adjustment {adjustment.reason} of Exchange policy {exchange_id}; book it in the general ledger."
            lines.append(self._withheld(held, adjustment.cents, reason, exchange_id))
        if net:
            lines.append(
                LineSpec(
                    account=context.funding_account,
                    amount_cents=net,
                    cash_account=context.cash_account if context.funding_account is LedgerAccount.CASH_CLEARING else None,
                )
            )
        if len(lines) < 2:
            record_item(
                self.ctx, self.record, item_key=key, position=entity.position, amount_cents=net, reference=exchange_id,
                outcome=ItemOutcome.SKIPPED, explanation=f"The loop of Exchange policy {exchange_id} moves no money.",
            )  # fmt: skip
            return
        entry = ledger.post_entry(
            self.ctx,
            kind=EntryKind.APTC_REMITTANCE,
            entry_date=context.paid_on,
            lines=lines,
            reference=exchange_id[:128],
            description=f"Exchange 820 {context.trace} policy {exchange_id}"[:256],
            billing_account_id=policy.billing_account_id,
            idempotency_key=key[:128],
        )
        for item in held:
            item.receipt_entry_id = entry.id
        record_item(
            self.ctx, self.record, item_key=key, position=entity.position, amount_cents=net, reference=exchange_id,
            outcome=ItemOutcome.POSTED, match_rule=MatchRule.EXCHANGE_POLICY.value,
            billing_account_id=policy.billing_account_id, journal_entry_id=entry.id,
            explanation=f"Exchange policy {exchange_id} is policy {policy.policy_number}; {format_cents(net)} posted "
            "against its APTC receivable per member and coverage month.",
        )  # fmt: skip

    def _aptc_lines(
        self, policy: Policy, exchange_id: str, months: list[date], amount: int, opens: Opens
    ) -> list[LineSpec]:
        """Credit lines that spread ``amount`` over the months in order, the last month taking the rest."""
        lines: list[LineSpec] = []
        remaining = amount
        sign = -1 if amount < 0 else 1
        for index, month in enumerate(months):
            members = opens[(policy.id, month)]
            persons = sorted(set(members) | {policy.subscriber_person_id}, key=lambda person: person or 0)
            expected = [members.get(person, 0) for person in persons]
            if index == len(months) - 1:
                share = remaining
            else:
                share = sign * min(abs(remaining), sum(max(0, sign * cents) for cents in expected))
            parts = split_aptc(share, expected, subscriber_index=persons.index(policy.subscriber_person_id))
            for person, part in zip(persons, parts, strict=True):
                if part:
                    lines.append(
                        LineSpec(
                            account=LedgerAccount.APTC_RECEIVABLE,
                            amount_cents=-part,
                            policy_id=policy.id,
                            person_id=person,
                            coverage_month=month,
                        )
                    )
                    members[person] = members.get(person, 0) - part
            expected_total = sum(expected)
            if share != expected_total:
                self.rows.append(
                    {
                        "exchange_policy_id": exchange_id,
                        "policy_number": policy.policy_number,
                        "months": f"{month:%Y-%m}",
                        "billed_cents": expected_total,
                        "remitted_cents": share,
                        "variance_cents": share - expected_total,
                        "note": "APTC differs from the receivable",
                    }
                )
            remaining -= share
        return lines

    def _withheld(self, held: list[SuspenseItem], amount: int, reason: str, exchange_id: str) -> LineSpec:
        context = self.context
        item = new_suspense_item(
            self.ctx, channel=context.channel, method=context.method, received_on=context.paid_on, amount_cents=amount,
            cash_account=context.cash_account, reason=reason, reference=exchange_id, bank_reference=context.trace,
        )  # fmt: skip
        held.append(item)
        return LineSpec(account=LedgerAccount.SUSPENSE, amount_cents=-amount, memo=f"suspense item {item.id}")

    def _hold_loop(self, entity: RemittanceEntity, key: str, exchange_id: str, net: int) -> None:
        context = self.context
        if net == 0:
            record_item(
                self.ctx, self.record, item_key=key, position=entity.position, amount_cents=0, reference=exchange_id,
                outcome=ItemOutcome.SKIPPED, explanation=f"Exchange policy {exchange_id!r} is not held by Premia and its loop nets to 0.00.",
            )  # fmt: skip
            return
        reason = f"Exchange policy id {exchange_id!r} (ENT loop at segment {entity.position}) is not a policy Premia holds."
        item = put_in_suspense(
            self.ctx, channel=context.channel, method=context.method, received_on=context.paid_on, amount_cents=net,
            cash_account=context.cash_account, reason=reason, reference=exchange_id, bank_reference=context.trace,
            idempotency_key=key, funding_account=context.funding_account,
        )  # fmt: skip
        record_item(
            self.ctx, self.record, item_key=key, position=entity.position, amount_cents=net, reference=exchange_id,
            outcome=ItemOutcome.SUSPENSE, match_rule=MatchRule.NO_MATCH.value, explanation=reason, suspense_item_id=item.id,
        )  # fmt: skip

    def _policies(self, exchange_ids: Collection[str]) -> dict[str, Policy]:
        wanted = [value for value in exchange_ids if value]
        found: dict[str, Policy] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            for policy in self.ctx.session.scalars(select(Policy).where(Policy.exchange_policy_id.in_(chunk))):
                found[policy.exchange_policy_id or ""] = policy
            missing = [value for value in chunk if value not in found]
            if missing:
                for policy in self.ctx.session.scalars(select(Policy).where(Policy.policy_number.in_(missing))):
                    found[policy.policy_number] = policy
        return found


def _exchange_id(entity: RemittanceEntity) -> str:
    return (entity.exchange_policy_id or entity.id).strip()
