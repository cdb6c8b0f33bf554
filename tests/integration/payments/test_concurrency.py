"""Two payments posted to one account at the same moment, on two real connections, never over-apply."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from premia.ledger import service as ledger
from premia.ledger.payables import account_credit
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import PostingResult, post_payment
from tests.conftest import make_context, truncate_all
from tests.integration.conftest import Story, story_catalog
from tests.integration.payments.conftest import couple

DAY = date(2026, 4, 27)


@pytest.fixture
def committed(engine) -> Iterator[Callable[[], Session]]:
    """Sessions that commit for real; every table is emptied afterwards."""
    sessions: list[Session] = []

    def open_session() -> Session:
        session = Session(bind=engine, expire_on_commit=False)
        sessions.append(session)
        return session

    try:
        yield open_session
    finally:
        for session in sessions:
            session.close()
        truncate_all(engine)


def _billed_account(open_session) -> int:
    """A couple billed 968.00 for May 2026, committed."""
    session = open_session()
    story = Story(ctx=make_context(session, instant=datetime(2026, 4, 1, 12, tzinfo=UTC)), catalog=story_catalog())
    household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    session.commit()
    return household.account.id


def _post_together(open_session, account_id: int, amounts: list[int], *, key: str | None = None) -> list[PostingResult | BaseException]:
    barrier = threading.Barrier(len(amounts))
    results: list[PostingResult | BaseException] = [RuntimeError("not run")] * len(amounts)

    def job(slot: int) -> None:
        session = open_session()
        try:
            ctx = make_context(session, instant=datetime(2026, 4, 27, 15, tzinfo=UTC))
            barrier.wait(timeout=30)
            results[slot] = post_payment(
                ctx,
                billing_account_id=account_id,
                amount_cents=amounts[slot],
                channel=PaymentChannel.MANUAL,
                method=PaymentMethod.CHECK,
                received_on=DAY,
                idempotency_key=key,
            )
            session.commit()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread to assert on
            session.rollback()
            results[slot] = exc

    threads = [threading.Thread(target=job, args=(slot,)) for slot in range(len(amounts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_payments_never_over_apply(committed):
    account_id = _billed_account(committed)
    results = _post_together(committed, account_id, [80_000, 80_000])
    assert all(isinstance(result, PostingResult) for result in results), results

    applied = sum(result.applied_cents for result in results)
    unapplied = sum(result.unapplied_cents for result in results)
    reader = make_context(committed())
    # 968.00 open: one payment applies 800.00, the other 168.00 and keeps 632.00 as credit
    assert applied == 96_800
    assert unapplied == 63_200
    assert ledger.account_balance(reader, account_id) == -63_200
    assert account_credit(reader, account_id).receivable_credits == ()
    assert sum(ledger.trial_balance(reader).values()) == 0


def test_many_concurrent_payments_apply_once(committed):
    account_id = _billed_account(committed)
    results = _post_together(committed, account_id, [30_000] * 4)
    assert all(isinstance(result, PostingResult) for result in results), results
    reader = make_context(committed())
    # 4 x 300.00 = 1,200.00 against 968.00 open: 968.00 applied, 232.00 credit
    assert sum(result.applied_cents for result in results) == 96_800
    assert ledger.account_balance(reader, account_id) == -23_200
    assert account_credit(reader, account_id).receivable_credits == ()


def test_same_key_at_once_posts_once(committed):
    account_id = _billed_account(committed)
    results = _post_together(committed, account_id, [96_800, 96_800], key="retry-1")
    assert all(isinstance(result, PostingResult) for result in results), results
    assert results[0].payment.id == results[1].payment.id
    assert sorted(result.replayed for result in results) == [False, True]
    assert ledger.account_balance(make_context(committed()), account_id) == 0
