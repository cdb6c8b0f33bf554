"""Schemathesis against the OpenAPI document, on a uvicorn server on 127.0.0.1: no 5xx, no response off the schema.

Each operation gets a bounded number of generated requests, valid and invalid, sent with an
admin token so that they reach the services instead of stopping at authorization.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from premia.interfaces.api.app import create_app
from premia.kernel.clock import FixedClock
from tests.conftest import make_settings
from tests.interfaces.api.conftest import NOW

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test dependency (pip install schemathesis==4.32.5)")
uvicorn = pytest.importorskip("uvicorn")

from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = int(__import__("os").environ.get("API_FUZZ_EXAMPLES", "4"))
SERVER_START_SECONDS = 20


def _operations() -> dict[str, object]:
    """The document's operations by label ("GET /api/v1/accounts"), read from the app without a server."""
    app = create_app(make_settings(), run_jobs=False)
    document = app.openapi()
    app.state.engine.dispose()
    loaded = schemathesis.openapi.from_dict(document)
    operations = (result.ok() for result in loaded.get_all_operations())
    return {operation.label: operation for operation in operations}


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def live_server(api_module) -> Iterator[str]:
    """The API on a free loopback port, on the same database as the test client, without the job runner."""
    app = create_app(api_module.settings, clock=FixedClock(NOW), jobs_dir=api_module.jobs_dir, run_jobs=False)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the uvicorn server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(SERVER_START_SECONDS)
        listener.close()
        app.state.engine.dispose()


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_matches_openapi(api, live_server, label):
    operation = OPERATIONS[label]
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)
    headers = api.headers()

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(case=cases)
    def check(case) -> None:
        case.call_and_validate(base_url=live_server, headers=headers, checks=CHECKS)

    check()
