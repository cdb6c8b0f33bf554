"""A staff member's day in the console, in Chromium: sign in, search, the 360° view, post a
payment, verify a caller and resolve a case, open a dispute, and read the KPI dashboard.

The console runs under uvicorn on 127.0.0.1 on a free port with a seeded SQLite database.
One browser session walks through every step. Screenshots of the main screens are written
to ``CONSOLE_SCREENSHOT_DIR`` when it is set (``docs/console`` refreshes the ones in the
repository), otherwise to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from playwright.sync_api import Page, expect, sync_playwright

from premia.infra.db import make_engine, make_session_factory
from premia.interfaces.api.app import create_app
from premia.kernel.clock import FixedClock
from premia.staff import service as staff_service
from tests.conftest import MigratedDatabases, make_settings
from tests.interfaces.console.seed import NOW, PASSWORD, SeededBook, seed_book

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM}; install the Debian package `chromium` to run the browser test"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served_console(migrated_databases: MigratedDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SeededBook]]:
    """The API and console under uvicorn on a loopback port, on a seeded SQLite database."""
    folder = tmp_path_factory.mktemp("browser")
    url = migrated_databases.new_url("sqlite")
    settings = make_settings(
        url,
        documents_dir=str(folder / "documents"),
        carrier_name="Demo Health Plan of Virginia",
        carrier_phone="1-800-555-0142",
        carrier_address="PO Box 1000|Richmond, VA 23218",
    )
    engine = make_engine(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        with make_session_factory(engine)() as session, session.begin():
            book = seed_book(session, settings)
    engine.dispose()

    app = create_app(settings, clock=FixedClock(NOW), jobs_dir=folder / "jobs", run_jobs=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start the console within 20 seconds")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/console", book
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("CONSOLE_SCREENSHOT_DIR")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="America/New_York")
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def _unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls with neither a label nor an ARIA name."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
            .map((el) => el.name || el.id)"""
    )


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_staff_walk_through(served_console: tuple[str, SeededBook], page: Page, screenshots: Path) -> None:
    base, book = served_console

    # Sign in.
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/console/login"))
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    _shot(page, screenshots, "01-sign-in")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Find an account")).to_be_visible()

    # On a freshly loaded page the first Tab reaches the skip link, and Enter moves focus to the content.
    page.goto(base + "/cases")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("link", name="Find an account").click()

    # Search by last name; results are swapped in by htmx.
    page.get_by_label("Search for").fill("Lopez")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="3 results")).to_be_visible()
    assert _unlabelled_controls(page) == []
    _shot(page, screenshots, "02-search")

    # The 360° view: standing at a glance, coverage, then the invoices and what changed.
    page.get_by_role("link", name=book.maria_account).first.click()
    expect(page.get_by_role("heading", name="Maria Lopez", level=1)).to_be_visible()
    expect(page.get_by_text("In good standing")).to_be_visible()
    expect(page.get_by_role("cell", name="Sofia Lopez")).to_be_visible()
    assert _unlabelled_controls(page) == []
    _shot(page, screenshots, "03-account-coverage")
    page.get_by_role("link", name=re.compile(r"^Invoices")).click()
    page.get_by_role("link", name="Why did this bill change?").first.click()
    expect(page.get_by_text("Sofia Lopez is billed for premium this time but was not before")).to_be_visible()
    _shot(page, screenshots, "04-account-invoices")

    # Post a payment.
    page.get_by_role("link", name=re.compile(r"^Payments")).click()
    page.get_by_label("Amount in dollars").first.fill("125.00")
    page.get_by_label("Check number or reference").fill("check 4410")
    page.get_by_role("button", name="Post payment").click()
    expect(page.locator(".flash")).to_contain_text("of $125.00 posted")
    expect(page.get_by_role("cell", name="check 4410")).to_be_visible()
    _shot(page, screenshots, "05-account-payments")

    # Start a contact, verify the caller, see the member's details, resolve the open case.
    page.get_by_role("link", name=re.compile(r"^Service")).click()
    page.get_by_role("button", name="Start contact").click()
    expect(page.locator(".flash")).to_contain_text("Verify the caller")
    page.get_by_label("Member ID stated").fill(book.maria_member_id)
    page.get_by_label("First name stated").fill("Maria")
    page.get_by_label("Last name stated").fill("Lopez")
    page.get_by_label("Date of birth stated").fill("1980-03-15")
    page.get_by_label("ZIP code stated").fill("23220")
    page.get_by_role("button", name="Record verification").click()
    expect(page.locator(".flash")).to_have_text("Caller verified with enhanced assurance.")
    expect(page.get_by_text("48 Oak Ave").first).to_be_visible()
    _shot(page, screenshots, "06-account-service")
    page.get_by_text("Work this case").first.click()
    page.get_by_label("What was done").first.fill("Explained the new line for Sofia from March.")
    page.get_by_role("button", name="Resolve case").first.click()
    expect(page.locator(".flash")).to_contain_text(f"Case {book.maria_case} resolved (answered).")

    # Open a dispute of one invoice line.
    page.get_by_role("checkbox").last.check()
    page.get_by_label("What the payer disputes and why").fill("Sofia was added a month early.")
    page.get_by_role("button", name="Open dispute").click()
    expect(page.locator(".flash")).to_contain_text("is held from collection")
    expect(page.get_by_role("cell", name="Sofia was added a month early.")).to_be_visible()

    # Billing operations: the bill run preview and the delinquency worklist.
    page.get_by_role("link", name="Bill runs").click()
    page.get_by_label("As-of date").fill("2026-03-15")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("button", name=re.compile(r"^Issue \d+ invoices?$"))).to_be_visible()
    _shot(page, screenshots, "07-bill-run-preview")
    page.get_by_role("link", name="Delinquency").click()
    expect(page.get_by_role("link", name=book.james_account)).to_be_visible()
    _shot(page, screenshots, "08-delinquency")

    # The KPI dashboard, then a filter that htmx applies in place.
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_label("From month").fill("2026-01")
    page.get_by_label("To month").fill("2026-03")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="First contact resolution")).to_be_visible()
    # February: four calls, one a repeat within 7 days, so 3 of 4 were resolved at first contact.
    expect(page.locator('section[aria-labelledby="kpi-first_contact_resolution"] .kpi-value')).to_have_text("75.0%")
    assert _unlabelled_controls(page) == []
    _shot(page, screenshots, "09-dashboard")
    page.get_by_label("Business").select_option("group")
    # March is still running on Mar 2, so the period ends that day.
    expect(page.get_by_text("Jan 1, 2026 to Mar 2, 2026, read on Mar 2, 2026 · Group")).to_be_visible()
