"""Payment scenarios reuse the story builders of the integration tests."""

from __future__ import annotations

from tests.scenarios.builders import INTEGRATION, load_conftest

_shared = load_conftest("tests.integration.conftest", INTEGRATION / "conftest.py")
_builders = load_conftest("tests.integration.delinquency.conftest", INTEGRATION / "delinquency" / "conftest.py")

story = _shared.story
offexchange_story = _builders.offexchange_story
