"""`premia demo` without its command line: build the demo database and return what it holds.

Each step is timed. The steps are a fresh SQLite database, staff users with generated
passwords, the demo catalog, a book of business drawn from the seed, and the simulated
months (see :mod:`premia.demo.simulation`). The KPIs over the simulated months and the row
counts come last.
"""

from __future__ import annotations

from time import perf_counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from premia.demo.book import generate_book
from premia.demo.setup import add_employer_groups, add_staff, bootstrap_context, demo_settings, fresh_database, load_demo_catalog
from premia.demo.simulation import simulate
from premia.demo.summary import database_counts, journal_imbalance
from premia.demo.timeline import Timeline, demo_timeline
from premia.demo.world import DemoWorld, Skipped
from premia.infra.db import make_engine, make_session_factory
from premia.infra.settings import Settings
from premia.metrics import KpiReport, kpi_report
from premia.rating import DEMO_CATALOG_PATH
from premia.rating.catalog_file import parse_catalog_file
from premia.staff.model import Actor
from premia.staff.permissions import Role

DEFAULT_SUBSCRIBERS = 2_500
DEFAULT_MONTHS = 6
DEFAULT_SEED = 2026
# The folders a run writes beside the database: files exchanged, and rendered documents.
DEMO_SUBFOLDERS = ("834", "ach", "lockbox", "820", "documents")
# The member who answers a survey acts through the link's token, not as staff.
SURVEY_LINK_ACTOR = Actor(None, "survey-link", Role.INTEGRATION)


@dataclass(frozen=True)
class DemoOptions:
    """``today`` is the simulation's last day; the command line passes the carrier's today."""

    database: Path
    today: date
    subscribers: int = DEFAULT_SUBSCRIBERS
    months: int = DEFAULT_MONTHS
    seed: int = DEFAULT_SEED

    @property
    def files_dir(self) -> Path:
        return self.database.with_name(f"{self.database.stem}-files")


@dataclass
class DemoResult:
    options: DemoOptions
    settings: Settings
    timeline: Timeline
    passwords: dict[str, str]
    kpis: KpiReport
    counts: dict[str, dict[str, int]]
    activity: dict[str, int]
    journal_imbalance_cents: int
    skipped: list[Skipped]
    seconds: dict[str, float] = field(default_factory=dict)
    # The simulation's seconds by kind of work (bill runs, lockbox, service desk...).
    work_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def environment(self) -> dict[str, str]:
        """Return the settings another `premia` command needs to open the demo database."""
        return {
            "PREMIA_DATABASE_URL": self.settings.database_url,
            "PREMIA_DEV_KEY_FILE": self.settings.dev_key_file,
            "PREMIA_DOCUMENTS_DIR": self.settings.documents_dir,
            "PREMIA_CARRIER_NAME": self.settings.carrier_name or "",
            "PREMIA_CARRIER_PHONE": self.settings.carrier_phone or "",
            "PREMIA_CARRIER_ADDRESS": self.settings.carrier_address or "",
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": str(self.options.database),
            "logins": dict(self.passwords),
            "environment": self.environment(),
            "timeline": {
                "first_month": str(self.timeline.first_month),
                "months": self.timeline.months,
                "today": self.timeline.today.isoformat(),
                "note": self.timeline.note,
            },
            "counts": self.counts,
            "activity": self.activity,
            "journal_imbalance_cents": self.journal_imbalance_cents,
            "kpis": self.kpis.to_dict(),
            "skipped": [{"step": item.step, "reason": item.reason} for item in self.skipped],
            "seconds": {name: round(value, 1) for name, value in self.seconds.items()},
            "simulation_seconds": {name: round(value, 1) for name, value in self.work_seconds.items()},
        }


def run_demo(options: DemoOptions, *, echo: Callable[[str], None] = print) -> DemoResult:
    """Build the demo database at ``options.database``, replacing any previous one."""
    seconds: dict[str, float] = {}
    started = perf_counter()

    def lap(step: str) -> None:
        nonlocal started
        now = perf_counter()
        seconds[step] = seconds.get(step, 0.0) + now - started
        started = now

    plan_years = _catalog_plan_years()
    timeline = demo_timeline(options.today, options.months, plan_years)
    if timeline.note:
        echo(f"note: {timeline.note}")
    echo(f"Creating {options.database}")
    url = fresh_database(options.database)
    _clear_folder(options.files_dir)
    documents_dir = options.files_dir / "documents"
    settings = demo_settings(url, options.database, documents_dir)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    lap("database")

    try:
        opened = timeline.lead_enrollment_day - timedelta(days=7)
        setup_ctx = bootstrap_context(session, settings, _morning(settings, opened))
        passwords, actors = add_staff(setup_ctx)
        catalog = load_demo_catalog(setup_ctx)
        session.commit()
        book = generate_book(catalog, subscribers=options.subscribers, seed=options.seed, timeline=timeline)
        add_employer_groups(setup_ctx, book.groups)
        session.commit()
        echo(
            f"Book of business: {len(book.households)} subscribers, {book.member_count} members, "
            f"{len(book.groups)} employer groups; coverage from {timeline.lead_month} (the lead cohort) and "
            f"{timeline.first_month} (the rest), enrollment from {timeline.lead_enrollment_day}, to {timeline.today}"
        )
        lap("set-up")

        world = DemoWorld(
            session=session,
            settings=settings,
            catalog=catalog,
            book=book,
            actors={**actors, SURVEY_LINK_ACTOR.username: SURVEY_LINK_ACTOR},
            files_dir=options.files_dir,
            echo=echo,
        )
        simulate(world, timeline)
        lap("simulation")

        supervisor = world.ctx("supervisor", world.at(timeline.today, 18, 0))
        kpis = kpi_report(supervisor, first_day=timeline.first_month.first_day, last_day=timeline.today, as_of=timeline.today)
        counts = database_counts(session)
        imbalance = journal_imbalance(session)
        session.commit()
        lap("summary")
    finally:
        session.close()
        engine.dispose()

    return DemoResult(
        options=options,
        settings=settings,
        timeline=timeline,
        passwords=passwords,
        kpis=kpis,
        counts=counts,
        activity=dict(world.counts),
        journal_imbalance_cents=imbalance,
        skipped=world.skipped,
        seconds=seconds,
        work_seconds=dict(sorted(world.seconds.items(), key=lambda item: -item[1])),
    )


def _catalog_plan_years() -> set[int]:
    catalog, errors = parse_catalog_file(DEMO_CATALOG_PATH)
    if catalog is None:
        raise ValueError(f"the demo catalog {DEMO_CATALOG_PATH} does not parse: {errors[0].message}")
    return {plan.plan_year for plan in catalog.plans}


def _morning(settings: Settings, day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=ZoneInfo(settings.time_zone)).astimezone(UTC)


def _clear_folder(folder: Path) -> None:
    """Remove the files a previous demo run wrote; other files in the folder are left alone."""
    for name in DEMO_SUBFOLDERS:
        subfolder = folder / name
        if not subfolder.is_dir():
            continue
        for path in sorted(subfolder.rglob("*"), key=lambda item: len(item.parts), reverse=True):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()
        subfolder.rmdir()
