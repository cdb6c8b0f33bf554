"""Changes made from submitted forms, and the response the browser gets after each one.

A change runs in its own unit of work. On success the browser is redirected (post, redirect,
get) with a short status message; when a service rejects it, nothing was written and the
page is shown again with the form's error next to its fields.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from premia.infra.context import ServiceContext
from premia.interfaces.console.forms import FormFailure
from premia.interfaces.console.rendering import redirect
from premia.interfaces.console.web import Submission, unit_of_work
from premia.kernel.errors import DomainError

Change = Callable[[ServiceContext], str]
FailurePage = Callable[[FormFailure], Response]


def perform(request: Request, posted: Submission, *, form_id: str, change: Change, success_path: str, failure_page: FailurePage) -> Response:
    """Run ``change``; redirect to ``success_path`` with its message, or show ``failure_page`` with the error."""
    try:
        with unit_of_work(request, posted.staff.actor) as ctx:
            message = change(ctx)
    except DomainError as error:
        return failure_page(FormFailure.of(form_id, error, posted.form))
    return redirect(request, success_path, flash=message)


def safe_back(path: str | None, default: str) -> str:
    """A return path inside the console taken from a form, or ``default``."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path
