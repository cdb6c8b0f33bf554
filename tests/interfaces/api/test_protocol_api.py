"""HTTP-level responses every route shares: unreadable bodies, tokens and cursors."""

from __future__ import annotations

import base64

import pytest

from tests.interfaces.api.households import couple


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_malformed_json_is_400(api):
    headers = api.headers(**{"Content-Type": "application/json"})

    response = api.client.post("/api/v1/payments", content=b'{"account_number": "BA-000001",', headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "api.invalid_json"
    assert response.json()["field"] == "body"
    # The decoder's reason and where it stopped, in place of a bare character offset as the field.
    assert response.json()["detail"] == "The body is not valid JSON: Expecting property name enclosed in double quotes at character 31."


def test_body_not_utf8_is_400(api):
    headers = api.headers(**{"Content-Type": "application/json"})

    response = api.client.post("/api/v1/cases", content=b"\xff\xfe{}", headers=headers)

    assert response.status_code == 400
    assert response.json()["code"] == "api.invalid_json"
    assert response.json()["field"] == "body"


def test_unknown_token_hint_names_api(api):
    response = api.client.get("/api/v1/accounts", headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401
    assert response.json()["code"] == "staff.session_invalid"
    assert response.json()["field"] == "Authorization"
    assert "POST /api/v1/tokens" in response.json()["hint"]
    assert "premia login" not in response.json()["hint"]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"], ids=["missing", "unknown"])
def test_401_challenges_for_bearer(api, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = api.client.get("/api/v1/accounts", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/api/v1/payments", "/api/v1/cases", "/api/v1/policies"])
def test_cursor_beyond_bigint_is_422(api, path):
    cursor = _cursor(str(2**63))

    response = api.client.get(path, params={"cursor": cursor}, headers=api.headers())

    assert response.status_code == 422
    assert response.json()["code"] == "api.invalid_cursor"
    assert response.json()["field"] == "cursor"


def test_cursor_past_last_row_is_empty(api):
    couple(api)

    response = api.client.get("/api/v1/payments", params={"cursor": _cursor(str(2**63 - 1))}, headers=api.headers())

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


def test_cursor_with_nul_is_422(api):
    cursor = _cursor('"BA-\\u0000"')

    response = api.client.get("/api/v1/accounts", params={"cursor": cursor}, headers=api.headers())

    assert response.status_code == 422
    assert response.json()["code"] == "api.invalid_cursor"


def test_405_names_allowed_methods(api):
    response = api.client.delete("/api/v1/tokens")

    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "POST" in response.headers["Allow"]
    assert response.json()["code"] == "http.405"
