"""The API tests' catalog, stored as the catalog in force so that rating and lifecycle routes can read it."""

from __future__ import annotations

from pathlib import Path

from premia.catalog.service import load_catalog

CATALOG_FILE = Path(__file__).parent / "data" / "api-catalog.yaml"


def load_test_catalog(api) -> None:
    with api.services() as ctx:
        report = load_catalog(ctx, CATALOG_FILE)
    assert report.status in ("loaded", "unchanged"), report.errors
