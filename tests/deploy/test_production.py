"""Production, end to end: the settings a deployment runs with (``portal.settings``: DEBUG off, the
manifest static storage, MFA required, secure cookies behind a TLS-terminating proxy),
``collectstatic`` into a temporary STATIC_ROOT, a real gunicorn, and a person who signs in over
HTTP with a password and a TOTP code.

``manage.py check --deploy`` cannot see what this catches: a static file the manifest storage
cannot process (a vendored stylesheet naming a source map that is not shipped) makes
``collectstatic`` fail, and then every page, sign-in and 404 included, answers 500.
"""

from __future__ import annotations

import dataclasses
import html
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from accounts.models import User
from tests.builders import PASSWORD, enrol_totp, totp_code, totp_secret

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HANDLING_BANNER = "Proprietary and confidential review material"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/vendor/uswds/css/uswds\.min\.[0-9a-f]{12}\.css)">')
STATIC_REFERENCE = re.compile(r'(?:href|src)="(/static/[^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(static_root: Path) -> dict[str, str]:
    """What a deployment sets (README, "Settings"), pointed at the test database and Redis; nothing
    else is read from the shell, so neither CHECKPOINT_DEMO nor DEBUG can leak in. TLS ends at the
    load balancer (``X-Forwarded-Proto``), so SECURE_SSL_REDIRECT keeps its production default."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "PYTHONPATH"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": os.environ["REDIS_URL"],
        "CACHE_KEY_PREFIX": f"{os.environ['CACHE_KEY_PREFIX']}-production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        # The key the test process encrypts TOTP secrets with, so that the server can read them.
        "MFA_ENCRYPTION_KEY": ",".join(settings.MFA_ENCRYPTION_KEYS),
        "STATIC_ROOT": str(static_root),
        "DOCUMENT_STORAGE_ROOT": str(settings.DOCUMENT_STORAGE_ROOT),
        "DOCUMENT_UPLOAD_TEMP_DIR": str(settings.DOCUMENT_UPLOAD_TEMP_DIR),
        "AUDIT_HEAD_PATH": str(static_root.parent / "audit-head.json"),
    }


class Server:
    """``gunicorn portal.wsgi`` with the production environment; its access log and Django's log
    go to one file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--access-logfile=-",
                "--access-logformat=access %(s)s %(m)s %(U)s",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, f"gunicorn died:\n{self.output()}"
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            assert time.monotonic() < deadline, f"gunicorn did not listen within 30s:\n{self.output()}"
            time.sleep(0.1)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@dataclasses.dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Browser:
    """What the portal sees of a browser behind the load balancer: it keeps cookies (the Secure
    ones too: TLS ended at the proxy), sends ``X-Forwarded-Proto: https``, and follows no redirect,
    so that each step is checked. Any answer of 500 or more fails the test with the server's log."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.host = f"127.0.0.1:{server.port}"
        self.origin = f"https://{self.host}"
        self.cookies: dict[str, SimpleCookie] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"Host": self.host, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            }
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.request(method, path, body, headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode(errors="replace"))
        finally:
            conn.close()
        assert response.status < 500, f"{method} {path} answered {response.status}:\n{self.server.output()}"
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        """Submits the form of the page at ``path`` (fetched just before) with its CSRF token."""
        page = self.get(path)
        assert page.status == 200
        return self.request("POST", path, {"csrfmiddlewaretoken": CSRF_FIELD.search(page.text)[1], **form})


def sign_in(browser: Browser, user: User) -> None:
    """The real sign-in flow: email and password, then the current TOTP code."""
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert (response.status, response.headers["Location"]) == (302, "/accounts/2fa/authenticate/")
    response = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(totp_secret(user))})
    assert (response.status, response.headers["Location"]) == (302, "/")


def assert_portal_page(response: Response, title: str) -> None:
    assert f"<title>{title} · Checkpoint</title>" in response.text
    assert HANDLING_BANNER in response.text
    assert "DEBUG = True" not in response.text


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory) -> Iterator[Server]:
    """collectstatic, then gunicorn, once for this module's tests."""
    work = tmp_path_factory.mktemp("production")
    env = production_env(work / "static")
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    server = Server(env, work / "gunicorn.log").start()
    yield server
    server.stop()  # before the test database is flushed and dropped: nothing may hold it
    assert "Traceback" not in server.output(), "the server logged an error"


@pytest.fixture
def visitor(server) -> Browser:
    """A browser on the production server (``browser`` is Playwright's fixture)."""
    return Browser(server)


@pytest.fixture
def person(alex) -> User:
    """Alex, with a TOTP authenticator and the password hashed the way production hashes it (the
    test settings' fast MD5 hasher is not one production accepts)."""
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=alex.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))
    enrol_totp(alex)
    return alex


def test_the_sign_in_page_and_its_hashed_static_files_are_served(visitor):
    page = visitor.get("/accounts/login/")

    assert page.status == 200
    assert_portal_page(page, "Sign in")
    stylesheet = STYLESHEET.search(page.text)
    assert stylesheet, "the USWDS stylesheet's link names a file of the manifest (its hash in the name)"
    css = visitor.get(stylesheet[1])
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]
    for path in STATIC_REFERENCE.findall(page.text):
        assert visitor.get(path).status == 200, path


def test_a_person_signs_in_with_password_and_totp_and_reaches_the_dashboard(visitor, person):
    sign_in(visitor, person)

    dashboard = visitor.get("/")
    assert dashboard.status == 200
    assert_portal_page(dashboard, "Dashboard")
    assert html.escape(person.get_full_name()) in dashboard.text
    assert "Northwind AI" in dashboard.text
    session = visitor.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["httponly"]
    for path in STATIC_REFERENCE.findall(dashboard.text):
        assert visitor.get(path).status == 200, path


def test_a_missing_page_answers_the_portals_own_404(visitor, person):
    anonymous = visitor.get("/no-such-page/")
    sign_in(visitor, person)
    signed_in = visitor.get("/cases/999999/")

    for response in (anonymous, signed_in):
        assert response.status == 404
        assert_portal_page(response, "Not found")
        assert "Page not found" in response.text
