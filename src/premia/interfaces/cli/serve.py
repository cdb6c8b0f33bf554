"""`premia serve`: the HTTP API (and the staff console) on 127.0.0.1:8000 by default."""

from __future__ import annotations

import typer

from premia.interfaces.cli import runtime


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; keep loopback unless a proxy fronts it."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the staff console under /console and the API under /api/v1 (docs at /api/v1/docs)."""
    import uvicorn

    from premia.interfaces.api.app import create_app

    config = runtime.settings()
    typer.echo(f"Premia console on http://{host}:{port}/console/ and API docs on http://{host}:{port}/api/v1/docs")
    uvicorn.run(create_app(config), host=host, port=port, log_level=config.log_level.lower())
