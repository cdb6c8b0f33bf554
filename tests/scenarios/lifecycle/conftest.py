"""Time-travel stories reuse the lifecycle story builder of the integration tests."""

from __future__ import annotations

from tests.scenarios.builders import INTEGRATION, load_conftest

_shared = load_conftest("tests.integration.conftest", INTEGRATION / "conftest.py")
_builders = load_conftest("tests.integration.lifecycle.conftest", INTEGRATION / "lifecycle" / "conftest.py")

story = _shared.story
life = _builders.life
