"""`premia` start-up: commands are imported only when used, and the help page still matches the commands."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from premia.interfaces.cli import demo as demo_command
from premia.interfaces.cli.main import COMMANDS, app

# Libraries that only some commands need; `premia --help` must not load them.
HEAVY_MODULES = ("weasyprint", "alembic", "pyx12", "fastapi", "uvicorn", "premia.demo")


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_summary_matches_command_help(name: str) -> None:
    command = COMMANDS[name].load(name)
    first_paragraph = (command.help or "").strip().split("\n\n")[0].replace("\n", " ")
    assert COMMANDS[name].summary == first_paragraph


def test_help_imports_no_heavy_module() -> None:
    script = (
        "import sys\n"
        "from premia.interfaces.cli.main import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('loaded:', ','.join(name for name in {HEAVY_MODULES!r} if name in sys.modules))\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert finished.stdout.splitlines()[-1] == "loaded: "


def test_group_with_one_command_stays_a_group() -> None:
    result = CliRunner().invoke(app, ["keys", "generate"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip()) == 44


def test_demo_defaults_match_the_demo_package() -> None:
    from premia.demo.script import DEFAULT_MONTHS, DEFAULT_SEED, DEFAULT_SUBSCRIBERS
    from premia.demo.setup import DEMO_TIME_ZONE
    from premia.demo.timeline import MAX_MONTHS

    assert demo_command.DEFAULT_SUBSCRIBERS == DEFAULT_SUBSCRIBERS
    assert demo_command.DEFAULT_MONTHS == DEFAULT_MONTHS
    assert demo_command.DEFAULT_SEED == DEFAULT_SEED
    assert demo_command.MAX_MONTHS == MAX_MONTHS
    assert demo_command.DEMO_TIME_ZONE == DEMO_TIME_ZONE


def _commands(command: Any) -> list[Any]:
    """Return ``command`` and, for a group, every command under it."""
    found = [command]
    for sub in getattr(command, "commands", {}).values():
        found += _commands(sub)
    return found


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_paragraphs_print_unbroken(name: str) -> None:
    # Typer's help prints every line break of a docstring after its first paragraph, so a
    # sentence wrapped in the source would break in the middle on the screen.
    for command in _commands(COMMANDS[name].load(name)):
        for paragraph in (command.help or "").split("\n\n"):
            assert "\n" not in paragraph.strip(), (command.name, paragraph)
