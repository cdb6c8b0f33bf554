"""The delinquency run: recorded and audited transitions, repeatable runs, permissions, late runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from premia.audit.tables import AuditEntry
from premia.delinquency.config import ReinstatementRule, RuleScope, default_config
from premia.delinquency.model import GraceKind
from premia.delinquency import service
from premia.delinquency.service import run_delinquency
from premia.delinquency.tables import DelinquencyTransition, GracePeriod, Outbound834
from premia.enrollment.model import PolicyStatus, Relationship
from premia.enrollment.tables import CoverageSpan
from premia.kernel.errors import PermissionDeniedError
from premia.notices.tables import Notice
from premia.staff.model import Actor
from premia.staff.permissions import Role

# Born 1980-03-15: 577.60 gross less 477.60 APTC = 100.00 net a month.
NET = 10_000


def _aptc_in_grace(story):
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    story.day(date(2025, 12, 15))
    story.pay(household, NET, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    return household


def _counts(ctx) -> tuple[int, ...]:
    return tuple(
        ctx.session.scalar(select(func.count()).select_from(table))
        for table in (DelinquencyTransition, GracePeriod, Notice, Outbound834)
    )


def test_second_run_changes_nothing(exchange_story):
    story = exchange_story
    _aptc_in_grace(story)
    first = story.run(date(2026, 2, 3))
    assert len(first.changes) == 1
    assert len(first.notices) == 1
    before = _counts(story.ctx)

    second = story.run(date(2026, 2, 3))
    assert second.changes == []
    assert second.notices == []
    assert _counts(story.ctx) == before


def test_transition_recorded_with_amounts(exchange_story):
    story = exchange_story
    household = _aptc_in_grace(story)
    story.run(date(2026, 2, 3))
    transition = story.transitions(household)[0]
    assert (transition.from_status, transition.to_status, transition.trigger) == ("active", "grace", "past_due")
    assert transition.as_of == date(2026, 2, 3)
    # The APTC grace period starts with its first month.
    assert transition.effective_date == date(2026, 2, 1)
    assert transition.reason == "premium for 2026-02 due 2026-02-02 unpaid"
    assert transition.past_due_cents == NET
    assert transition.open_cents == NET
    assert transition.grace_period_id == story.grace(household).id


def test_transition_audited(exchange_story):
    story = exchange_story
    household = _aptc_in_grace(story)
    story.run(date(2026, 2, 3))
    entry = story.ctx.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "delinquency_transition", AuditEntry.record_id == household.policy.policy_number)
    ).one()
    assert entry.detail["from"] == "active"
    assert entry.detail["to"] == "grace"
    assert entry.detail["past_due_cents"] == NET
    run_entry = story.ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "delinquency_run", AuditEntry.record_id == "2026-02-03")).one()
    assert run_entry.detail["changed"] == 1


def test_report_lists_change(exchange_story):
    story = exchange_story
    household = _aptc_in_grace(story)
    data = story.run(date(2026, 2, 3)).to_dict()
    assert data["changed"] == 1
    assert data["changes"][0]["policy_number"] == household.policy.policy_number
    assert data["changes"][0]["past_due"] == "100.00"
    assert data["notices"] == [{"policy_number": household.policy.policy_number, "notice_type": "delinquency", "send_on": "2026-02-03"}]


def test_late_run_catches_up(exchange_story):
    story = exchange_story
    household = _aptc_in_grace(story)
    for day in (date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)):
        story.bill(day)
    # The first run after January is on 05-04: grace opens, its notices follow, and it ends.
    report = story.run(date(2026, 5, 4))
    assert [change.trigger for change in report.changes] == ["past_due", "grace_ended"]
    assert story.status(household) == PolicyStatus.TERMINATED
    assert story.transitions(household)[-1].effective_date == date(2026, 2, 28)
    assert [notice_type for notice_type, _ in story.dunning(household)] == [
        "delinquency",
        "grace_second",
        "provider_pend",
        "final",
        "termination",
    ]


def test_termination_ends_member_spans(exchange_story):
    story = exchange_story
    household = _aptc_in_grace(story)
    story.story.dependent(household.policy, first_name="Kid", birth=date(2015, 5, 5), relationship=Relationship.CHILD, start=date(2026, 3, 1))
    for day in (date(2026, 2, 3), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15), date(2026, 5, 1)):
        story.day(day)
    spans = list(story.ctx.session.scalars(select(CoverageSpan).where(CoverageSpan.policy_id == household.policy.id).order_by(CoverageSpan.id)))
    # The subscriber's span ends 02-28; the child's, starting 03-01, is void.
    assert (spans[0].end_date, spans[0].voided) == (date(2026, 2, 28), False)
    assert spans[1].voided
    story.ctx.session.refresh(household.policy)
    assert household.policy.end_date == date(2026, 2, 28)
    assert household.policy.status_reason == "non-payment of premium"


def test_reinstatement_restores_coverage(exchange_story):
    story = exchange_story
    story.config = replace(
        default_config(),
        reinstatement_rules=(ReinstatementRule(name="30 days", scope=RuleScope(), window_days=30),),
    )
    household = _aptc_in_grace(story)
    for day in (date(2026, 2, 3), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15), date(2026, 5, 1), date(2026, 5, 15)):
        story.day(day)
    assert story.status(household) == PolicyStatus.TERMINATED
    # Everything it would owe is February to May as billed before the termination, 4 x 100.00;
    # the last 100.00 of this payment stays as credit.
    story.pay(household, 5 * NET, date(2026, 5, 20))
    story.day(date(2026, 5, 20))

    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.transitions(household)[-1].trigger == "reinstated"
    assert story.grace(household).outcome == "reinstated"
    story.ctx.session.refresh(household.policy)
    assert household.policy.end_date is None
    assert [row.kind for row in story.outbound(household)] == ["termination", "reinstatement"]
    assert story.eligibility(household, date(2026, 4, 10)).covered
    # The 06-15 bill run bills March to May again, and June and July; the credit pays June,
    # so July's 100.00 is owed.
    story.day(date(2026, 6, 15))
    assert story.balance(household) == NET


def test_csr_cannot_run(exchange_story):
    story = exchange_story
    story.ctx.actor = Actor(user_id=None, username="csr1", role=Role.CSR)
    with pytest.raises(PermissionDeniedError):
        run_delinquency(story.ctx, as_of=date(2026, 2, 3))


def test_policy_error_does_not_stop_run(exchange_story):
    story = exchange_story
    story.config = replace(default_config(), grace_rules=tuple(rule for rule in default_config().grace_rules if rule.kind is GraceKind.APTC_MONTHS))
    covered = _aptc_in_grace(story)
    uncovered = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), first_name="Bo", exchange=True, aptc_cents=47_760)
    story.bill(date(2026, 1, 15))
    # Bo never paid a month, so only a grace rule counted in days would apply, and there is none.
    report = story.run(date(2026, 2, 3))
    assert [(failure["policy_number"], failure["code"]) for failure in report.failed] == [(uncovered.policy.policy_number, "delinquency.no_rule")]
    assert story.status(covered) == PolicyStatus.GRACE
    assert story.status(uncovered) == PolicyStatus.ACTIVE


def test_grace_without_record_reported(exchange_story):
    story = exchange_story
    household = _aptc_in_grace(story)
    household.policy.status = PolicyStatus.GRACE.value
    story.ctx.session.flush()
    report = story.run(date(2026, 2, 3))
    assert [failure["code"] for failure in report.failed] == ["delinquency.no_open_grace"]
    assert story.status(household) == PolicyStatus.GRACE


def test_run_in_chunks(exchange_story, monkeypatch):
    story = exchange_story
    monkeypatch.setattr(service, "STATES_PER_CHUNK", 1)
    first = _aptc_in_grace(story)
    second = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), first_name="Bo", exchange=True, aptc_cents=47_760)
    story.bill(date(2026, 1, 15))
    story.pay(second, 2 * NET, date(2026, 1, 20))
    report = story.run(date(2026, 2, 3))
    assert report.policies_checked == 2
    assert story.status(first) == PolicyStatus.GRACE
    assert story.status(second) == PolicyStatus.ACTIVE


def test_run_only_named_policies(exchange_story):
    story = exchange_story
    first = _aptc_in_grace(story)
    second = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), first_name="Bo", exchange=True, aptc_cents=47_760)
    story.bill(date(2026, 1, 15))
    story.pay(second, NET, date(2026, 1, 20))
    story.story.at(date(2026, 2, 3))
    report = run_delinquency(story.ctx, as_of=date(2026, 2, 3), policy_ids=[second.policy.id])
    assert report.policies_checked == 1
    assert story.status(first) == PolicyStatus.ACTIVE
    assert story.status(second) == PolicyStatus.GRACE


APTC_ONLY_YAML = """
grace_rules:
  - name: APTC three months
    kind: aptc_months
    months: 3
    termination_basis: first_grace_month
    claims_in_grace: pend
    scope: {markets: [individual], aptc: true}
"""


def test_rules_file_setting_used(exchange_story, tmp_path):
    story = exchange_story
    rules = tmp_path / "delinquency.yaml"
    rules.write_text(APTC_ONLY_YAML, encoding="utf-8")
    story.ctx.settings = story.ctx.settings.model_copy(update={"delinquency_config_file": str(rules)})
    covered = _aptc_in_grace(story)
    uncovered = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), first_name="Bo", exchange=True, aptc_cents=47_760)
    story.bill(date(2026, 1, 15))
    story.story.at(date(2026, 2, 3))
    # No configuration is passed, so the file named by the setting decides: it has no rule
    # counted in days, which a policy that never paid a month would need.
    report = run_delinquency(story.ctx, as_of=date(2026, 2, 3))
    assert [(failure["policy_number"], failure["code"]) for failure in report.failed] == [(uncovered.policy.policy_number, "delinquency.no_rule")]
    assert story.status(covered) == PolicyStatus.GRACE


def test_defaults_without_rules_file(exchange_story):
    story = exchange_story
    _aptc_in_grace(story)
    story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), first_name="Bo", exchange=True, aptc_cents=47_760)
    story.bill(date(2026, 1, 15))
    story.story.at(date(2026, 2, 3))
    report = run_delinquency(story.ctx, as_of=date(2026, 2, 3))
    assert report.failed == []
