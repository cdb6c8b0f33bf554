"""The policy status transition table: the allowed moves, and every other move rejected."""

from __future__ import annotations

import pytest

from premia.delinquency.model import TRANSITIONS, Trigger, next_status
from premia.delinquency.transitions import STEPS
from premia.enrollment.model import PolicyStatus as S
from premia.kernel.errors import ConflictError

EXPECTED = {
    (S.PENDING, Trigger.BINDER_PAID): S.ACTIVE,
    (S.PENDING, Trigger.BINDER_DEADLINE_PASSED): S.CANCELLED,
    (S.ACTIVE, Trigger.PAST_DUE): S.GRACE,
    (S.GRACE, Trigger.CURED): S.ACTIVE,
    (S.GRACE, Trigger.GRACE_ENDED): S.TERMINATED,
    (S.TERMINATED, Trigger.REINSTATED): S.ACTIVE,
    (S.PENDING, Trigger.PRIOR_COVERAGE_TERMINATED): S.CANCELLED,
    (S.ACTIVE, Trigger.PRIOR_COVERAGE_TERMINATED): S.CANCELLED,
    (S.GRACE, Trigger.PRIOR_COVERAGE_TERMINATED): S.CANCELLED,
}


def test_table_lists_exactly_the_allowed_moves():
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("status", "trigger"), list(EXPECTED))
def test_allowed_move_returns_target(status, trigger):
    assert next_status(status, trigger) is EXPECTED[(status, trigger)]


@pytest.mark.parametrize(
    ("status", "trigger"),
    [
        (status, trigger)
        for status in S
        for trigger in Trigger
        if (status, trigger) not in EXPECTED
    ],
)
def test_other_moves_rejected(status, trigger):
    with pytest.raises(ConflictError) as raised:
        next_status(status, trigger, policy_number="P-0000009")
    assert raised.value.code == "delinquency.transition_not_allowed"
    assert raised.value.record == "policy P-0000009"


def test_cancelled_never_comes_back():
    assert not [key for key in TRANSITIONS if key[0] is S.CANCELLED]


def test_every_run_move_has_a_step():
    run_moves = {(status, target) for (status, trigger), target in TRANSITIONS.items() if trigger is not Trigger.PRIOR_COVERAGE_TERMINATED}
    assert set(STEPS) == run_moves


def test_table_cannot_be_changed():
    with pytest.raises(TypeError):
        TRANSITIONS[(S.CANCELLED, Trigger.BINDER_PAID)] = S.ACTIVE  # type: ignore[index]
