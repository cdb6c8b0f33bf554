"""The console's session cookie, its CSRF token and the idle time-out (pure).

The cookie contains the bearer token of a staff session started with ``kind="console"`` and
the time of the last request, signed with HMAC-SHA256. The token alone already proves the
login (only its hash is stored); the signature stops anyone from moving the last-request
time forward, so an idle session cannot be kept alive by editing the cookie.

The CSRF token is an HMAC of the session token, so it is fixed for the session, differs
between sessions, and needs no storage. Before login the form carries a random nonce that
must match a signed cookie of its own (double submit), so a third-party page cannot log a
user in under another account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

SESSION_COOKIE = "premia_console"
LOGIN_COOKIE = "premia_console_login"
FLASH_COOKIE = "premia_console_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
DEFAULT_IDLE_TIMEOUT = timedelta(minutes=15)
_SIGNING_LABEL = b"premia console cookie v1"


class CookieProblem(StrEnum):
    """The reason a session cookie was not accepted."""

    MISSING = "missing"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    IDLE = "idle"


@dataclass(frozen=True)
class CookieSession:
    """A session cookie that passed its checks: the bearer token and when it was last used."""

    token: str
    last_seen: datetime


@dataclass(frozen=True)
class CookieRejection:
    problem: CookieProblem
    # The token of a cookie that was genuine but idle too long, so the caller can end that session.
    token: str | None = None


def signing_key(secret: str) -> bytes:
    """Derive the cookie key from a server secret, so the secret itself never signs anything."""
    return hmac.new(secret.encode("utf-8"), _SIGNING_LABEL, hashlib.sha256).digest()


def seal_session(key: bytes, token: str, last_seen: datetime) -> str:
    """Return the cookie value for ``token`` last used at ``last_seen``."""
    stamp = str(int(last_seen.timestamp()))
    return f"{token}.{stamp}.{_sign(key, token, stamp)}"


def open_session(key: bytes, value: str | None, *, now: datetime, idle_timeout: timedelta) -> CookieSession | CookieRejection:
    """Check a cookie's signature and idle time; return the session or why it was rejected."""
    if not value:
        return CookieRejection(CookieProblem.MISSING)
    parts = value.rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return CookieRejection(CookieProblem.MALFORMED)
    token, stamp, signature = parts
    if not hmac.compare_digest(signature, _sign(key, token, stamp)):
        return CookieRejection(CookieProblem.BAD_SIGNATURE)
    last_seen = datetime.fromtimestamp(int(stamp), tz=UTC)
    if now - last_seen > idle_timeout:
        return CookieRejection(CookieProblem.IDLE, token=token)
    return CookieSession(token=token, last_seen=last_seen)


def csrf_token(key: bytes, session_token: str) -> str:
    """Return the CSRF token of one session."""
    return _sign(key, "csrf", session_token)


def csrf_matches(key: bytes, session_token: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(csrf_token(key, session_token), submitted or "")


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)


def seal_value(key: bytes, purpose: str, value: str) -> str:
    """Sign a short value for a cookie of the given purpose (login nonce, flash message)."""
    encoded = base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{encoded}.{_sign(key, purpose, encoded)}"


def open_value(key: bytes, purpose: str, sealed: str | None) -> str | None:
    """Return the value sealed by :func:`seal_value`, or None when it is missing or was altered."""
    if not sealed or "." not in sealed:
        return None
    encoded, signature = sealed.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(key, purpose, encoded)):
        return None
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _sign(key: bytes, *parts: str) -> str:
    message = "\x1f".join(parts).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
