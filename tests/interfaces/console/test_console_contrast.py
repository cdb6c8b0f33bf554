"""Text colours of the console stylesheet against their backgrounds meet WCAG AA (4.5:1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import premia.interfaces.console as console_package

STYLESHEET = Path(console_package.__file__).parent / "static" / "console.css"
WCAG_AA = 4.5
# (text, background): body text, muted text, links and buttons, the sidebar, and each badge tone.
PAIRS = [
    ("--ink", "--page"),
    ("--ink", "--card"),
    ("--ink-muted", "--card"),
    ("--ink-muted", "--page"),
    ("--accent", "--card"),
    ("#ffffff", "--accent"),
    ("--brand-ink", "--brand"),
    ("--brand-muted", "--brand"),
    ("--good-ink", "--good-bg"),
    ("--warn-ink", "--warn-bg"),
    ("--bad-ink", "--bad-bg"),
    ("--info-ink", "--info-bg"),
    ("--quiet-ink", "--quiet-bg"),
]


def _variables() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", STYLESHEET.read_text(encoding="utf-8"), re.S)
    assert root is not None
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula() -> None:
    # Black on white is the maximum, 21:1; equal colours are 1:1.
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert contrast("#777777", "#777777") == 1.0


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_contrast(text: str, background: str) -> None:
    colours = _variables()
    foreground = colours.get(text, text)
    back = colours.get(background, background)
    assert contrast(foreground, back) >= WCAG_AA, f"{text} on {background}: {contrast(foreground, back):.2f}:1"
