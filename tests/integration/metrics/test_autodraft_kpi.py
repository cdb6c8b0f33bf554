"""The auto-draft return rate from drafts Premia originated and a bank's return file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from premia.accounts import service as accounts
from premia.accounts.model import AuthorizationMethod, BankAccountInput, BankAccountType, PaymentMethod
from premia.demo.bank_files import ReturnedDraft, nacha_returns
from premia.metrics import Business, Period, Segment
from premia.metrics.autodraft import autodraft_return_rate
from premia.payments.autodraft import run_autodraft
from premia.payments.config import DEFAULT_CONFIG
from premia.payments.returns import import_nacha_returns
from tests.integration.conftest import Story, story_catalog

ROUTING = "051000017"
JANUARY = Period(date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 31))


def on_autodraft(story: Story, account, bank_number: str) -> None:  # type: ignore[no-untyped-def]
    accounts.add_bank_account(
        story.ctx,
        account.account_number,
        BankAccountInput(
            holder_name="Ana Subscriber",
            routing_number=ROUTING,
            account_number=bank_number,
            account_type=BankAccountType.CHECKING,
            authorization_method=AuthorizationMethod.ONLINE,
            authorized_by="Ana Subscriber",
        ),
    )
    accounts.update_preferences(story.ctx, account.account_number, {"payment_method": PaymentMethod.ACH_AUTODRAFT})


@pytest.fixture
def drafts(ctx):
    """Two households on auto-draft, January drafted on 2025-12-31, effective 2026-01-02."""
    story = Story(ctx=ctx, catalog=story_catalog())
    story.at(date(2025, 12, 1))
    for number, name in enumerate(("Ana", "Ben")):
        account = story.account(first_name=name)
        story.policy(account, effective=date(2026, 1, 1))
        on_autodraft(story, account, f"00012345{number}")
    story.bill(date(2025, 12, 15))
    story.at(date(2025, 12, 31))
    report = run_autodraft(ctx, as_of=date(2025, 12, 31))
    return story, report.entries


def return_first(story: Story, entries, code: str) -> None:  # type: ignore[no-untyped-def]
    entry = entries[0]
    returned = ReturnedDraft(entry["trace_number"], ROUTING, "000123450", entry["amount_cents"], entry["reference"], "ANA SUBSCRIBER", code)
    content = nacha_returns([returned], created=date(2026, 1, 6), origin_routing=DEFAULT_CONFIG.originator.odfi_routing_number)
    story.at(date(2026, 1, 6))
    import_nacha_returns(story.ctx, content.encode("ascii"), file_name="returns.ach", as_of=date(2026, 1, 6))


def test_rate_counts_returned_draft(drafts):
    story, entries = drafts
    return_first(story, entries, "R01")
    figure = autodraft_return_rate(story.ctx, JANUARY, Segment())
    # 1 of 2 drafts returned = 50.0%
    assert figure.numerator == 1
    assert figure.denominator == 2
    assert figure.value == Decimal("50.0")
    assert figure.detail["returned_R01"] == 1


def test_rate_sorts_nacha_categories(drafts):
    story, entries = drafts
    return_first(story, entries, "R10")
    figure = autodraft_return_rate(story.ctx, JANUARY, Segment())
    assert figure.detail["unauthorized_returns"] == 1
    assert figure.detail["administrative_returns"] == 0


def test_rate_ignores_return_after_as_of(drafts):
    story, entries = drafts
    return_first(story, entries, "R01")
    figure = autodraft_return_rate(story.ctx, Period(JANUARY.first_day, JANUARY.last_day, date(2026, 1, 5)), Segment())
    assert figure.numerator == 0
    assert figure.denominator == 2


def test_rate_group_segment_has_no_drafts(drafts):
    story, _ = drafts
    figure = autodraft_return_rate(story.ctx, JANUARY, Segment(business=Business.GROUP))
    assert figure.denominator == 0
