"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

- ``browser`` (pytest-playwright's, session-scoped) is launched from /usr/bin/chromium
  (``playwright install`` cannot download here; ``scripts/ensure-browser.sh`` installs chromium).
- ``open_page(user=None)`` gives a page in a browser context of its own (one per role: cookies and
  sessions never mix), 1280 pixels wide; with ``user``, signed in (password and second factor) and
  on their dashboard.
- ``totp(secret)`` is the code an authenticator app shows, one the test has not typed yet, without
  waiting for the next 30-second period (the clock moves instead).
- ``check_page(page, name)`` saves a full-page screenshot to
  ``test-artifacts/screenshots/<test>/<nn>-<name>.png`` and fails the test on any WCAG 2.0/2.1
  A or AA violation axe-core finds. Every page a test's pages navigate to must be checked: a test
  that navigated to a URL it never checked fails at teardown, naming the URL.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests import builders
from tests.builders import totp_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the suite runs as root
    "--disable-gpu",
    # Without these chromium calls home (updates, sync, field trials) on a network that is closed.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
# The README's screenshots are rewritten only on request, so that a test run leaves git clean:
# UPDATE_DOCS_SCREENSHOTS=1 make test PYTEST_ARGS="-m browser"
UPDATE_DOCS = os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1"
VIEWPORT = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Playwright's default of 30 s hides a stuck page for too long; the live server answers in well
# under a second.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-browser.sh (make test does).", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(autouse=True)
def _isolated_cache(settings: Any) -> None:
    """A cache key prefix of the test's own: used TOTP codes (replay protection) and rate-limit
    counters neither leak between tests nor touch anyone else's keys. The live server runs in
    this process, so it reads the same settings."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"{caches['default'].get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _site_url(settings: Any, live_server: Any) -> None:
    """Links the portal writes into emails (invitations) point at the live server."""
    settings.SITE_URL = live_server.url


def field(scope: Page | Locator, label: str) -> Locator:
    """The form control labelled ``label`` exactly, whatever the form's style adds after it: a
    colon (Django's plain forms) or the required-field asterisk (the USWDS forms)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}:?(\s*\*)?\s*$"))


def choose(scope: Page | Locator, label: str) -> None:
    """Tick a checkbox or radio button as a person does: by clicking its label. (USWDS draws its
    own box in the label and moves the real input off-screen, so the input itself cannot be
    clicked.)"""
    control = scope.get_by_label(label, exact=True)
    control_id = control.get_attribute("id")
    scope.locator(f'label[for="{control_id}"]').click()
    expect(control).to_be_checked()


# --- people with the names the screenshots show --------------------------------------------------


def _named(user: Any, full_name: str) -> Any:
    type(user).objects.filter(pk=user.pk).update(full_name=full_name)
    user.full_name = full_name
    return user


@pytest.fixture
def alex(alex: Any) -> Any:
    return _named(alex, "Alex Morgan")


@pytest.fixture
def kim(kim: Any) -> Any:
    return _named(kim, "Kim Nakamura")


@pytest.fixture
def coordinator(coordinator: Any) -> Any:
    return _named(coordinator, "Casey Brooks")


@pytest.fixture
def dod_reviewer(dod_reviewer: Any) -> Any:
    return _named(dod_reviewer, "Riley Chen")


@pytest.fixture
def dod_supervisor(dod_supervisor: Any) -> Any:
    return _named(dod_supervisor, "Dana Whitfield")


@pytest.fixture
def treasury_supervisor(treasury_supervisor: Any) -> Any:
    return _named(treasury_supervisor, "Morgan Ellis")


# --- signing in ---------------------------------------------------------------------------------


class TOTPApp:
    """An authenticator app for the test's people, which never makes the test wait for a code.

    allauth refuses a code that was already used (replay protection) and accepts only the current
    period's code (MFA_TOTP_TOLERANCE is 0): a person who signs in twice within 30 seconds waits for
    their app's next code. The test does not wait: when the current period's code was handed out
    already, or the period ends within the next 1.5 seconds (the code must still be current when the
    form arrives), the clock moves on to the start of the next period. The live server runs in this
    process, so its clock moves too (time-machine), as if the person had waited."""

    MARGIN = 1.5

    def __init__(self, time_machine: Any) -> None:
        self.time_machine = time_machine
        self.handed_out: set[tuple[str, int]] = set()

    def code(self, secret: str) -> str:
        from allauth.mfa import app_settings

        period = app_settings.TOTP_PERIOD
        now = time.time()
        counter = int(now) // period
        if (secret, counter) in self.handed_out or (counter + 1) * period - now < self.MARGIN:
            counter += 1
            self.time_machine.move_to(counter * period + 0.05, tick=True)
        self.handed_out.add((secret, counter))
        return totp_code(secret, at=counter * period)


@pytest.fixture
def totp(time_machine: Any) -> Callable[[str], str]:
    """``totp(secret)``: the code an authenticator app shows for ``secret`` now, one this test has
    not typed before (see ``TOTPApp``)."""
    return TOTPApp(time_machine).code


@pytest.fixture
def open_page(browser: Browser, live_server: Any, check_page: Any) -> Iterator[Callable[..., Page]]:
    """``open_page(user=None, **context_options)``: a page in a fresh browser context (a person at
    their own computer). With ``user``, the browser holds the session cookie of a sign-in with
    password and second factor (``builders.sign_in``, as the ``client_for`` fixture) and the page is
    on the person's dashboard: the tests that are not about signing in skip its forms (those have
    tests of their own: test_invitation.py, test_keyboard.py). Contexts close at the end of the test."""
    from django.conf import settings
    from django.test import Client

    contexts: list[BrowserContext] = []

    def _open(user: Any = None, **context_options: Any) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            locale="en-US",
            timezone_id="America/New_York",
            **context_options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        check_page.watch(page)
        if user is not None:
            session = builders.sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session.value,
                        # A Secure __Host- cookie is set for an https address (Chromium refuses one
                        # set for http); cookies ignore the scheme's port, and Chromium sends Secure
                        # cookies to http://localhost, a secure context.
                        "url": live_server.url.replace("http://", "https://", 1),
                        "httpOnly": settings.SESSION_COOKIE_HTTPONLY,
                        "secure": settings.SESSION_COOKIE_SECURE,
                        "sameSite": settings.SESSION_COOKIE_SAMESITE,
                    }
                ]
            )
            page.goto("/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
        return page

    yield _open
    for context in contexts:
        context.close()


# --- screenshots and axe ------------------------------------------------------------------------


def _format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"       {summary_line.strip()}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as an inline <script> (which the
        # portal's Content-Security-Policy refuses, as it should).
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return results["violations"]


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class PageChecker:
    """Screenshots and axe for every page a test visits (see the module's docstring)."""

    def __init__(self, test_name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", test_name).strip("_")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.count = 0
        self.visited: dict[str, str] = {}  # path and query -> the full address first seen
        self.checked: set[str] = set()
        self.csp_violations: list[str] = []

    def watch(self, page: Page) -> None:
        def navigated(frame: Any) -> None:
            if frame == page.main_frame and frame.url.startswith("http"):
                self.visited.setdefault(_path_of(frame.url), frame.url)

        def console(message: Any) -> None:
            # Chromium reports every script, style or connection the Content-Security-Policy
            # refused on the console ("Refused to ... because it violates the following Content
            # Security Policy directive").
            if "Content Security Policy" in message.text:
                self.csp_violations.append(f"{page.url}: {message.text}")

        page.on("framenavigated", navigated)
        page.on("console", console)

    def __call__(self, page: Page, name: str, *, docs: str | None = None) -> Path:
        page.wait_for_load_state("load")
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        self.checked.add(_path_of(page.url))
        if self.csp_violations:
            pytest.fail("Content-Security-Policy violations:\n" + "\n".join(self.csp_violations), pytrace=False)
        violations = axe_violations(page)
        if violations:
            pytest.fail(
                f"axe found WCAG 2.1 A/AA violations on {name} ({page.url}), screenshot {path}:\n"
                + _format_violations(violations),
                pytrace=False,
            )
        if docs and UPDATE_DOCS:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / docs)
        return path

    def unchecked(self) -> list[str]:
        return [url for path, url in self.visited.items() if path not in self.checked]


@pytest.fixture
def check_page(request: pytest.FixtureRequest) -> Iterator[PageChecker]:
    """``check_page(page, name)``: screenshot and axe; ``docs="file.png"`` also refreshes that
    README screenshot when UPDATE_DOCS_SCREENSHOTS=1."""
    checker = PageChecker(request.node.name)
    yield checker
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed and (missed := checker.unchecked()):
        pytest.fail(f"pages visited without a screenshot and axe check: {missed}", pytrace=False)
    if report is not None and report.passed and checker.csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(checker.csp_violations), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
