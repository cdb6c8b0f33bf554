"""An Exchange's 834 termination, cancellation and reinstatement as lifecycle changes with their credit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from types import SimpleNamespace

from sqlalchemy import select

from premia.accounts.tables import BillingAccount
from premia.billing.service import run_billing
from premia.catalog.service import current_catalog
from premia.enrollment.tables import Policy
from premia.formats.x12 import MaintenanceType
from premia.importers.enrollment import ImportResult
from premia.infra.context import ServiceContext
from premia.kernel.clock import FixedClock
from premia.lifecycle import termination
from premia.lifecycle.repository import unposted_change_credits
from premia.lifecycle.tables import PolicyChange
from premia.payments.autodraft import run_autodraft
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import post_payment
from tests.integration.enrollment_import.conftest import policies_of, spans_of
from tests.integration.enrollment_import.enrollment_files import coverage, interchange_text, member
from tests.integration.payments.conftest import on_autodraft

# The Exchange plan's monthly premium for T-1 in the import tests' catalog.
MONTHLY = 50_480


def _at(ctx: ServiceContext, day: date) -> None:
    ctx.clock = FixedClock(datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC))


def _bill(ctx: ServiceContext, day: date):
    _at(ctx, day)
    return run_billing(ctx, catalog=current_catalog(ctx), as_of=day)


def _terminate(last_day: date, control_number: str) -> str:
    ended = coverage(start=None, end=last_day, maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION)
    return interchange_text(
        [member("T-1", maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION, coverages=(ended,))],
        control_number=control_number,
    )


def _changes(ctx: ServiceContext, policy_id: int) -> list[PolicyChange]:
    return list(
        ctx.session.scalars(
            select(PolicyChange).where(PolicyChange.policy_id == policy_id).order_by(PolicyChange.id)
        )
    )


def _enrolled_on_autodraft(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> Policy:
    """T-1 enrolled from 2026-01-01 at 504.80 a month, January paid, February billed and due 2026-02-02."""
    _at(ctx, date(2025, 12, 10))
    import_text(interchange_text([member("T-1")]))
    policy = policies_of(ctx, "T-1")[0]
    account = ctx.session.get(BillingAccount, policy.billing_account_id)
    _bill(ctx, date(2025, 12, 15))
    _at(ctx, date(2025, 12, 20))
    post_payment(
        ctx,
        billing_account_id=account.id,
        amount_cents=MONTHLY,
        channel=PaymentChannel.MANUAL,
        method=PaymentMethod.CHECK,
        received_on=date(2025, 12, 20),
    )
    on_autodraft(SimpleNamespace(ctx=ctx), account)
    _bill(ctx, date(2026, 1, 15))
    return policy


def _drafted(ctx: ServiceContext, day: date) -> list[int]:
    _at(ctx, day)
    return [entry["amount_cents"] for entry in run_autodraft(ctx, as_of=day).entries]


def test_exchange_termination_not_drafted(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    policy = _enrolled_on_autodraft(ctx, import_text)
    _at(ctx, date(2026, 1, 20))
    import_text(_terminate(date(2026, 1, 31), "000000102"))

    [change] = _changes(ctx, policy.id)
    # February (504.80) was billed for coverage that now ends on 01-31: the next bill run credits it.
    assert (change.kind, change.source, change.effective_date) == (
        "termination",
        "exchange",
        date(2026, 1, 31),
    )
    assert (change.refund_state, change.refund_quote_cents) == ("awaiting_credit", MONTHLY)
    assert unposted_change_credits(ctx, [policy.billing_account_id]) == {policy.billing_account_id: MONTHLY}
    assert _drafted(ctx, date(2026, 1, 30)) == []


def test_exchange_reinstatement_withdraws_credit(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    policy = _enrolled_on_autodraft(ctx, import_text)
    _at(ctx, date(2026, 1, 20))
    import_text(_terminate(date(2026, 1, 31), "000000102"))
    _at(ctx, date(2026, 1, 22))
    reinstate = interchange_text(
        [member("T-1", maintenance=MaintenanceType.REINSTATEMENT, coverages=())], control_number="000000103"
    )
    import_text(reinstate)

    termination, reinstatement = _changes(ctx, policy.id)
    assert termination.refund_state == "withdrawn"
    assert termination.reversed_by_change_id == reinstatement.id
    assert (reinstatement.kind, reinstatement.source) == ("reinstatement", "exchange")
    assert unposted_change_credits(ctx, [policy.billing_account_id]) == {}
    # February is owed again, so it is drafted.
    assert _drafted(ctx, date(2026, 1, 30)) == [MONTHLY]


def test_earlier_end_date_replaces_termination(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    policy = _enrolled_on_autodraft(ctx, import_text)
    _at(ctx, date(2026, 1, 20))
    import_text(_terminate(date(2026, 1, 31), "000000102"))
    import_text(_terminate(date(2026, 1, 15), "000000103"))

    first, second = _changes(ctx, policy.id)
    assert (first.refund_state, first.reversed_by_change_id) == ("withdrawn", second.id)
    assert second.effective_date == date(2026, 1, 15)
    # February in full and January 16-31 prorated by days: 504.80 x 16 / 31 = 260.54
    assert second.refund_quote_cents == MONTHLY + 26_054
    assert unposted_change_credits(ctx, [policy.billing_account_id]) == {
        policy.billing_account_id: MONTHLY + 26_054
    }


def test_exchange_cancellation_recorded(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    _at(ctx, date(2025, 12, 10))
    import_text(interchange_text([member("T-1")]))
    policy = policies_of(ctx, "T-1")[0]
    _bill(ctx, date(2025, 12, 15))
    _at(ctx, date(2025, 12, 20))
    cancelled = coverage(end=date(2026, 1, 1), maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION)
    import_text(
        interchange_text(
            [member("T-1", maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION, coverages=(cancelled,))],
            control_number="000000102",
        )
    )

    [change] = _changes(ctx, policy.id)
    # The binder invoice billed January, which the cancellation voids.
    assert (change.kind, change.effective_date) == ("cancellation", date(2026, 1, 1))
    assert (change.refund_state, change.refund_quote_cents) == ("awaiting_credit", MONTHLY)
    assert change.restore["spans"] == [
        {"span_id": change.restore["spans"][0]["span_id"], "end": None, "voided": True}
    ]


def test_staff_reinstate_exchange_termination(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    policy = _enrolled_on_autodraft(ctx, import_text)
    status_before = policy.status
    _at(ctx, date(2026, 1, 20))
    import_text(_terminate(date(2026, 1, 31), "000000102"))

    _at(ctx, date(2026, 1, 22))
    termination.reinstate_policy(ctx, policy.policy_number, on=date(2026, 1, 22), reason="ended in error")
    ctx.session.refresh(policy)

    # The restore record of the 834 change puts back the open-ended span and the status before it.
    assert (policy.status, policy.end_date) == (status_before, None)
    assert [span.end_date for span in spans_of(ctx, "T-1")] == [None]
    assert _changes(ctx, policy.id)[0].refund_state == "withdrawn"


def test_one_file_terminates_two_families(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    _at(ctx, date(2025, 12, 10))
    import_text(interchange_text([member("T-1"), member("T-2", first_name="EVA")]))
    _bill(ctx, date(2025, 12, 15))
    _bill(ctx, date(2026, 1, 15))
    ended = coverage(
        start=None, end=date(2026, 1, 31), maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION
    )
    terminations = [
        member(subscriber, maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION, coverages=(ended,))
        for subscriber in ("T-1", "T-2")
    ]
    _at(ctx, date(2026, 1, 20))
    import_text(interchange_text(terminations, control_number="000000102"))

    # The credits of one file are quoted together; each policy still gets its own February.
    quotes = [
        (change.refund_state, change.refund_quote_cents)
        for subscriber in ("T-1", "T-2")
        for change in _changes(ctx, policies_of(ctx, subscriber)[0].id)
    ]
    assert quotes == [("awaiting_credit", MONTHLY), ("awaiting_credit", MONTHLY)]
