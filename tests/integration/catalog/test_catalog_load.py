"""Loading the catalog into the database: validated, all or nothing, idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

import premia.rating
from premia.catalog import service as catalog_service
from premia.catalog.service import current_catalog, load_catalog
from premia.catalog.tables import CatalogPlan, CatalogVersion
from premia.kernel.errors import NotFoundError, PermissionDeniedError
from premia.staff.permissions import Role
from tests.conftest import make_context

DEMO = Path(premia.rating.__file__).parent / "data" / "demo-catalog.yaml"


def _versions(ctx) -> int:
    return ctx.session.scalar(select(func.count(CatalogVersion.id))) or 0


def test_demo_catalog_loads(ctx):
    report = load_catalog(ctx, DEMO)
    assert report.status == "loaded"
    assert report.plans == ctx.session.scalar(select(func.count(CatalogPlan.id)))
    assert report.rates > 0


def test_second_load_changes_nothing(ctx):
    first = load_catalog(ctx, DEMO)
    second = load_catalog(ctx, DEMO)
    assert second.status == "unchanged"
    assert second.version_id == first.version_id
    assert _versions(ctx) == 1


def test_invalid_catalog_loads_nothing(ctx, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(DEMO.parent, folder)
    text = (folder / DEMO.name).read_text(encoding="utf-8")
    (folder / DEMO.name).write_text(text.replace("ehb_share:", "ehb_share: 7 #", 1), encoding="utf-8")
    report = load_catalog(ctx, folder / DEMO.name)
    assert report.status == "rejected"
    assert report.errors
    assert all("line" in error and "field" in error for error in report.errors)
    assert _versions(ctx) == 0


def test_current_catalog_rebuilt_from_storage(ctx):
    load_catalog(ctx, DEMO)
    catalog_service._parsed_cache.clear()
    catalog = current_catalog(ctx)
    reloaded = catalog.content_hash()
    assert reloaded == ctx.session.scalar(select(CatalogVersion.content_hash))


def test_no_catalog_is_a_clear_error(ctx):
    with pytest.raises(NotFoundError) as error:
        current_catalog(ctx)
    assert "premia catalog load" in (error.value.hint or "")


def test_csr_cannot_load_catalog(db_session):
    ctx = make_context(db_session, role=Role.CSR)
    with pytest.raises(PermissionDeniedError):
        load_catalog(ctx, DEMO)
