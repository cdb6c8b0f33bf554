"""Payment posting: allocation oldest first, exact cents, credits, idempotency, returns."""

from __future__ import annotations

from datetime import date

import pytest

from premia.billing.queries import paid_through_dates
from premia.enrollment.model import Relationship
from premia.kernel.errors import ConflictError
from premia.ledger import service as ledger
from premia.payments.model import PaymentChannel, PaymentMethod, PaymentStatus
from premia.payments.service import post_payment, return_payment


def _household(story, *, effective=date(2026, 1, 1)):
    # A born 1990-08-17: age 35 on 2026-01-01, factor 1.222, 400.00 x 1.222 = 488.80
    # B born 1991-02-03: age 34, factor 1.214, 400.00 x 1.214 = 485.60
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 8, 17))
    policy = story.policy(account, effective=effective)
    story.dependent(policy, first_name="B", birth=date(1991, 2, 3), relationship=Relationship.SPOUSE, start=effective)
    return account, policy


def _pay(story, account, cents, on, **options):
    story.at(on)
    return post_payment(
        story.ctx,
        billing_account_id=account.id,
        amount_cents=cents,
        channel=options.pop("channel", PaymentChannel.MANUAL),
        method=options.pop("method", PaymentMethod.CHECK),
        received_on=on,
        **options,
    )


def test_exact_payment_pays_invoice(story):
    account, policy = _household(story)
    story.bill(date(2025, 12, 15))
    # 488.80 + 485.60 = 974.40
    result = _pay(story, account, 97_440, date(2025, 12, 30))
    assert result.applied_cents == 97_440
    assert result.unapplied_cents == 0
    assert ledger.account_balance(story.ctx, account.id) == 0
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2026, 1, 31)


def test_two_partial_payments_pay_invoice(story):
    account, policy = _household(story)
    story.bill(date(2025, 12, 15))
    _pay(story, account, 50_000, date(2025, 12, 20))
    assert paid_through_dates(story.ctx, [policy])[policy.id] is None
    # 974.40 - 500.00 = 474.40
    _pay(story, account, 47_440, date(2025, 12, 22))
    assert ledger.account_balance(story.ctx, account.id) == 0
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2026, 1, 31)


def test_overpayment_becomes_credit_used_next_invoice(story):
    account, policy = _household(story)
    story.bill(date(2025, 12, 15))
    # 974.40 + 80.00 credit
    result = _pay(story, account, 105_440, date(2025, 12, 20))
    assert result.unapplied_cents == 8_000
    story.bill(date(2026, 1, 15))
    invoice = story.invoices(account)[-1]
    assert invoice.credits_applied_cents == 8_000
    # 974.40 - 80.00 = 894.40
    assert invoice.amount_due_cents == 89_440
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2026, 1, 31)


def test_idempotency_key_posts_once(story):
    account, _ = _household(story)
    story.bill(date(2025, 12, 15))
    first = _pay(story, account, 97_440, date(2025, 12, 30), idempotency_key="k-1")
    second = _pay(story, account, 97_440, date(2025, 12, 30), idempotency_key="k-1")
    assert second.replayed
    assert second.payment.id == first.payment.id
    assert ledger.account_balance(story.ctx, account.id) == 0


def test_idempotency_key_reuse_rejected(story):
    account, _ = _household(story)
    _pay(story, account, 10_000, date(2025, 12, 30), idempotency_key="k-2")
    with pytest.raises(ConflictError):
        _pay(story, account, 20_000, date(2025, 12, 30), idempotency_key="k-2")


def test_return_reopens_invoice(story):
    account, policy = _household(story)
    story.bill(date(2025, 12, 15))
    result = _pay(story, account, 97_440, date(2026, 1, 2), channel=PaymentChannel.ACH_AUTODRAFT, method=PaymentMethod.ACH)
    return_payment(story.ctx, result.payment, return_code="R01", returned_on=date(2026, 1, 5))
    assert result.payment.status == PaymentStatus.RETURNED.value
    assert ledger.account_balance(story.ctx, account.id) == 97_440
    assert paid_through_dates(story.ctx, [policy])[policy.id] is None
    assert sum(ledger.trial_balance(story.ctx).values()) == 0


def test_manual_payment_uses_deposit_account(story, tmp_path):
    account, _ = _household(story)
    settings_file = tmp_path / "payments.yaml"
    settings_file.write_text('deposit_account: "1234567890"\n', encoding="utf-8")
    story.ctx.settings = story.ctx.settings.model_copy(update={"payments_config_file": str(settings_file)})
    result = _pay(story, account, 50_000, date(2026, 1, 2))
    assert result.payment.cash_account == "1234567890"


def test_manual_payment_default_account(story):
    account, _ = _household(story)
    result = _pay(story, account, 50_000, date(2026, 1, 2))
    assert result.payment.cash_account == "OPERATING"
