"""The staff console: server-rendered pages (Jinja2) with htmx, mounted on the API app at /console."""

from premia.interfaces.console.mount import mount_console

__all__ = ["mount_console"]
