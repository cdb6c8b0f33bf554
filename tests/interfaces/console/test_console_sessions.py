"""The signed session cookie, its idle time-out, CSRF tokens and signed values (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.interfaces.console.sessions import (
    CookieProblem,
    CookieRejection,
    CookieSession,
    csrf_matches,
    csrf_token,
    open_session,
    open_value,
    seal_session,
    seal_value,
    signing_key,
)

KEY = signing_key("a-server-secret")
OTHER_KEY = signing_key("another-secret")
SEEN = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
TOKEN = "Zx1_token-value"


def test_session_round_trip() -> None:
    opened = open_session(KEY, seal_session(KEY, TOKEN, SEEN), now=SEEN + timedelta(minutes=14), idle_timeout=IDLE)
    assert opened == CookieSession(token=TOKEN, last_seen=SEEN)


def test_session_idle_past_timeout() -> None:
    opened = open_session(KEY, seal_session(KEY, TOKEN, SEEN), now=SEEN + timedelta(minutes=15, seconds=1), idle_timeout=IDLE)
    assert opened == CookieRejection(CookieProblem.IDLE, token=TOKEN)


def test_session_at_timeout_still_open() -> None:
    opened = open_session(KEY, seal_session(KEY, TOKEN, SEEN), now=SEEN + IDLE, idle_timeout=IDLE)
    assert isinstance(opened, CookieSession)


def test_session_moved_forward_rejected() -> None:
    token, stamp, signature = seal_session(KEY, TOKEN, SEEN).rsplit(".", 2)
    forged = f"{token}.{int(stamp) + 600}.{signature}"
    opened = open_session(KEY, forged, now=SEEN + timedelta(minutes=20), idle_timeout=IDLE)
    assert opened == CookieRejection(CookieProblem.BAD_SIGNATURE)


def test_session_other_key_rejected() -> None:
    opened = open_session(OTHER_KEY, seal_session(KEY, TOKEN, SEEN), now=SEEN, idle_timeout=IDLE)
    assert opened == CookieRejection(CookieProblem.BAD_SIGNATURE)


def test_session_missing_and_malformed() -> None:
    assert open_session(KEY, None, now=SEEN, idle_timeout=IDLE) == CookieRejection(CookieProblem.MISSING)
    assert open_session(KEY, "no-dots-here", now=SEEN, idle_timeout=IDLE) == CookieRejection(CookieProblem.MALFORMED)
    assert open_session(KEY, "a.notanumber.b", now=SEEN, idle_timeout=IDLE) == CookieRejection(CookieProblem.MALFORMED)


def test_csrf_differs_per_session() -> None:
    assert csrf_token(KEY, "session-one") != csrf_token(KEY, "session-two")


def test_csrf_matches_own_session_only() -> None:
    token = csrf_token(KEY, "session-one")
    assert csrf_matches(KEY, "session-one", token)
    assert not csrf_matches(KEY, "session-two", token)
    assert not csrf_matches(KEY, "session-one", None)
    assert not csrf_matches(KEY, "session-one", "")


def test_sealed_value_round_trip() -> None:
    sealed = seal_value(KEY, "flash", "Payment #12 of $1,000.00 posted — ok")
    assert open_value(KEY, "flash", sealed) == "Payment #12 of $1,000.00 posted — ok"


def test_sealed_value_other_purpose_rejected() -> None:
    sealed = seal_value(KEY, "login", "nonce")
    assert open_value(KEY, "flash", sealed) is None


def test_sealed_value_altered_rejected() -> None:
    encoded, signature = seal_value(KEY, "flash", "hello").rsplit(".", 1)
    assert open_value(KEY, "flash", f"{encoded}x.{signature}") is None
    assert open_value(KEY, "flash", None) is None


@settings(max_examples=200)
@given(token=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=64), minutes=st.integers(min_value=0, max_value=15))
def test_any_token_round_trips(token: str, minutes: int) -> None:
    opened = open_session(KEY, seal_session(KEY, token, SEEN), now=SEEN + timedelta(minutes=minutes), idle_timeout=IDLE)
    assert isinstance(opened, CookieSession)
    assert opened.token == token
