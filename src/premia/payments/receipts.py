"""Post the receipts of a lockbox batch or bank file: matched ones as payments, the rest to suspense.

Each receipt carries the key of its line in the file. A receipt whose key an earlier
import stored is skipped, so a file imported again posts nothing twice. Every decision is
stored with its explanation: which invoice or account number matched which reference,
or why nothing did.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from premia.infra.context import ServiceContext
from premia.payments.imports import insert_items, item_row, stored_keys
from premia.payments.matching import MatchDecision, decide_match, load_reference_index, reference_candidates
from premia.payments.model import ItemOutcome, PaymentChannel, PaymentMethod
from premia.payments.service import post_payment
from premia.payments.suspense import put_in_suspense
from premia.payments.tables import PaymentImport
from premia.staff.permissions import Permission

MATCH_CHUNK = 2_000
MAX_PAYMENT_KEY = 128


@dataclass(frozen=True)
class Receipt:
    """One payment found in a file, with the references that may identify its payer.

    ``references`` are tried in order (an invoice number column before a free-text memo).
    ``item_key`` is unique to the line and stable across imports of the same file. A
    receipt with an ``unmatched_note`` that matches no account is recorded with that note
    instead of held in suspense, because its money reaches Premia another way too.
    """

    item_key: str
    position: int
    amount_cents: int
    received_on: date
    cash_account: str
    channel: PaymentChannel
    method: PaymentMethod
    references: tuple[str | None, ...]
    payer_name: str | None = None
    bank_reference: str | None = None
    unmatched_note: str | None = None

    @property
    def display_reference(self) -> str | None:
        return next((text.strip() for text in self.references if text and text.strip()), None)


def payment_key(item_key: str) -> str:
    """Return the item key as a payment idempotency key, hashed when it is longer than the column."""
    if len(item_key) <= MAX_PAYMENT_KEY:
        return item_key
    return "import:" + hashlib.sha256(item_key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReceiptOutcome:
    """The payment a receipt was posted as, or the suspense item it went to."""

    payment_id: int | None = None
    suspense_item_id: int | None = None


def post_receipts(
    ctx: ServiceContext, record: PaymentImport, receipts: Sequence[Receipt], *, source: str
) -> tuple[dict[str, ReceiptOutcome], int]:
    """Post or hold every receipt not imported before, and return the outcomes by key and the skipped count.

    The import items of a chunk are written with one statement once the chunk is posted, so
    a large file keeps neither them nor its payments in the session.
    """
    stored = stored_keys(ctx, (receipt.item_key for receipt in receipts))
    fresh = [receipt for receipt in receipts if receipt.item_key not in stored]
    outcomes: dict[str, ReceiptOutcome] = {}
    for start in range(0, len(fresh), MATCH_CHUNK):
        chunk = fresh[start : start + MATCH_CHUNK]
        rows: list[dict[str, Any]] = []
        index = load_reference_index(
            ctx, (candidate for receipt in chunk for candidate in reference_candidates(receipt.references))
        )
        for receipt in chunk:
            decision = decide_match(receipt.references, receipt.amount_cents, index)
            outcome, kind, explanation = _receive(ctx, receipt, decision, source)
            outcomes[receipt.item_key] = outcome
            rows.append(
                item_row(
                    record,
                    item_key=receipt.item_key,
                    position=receipt.position,
                    amount_cents=receipt.amount_cents,
                    outcome=kind,
                    explanation=explanation,
                    reference=receipt.display_reference,
                    match_rule=decision.rule.value,
                    billing_account_id=decision.billing_account_id if outcome.payment_id else None,
                    payment_id=outcome.payment_id,
                    suspense_item_id=outcome.suspense_item_id,
                )
            )
        ctx.session.flush()
        insert_items(ctx, rows)
    return outcomes, len(receipts) - len(fresh)


def _receive(
    ctx: ServiceContext, receipt: Receipt, decision: MatchDecision, source: str
) -> tuple[ReceiptOutcome, ItemOutcome, str]:
    """Post a matched receipt, record an unmatched one that has a note, and hold any other in suspense."""
    if decision.matched:
        assert decision.billing_account_id is not None
        result = post_payment(
            ctx,
            billing_account_id=decision.billing_account_id,
            amount_cents=receipt.amount_cents,
            channel=receipt.channel,
            method=receipt.method,
            received_on=receipt.received_on,
            reference=(receipt.display_reference or None) and receipt.display_reference[:128],
            idempotency_key=payment_key(receipt.item_key),
            cash_account=receipt.cash_account,
            source=source,
            permission=Permission.PAYMENTS_IMPORT,
        )
        return ReceiptOutcome(payment_id=result.payment.id), ItemOutcome.POSTED, decision.explanation

    if receipt.unmatched_note is not None:
        return ReceiptOutcome(), ItemOutcome.RECORDED, f"{decision.reason} {receipt.unmatched_note}"

    suspense_item = put_in_suspense(
        ctx,
        channel=receipt.channel,
        method=receipt.method,
        received_on=receipt.received_on,
        amount_cents=receipt.amount_cents,
        cash_account=receipt.cash_account,
        reason=decision.explanation,
        payer_name=receipt.payer_name,
        reference=receipt.display_reference,
        bank_reference=receipt.bank_reference,
        idempotency_key=receipt.item_key,
    )
    return ReceiptOutcome(suspense_item_id=suspense_item.id), ItemOutcome.SUSPENSE, decision.explanation
