"""Catalog versions and a plan index for look-ups by plan id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, UtcDateTime


class CatalogVersion(Base):
    """One loaded catalog. ``files`` holds the YAML and CSV texts it was parsed from, by name."""

    __tablename__ = "catalog_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    carrier: Mapped[str] = mapped_column(String(128))
    source_name: Mapped[str] = mapped_column(String(256))
    main_file: Mapped[str] = mapped_column(String(128))
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    plan_count: Mapped[int] = mapped_column(Integer)
    rate_count: Mapped[int] = mapped_column(Integer)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CatalogPlan(Base):
    __tablename__ = "catalog_plans"
    __table_args__ = (UniqueConstraint("version_id", "plan_id", "plan_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), index=True)
    plan_id: Mapped[str] = mapped_column(String(32), index=True)
    plan_year: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(2))
    market: Mapped[str] = mapped_column(String(16))
    exchange: Mapped[str] = mapped_column(String(8))
    metal_level: Mapped[str] = mapped_column(String(16))
    crosswalk_plan_id: Mapped[str | None] = mapped_column(String(32))
