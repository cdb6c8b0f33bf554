"""The FastAPI application: /api/v1 with OpenAPI at /api/v1/openapi.json and docs at /api/v1/docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

from premia import __version__
from premia.infra.db import make_engine, make_session_factory
from premia.infra.settings import Settings
from premia.interfaces.api.deps import SystemClock
from premia.interfaces.api.errors import finish_openapi, install_error_handlers
from premia.interfaces.api.jobs.files import JobFiles
from premia.interfaces.api.jobs.runner import JobRunner
from premia.interfaces.api.routers import (
    accounts,
    audit,
    autodraft,
    bill_changes,
    cases,
    contacts,
    delinquency,
    disputes,
    employer_groups,
    imports,
    invoices,
    kpis,
    ledger,
    lifecycle,
    payments,
    persons,
    policies,
    rating,
    refunds,
    suspense,
    tokens,
)
from premia.interfaces.api.schemas.common import reject_unstorable_parameters
from premia.interfaces.console import mount_console
from premia.payments.config import configured_payments

API_PREFIX = "/api/v1"
ROUTERS = [
    tokens.router,
    accounts.router,
    employer_groups.router,
    persons.router,
    policies.router,
    lifecycle.router,
    delinquency.router,
    rating.router,
    invoices.router,
    bill_changes.router,
    payments.router,
    refunds.router,
    autodraft.router,
    suspense.router,
    imports.imports_router,
    imports.jobs_router,
    contacts.router,
    cases.router,
    disputes.router,
    kpis.router,
    ledger.router,
    audit.router,
]


def create_app(settings: Settings, *, clock: Any = None, jobs_dir: Path | None = None, run_jobs: bool = True) -> FastAPI:
    """Build the API on the settings' database.

    Uploaded import files are kept under ``jobs_dir``, by default the settings' ``jobs_dir``.
    With ``run_jobs`` the app starts a background thread on startup that runs queued import
    jobs; without it jobs stay queued. A payments configuration file that cannot be read
    stops the app here rather than at the first payment request.
    """
    configured_payments(settings)
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    clock = clock or SystemClock()
    job_files = JobFiles(jobs_dir or Path(settings.jobs_dir))
    runner = JobRunner(session_factory=session_factory, settings=settings, clock=clock, files=job_files)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_jobs:
            runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(
        title="Premia API",
        version=__version__,
        description="Premium billing and member services. Amounts are decimal strings with a currency; "
        "errors are RFC 9457 problem details carrying Premia's error code, field and fix hint. "
        "List routes take limit and cursor and return items with next_cursor.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.settings = settings
    app.state.clock = clock
    app.state.job_files = job_files
    app.state.job_runner = runner
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(reject_unstorable_parameters)])
    for router in ROUTERS:
        api.include_router(router)
    app.include_router(api)
    _document_problem_media_type(app)
    mount_console(app, idle_timeout=timedelta(minutes=settings.console_idle_minutes))
    return app


def _document_problem_media_type(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_openapi(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
