"""Time-travel stories reuse the delinquency story builder of the integration tests."""

from __future__ import annotations

from tests.scenarios.builders import INTEGRATION, load_conftest

load_conftest("tests.integration.conftest", INTEGRATION / "conftest.py")
_builders = load_conftest("tests.integration.delinquency.conftest", INTEGRATION / "delinquency" / "conftest.py")

exchange_story = _builders.exchange_story
offexchange_story = _builders.offexchange_story
story_factory = _builders.story_factory
