"""Load catalog files into the database and read the catalog in force.

Loading is all or nothing: the files are parsed and validated first, and any error (with
its file, line and field) leaves the database untouched. A catalog whose content hash is
already stored is reported as unchanged, so loading the same file twice changes nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from premia.audit import service as audit
from premia.catalog.tables import CatalogPlan, CatalogVersion
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError, ValidationError
from premia.rating.catalog import Catalog
from premia.rating.catalog_file import parse_catalog_file
from premia.rating.catalog_nodes import CatalogError
from premia.staff.permissions import Permission

_parsed_cache: dict[str, Catalog] = {}


@dataclass
class LoadReport:
    source: str
    status: str
    content_hash: str | None = None
    version_id: int | None = None
    plans: int = 0
    rates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def load_catalog(ctx: ServiceContext, path: Path) -> LoadReport:
    """Validate and store the catalog at ``path``; on any error store nothing and list them all."""
    ctx.require(Permission.CATALOG_MANAGE)
    catalog, errors = parse_catalog_file(path)
    report = LoadReport(source=str(path), status="rejected")
    if errors or catalog is None:
        report.errors = [_error_dict(error) for error in errors]
        return report

    content_hash = catalog.content_hash()
    report.content_hash = content_hash
    report.plans = len(catalog.plans)
    report.rates = len(catalog.rates.rows)
    existing = ctx.session.scalar(select(CatalogVersion).where(CatalogVersion.content_hash == content_hash))
    if existing is not None:
        report.status = "unchanged"
        report.version_id = existing.id
        return report

    files = _source_files(path)
    version = CatalogVersion(
        content_hash=content_hash,
        carrier=catalog.carrier,
        source_name=path.name,
        main_file=path.name,
        files=files,
        plan_count=len(catalog.plans),
        rate_count=len(catalog.rates.rows),
        loaded_by=ctx.actor.username,
        loaded_at=ctx.now(),
    )
    ctx.session.add(version)
    ctx.session.flush()
    ctx.session.add_all(
        CatalogPlan(
            version_id=version.id,
            plan_id=plan.plan_id,
            plan_year=plan.plan_year,
            product_id=plan.product_id,
            name=plan.name,
            state=plan.state,
            market=plan.market.value,
            exchange=plan.exchange.value,
            metal_level=plan.metal_level.value,
            crosswalk_plan_id=plan.crosswalk_plan_id,
        )
        for plan in catalog.plans
    )
    ctx.session.flush()
    _parsed_cache[content_hash] = catalog
    audit.record(ctx, action="load", record_type="catalog", record_id=version.id, detail={"hash": content_hash, "plans": report.plans})
    report.status = "loaded"
    report.version_id = version.id
    return report


def current_catalog(ctx: ServiceContext) -> Catalog:
    """The newest loaded catalog, parsed once per process and content hash."""
    version = ctx.session.scalar(select(CatalogVersion).order_by(CatalogVersion.id.desc()).limit(1))
    if version is None:
        raise NotFoundError(
            code="catalog.not_loaded",
            message="No rating catalog has been loaded.",
            field="catalog",
            hint="Load one with `premia catalog load FILE.yaml`.",
        )
    cached = _parsed_cache.get(version.content_hash)
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="premia-catalog-") as folder:
        for name, text in version.files.items():
            target = Path(folder) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        catalog, errors = parse_catalog_file(Path(folder) / version.main_file)
    if catalog is None:
        raise ValidationError(
            code="catalog.stored_invalid",
            message=f"Stored catalog version {version.id} no longer parses: {errors[0].message if errors else 'unknown error'}.",
            field="catalog",
            hint="Load the catalog file again with `premia catalog load`.",
        )
    _parsed_cache[version.content_hash] = catalog
    return catalog


def _source_files(path: Path) -> dict[str, str]:
    """The YAML file and every CSV rate file it names, keyed by their names relative to it."""
    text = path.read_text(encoding="utf-8-sig")
    files = {path.name: text}
    document = yaml.safe_load(text) or {}
    for table in document.get("rate_tables") or []:
        if isinstance(table, dict) and table.get("file"):
            relative = str(table["file"])
            files[relative] = (path.parent / relative).read_text(encoding="utf-8-sig")
    return files


def _error_dict(error: CatalogError) -> dict[str, Any]:
    return {key: value for key, value in error.to_dict().items() if value is not None}
