"""The CLI's text tables."""

from __future__ import annotations

import pytest

from premia.interfaces.cli.runtime import echo_table


def test_table_prints_zero_count(capsys: pytest.CaptureFixture[str]) -> None:
    echo_table([{"bank_account": "1234", "deposit_count": 0, "reference": None}], ["bank_account", "deposit_count", "reference"])

    row = capsys.readouterr().out.splitlines()[1]
    assert row.split() == ["1234", "0"]
