"""/api/v1/openapi.json: served with the docs, and complete: security, problem responses and models for every status."""

from __future__ import annotations

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ANONYMOUS = {("post", "/api/v1/tokens")}


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_document_and_docs_served(api):
    document = api.client.get("/api/v1/openapi.json")
    docs = api.client.get("/api/v1/docs")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "Premia API"
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_bearer_scheme_on_every_operation(api):
    document = api.client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["HTTPBearer"] == {"type": "http", "scheme": "bearer", "description": "Bearer token from POST /api/v1/tokens."}
    for method, path, operation in _operations(document):
        if (method, path) in ANONYMOUS:
            continue
        assert operation.get("security") == [{"HTTPBearer": []}], f"{method.upper()} {path}"


def test_problem_responses_documented(api):
    document = api.client.get("/api/v1/openapi.json").json()
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        expected = {"401", "422"} if (method, path) in ANONYMOUS else {"401", "403", "422"}
        assert expected <= set(responses), f"{method.upper()} {path}: {sorted(responses)}"
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}, f"{method.upper()} {path} {status}"


def test_success_responses_have_models(api):
    document = api.client.get("/api/v1/openapi.json").json()
    for method, path, operation in _operations(document):
        successes = {status: response for status, response in operation["responses"].items() if status.startswith("2")}
        assert len(successes) == 1, f"{method.upper()} {path}: {sorted(successes)}"
        (response,) = successes.values()
        for media_type, content in response["content"].items():
            assert content.get("schema"), f"{method.upper()} {path} {media_type}"


def test_money_is_a_decimal_string(api):
    money = api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]["Money"]
    assert money["properties"]["amount"]["type"] == "string"
    assert money["properties"]["amount"]["pattern"] == r"^-?\d{1,13}\.\d{2}$"
    assert money["properties"]["currency"]["default"] == "USD"


def test_conditional_and_idempotent_statuses(api):
    document = api.client.get("/api/v1/openapi.json").json()
    for method, path, operation in _operations(document):
        headers = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "header"}
        if "If-Match" in headers:
            assert {"412", "428"} <= set(operation["responses"]), f"{method.upper()} {path}"
        if "Idempotency-Key" in headers:
            assert "409" in operation["responses"], f"{method.upper()} {path}"
            assert method == "post", f"{method.upper()} {path}"


# POSTs that create nothing a retry could create twice, with the reason.
NOT_IDEMPOTENT_BY_KEY = {
    ("post", "/api/v1/tokens"): "anonymous: there is no user to keep the key for",
    ("post", "/api/v1/rating/quotes"): "stores nothing",
    ("post", "/api/v1/contacts/{contact_id}/verification"): "replaces the recorded result",
}


def test_creating_posts_take_idempotency_key(api):
    document = api.client.get("/api/v1/openapi.json").json()
    for method, path, operation in _operations(document):
        headers = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "header"}
        # A change guarded by If-Match cannot be applied twice, because the retry carries a stale ETag.
        if method != "post" or "If-Match" in headers or (method, path) in NOT_IDEMPOTENT_BY_KEY:
            continue
        assert "Idempotency-Key" in headers, f"{method.upper()} {path}"
