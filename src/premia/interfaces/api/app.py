"""The FastAPI application: /api/v1 with OpenAPI at /api/v1/openapi.json and docs at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from premia import __version__
from premia.infra.db import make_engine, make_session_factory
from premia.infra.settings import Settings
from premia.interfaces.api.deps import SystemClock
from premia.interfaces.api.errors import install_error_handlers
from premia.interfaces.api.routers import accounts, audit, payments, rating, tokens

API_PREFIX = "/api/v1"
ROUTERS = [tokens.router, accounts.router, payments.router, rating.router, audit.router]


def create_app(settings: Settings, *, clock: Any = None) -> FastAPI:
    app = FastAPI(
        title="Premia API",
        version=__version__,
        description="Premium billing and member services. Amounts are decimal strings with a currency; "
        "errors are RFC 9457 problem details carrying Premia's error code, field and fix hint.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX)
    for router in ROUTERS:
        api.include_router(router)
    app.include_router(api)
    return app
