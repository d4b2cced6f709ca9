"""Benchmark of the pages at program scale: gunicorn on PostgreSQL, production settings.

    .venv/bin/python manage.py seed_scale --force            # once, into DATABASE_URL's database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/checkpoint_scale REDIS_URL=redis://127.0.0.1:6379/0 \\
        SECRET_KEY=... MFA_ENCRYPTION_KEY=... .venv/bin/python bench/pages.py [--requests 40] [--code DIR]

It signs one person of each role in (a session with both factors, as the sign-in leaves it),
starts ``gunicorn portal.wsgi`` with 4 sync workers and the production settings (DEBUG off, the
manifest static storage, MFA required, persistent connections), and for every list and detail
page as each role prints the median and 95th percentile of single requests, one after the other,
and the queries the page runs (counted in this process with Django's test client against the same
database). Then it prints requests per second for a signed-in "hello" view (the whole middleware
stack, no page), an anonymous one, the case list and the case detail, each with 4 clients at once,
and the findings CSV's first byte and total time. ``--code DIR`` serves another checkout of the
project (to measure a "before"). Nothing is written but the bench sessions, their TOTP
authenticators and the audit events that signing in and exporting write.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PORT = 8765
WORKERS = 4

HELLO_URLS = """
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as _portal


def _hello(request):
    return HttpResponse("hello")


urlpatterns = [path("bench-hello/", login_required(_hello)), path("bench-hello-anonymous/", _hello), *_portal]
"""
HELLO_SETTINGS = """
from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench_hello_urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
"""


def _setup(code: Path, extra: Path) -> None:
    # Import the project from ``code`` only (this checkout may be another one).
    os.chdir(code)
    sys.path[:] = [
        str(extra),
        str(code),
        *(p for p in sys.path if p and Path(p).resolve() not in (HERE, HERE / "bench")),
    ]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_hello_settings"
    import django

    django.setup()


def _people() -> dict[str, object]:
    from accounts.models import User

    def first(**where: object) -> object:
        user = User.objects.filter(is_active=True, **where).order_by("pk").first()
        if user is None:
            sys.exit(f"No user with {where}: run manage.py seed_scale first.")
        return user

    return {
        "liaison": first(firm_membership__isnull=False, email__startswith="liaison00@firm01"),
        "reviewer": first(agency_membership__role="reviewer", agency_membership__agency__code="dod"),
        "supervisor": first(agency_membership__role="supervisor", agency_membership__agency__code="dod"),
        "coordinator": first(is_staff=True, groups__name="Program coordinators"),
    }


def _sign_in(user: object) -> str:
    """A session cookie for ``user``, with both factors recorded as the sign-in records them."""
    from allauth.account.internal.flows.reauthentication import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.test import Client, RequestFactory

    from accounts.sessions import mark_session_mfa

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    client = Client()
    client.force_login(user, backend="accounts.backends.AuthenticationBackend")
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)  # type: ignore[attr-defined]
    mark_session_mfa(request, user=user, authenticator=authenticator)
    request.session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _pages(people: dict[str, object]) -> list[tuple[str, str, str]]:
    """(page, role, url) for every list and detail page as each role that has it."""
    from django.urls import reverse

    from cases.models import Closeout
    from cases.selectors import cases_for
    from documents.selectors import documents_for
    from findings.selectors import findings_for

    pages: list[tuple[str, str, str]] = []
    for role, user in people.items():
        pages.append(("dashboard", role, "/"))
        pages.append(("case list", role, reverse("cases:list")))
        # The visible case with the most findings: the heaviest case page this person opens.
        case = (
            cases_for(user).filter(findings__isnull=False).values_list("pk", flat=True).order_by("-pk").first()
            or cases_for(user).values_list("pk", flat=True).first()
        )
        if case:
            pages.append(("case detail", role, reverse("cases:detail", args=[case])))
        if role != "coordinator":
            pages.append(("finding list", role, reverse("findings:list")))
            finding = findings_for(user).values_list("pk", flat=True).order_by("-pk").first()
            if finding:
                pages.append(("finding detail", role, reverse("findings:detail", args=[finding])))
            closeout = Closeout.objects.filter(case__in=cases_for(user)).values_list("pk", flat=True).first()
            if closeout:
                pages.append(("closeout detail", role, reverse("cases:closeout", args=[closeout])))
        pages.append(("search", role, reverse("search:search") + "?q=model"))
        # A word few rows hold (the reference of the person's oldest case): every kind walks its
        # newest grants without filling its list, then asks its index (the search's dearest case).
        oldest = cases_for(user).values_list("reference", flat=True).order_by("pk").first()
        if oldest:
            pages.append(("search, rare", role, reverse("search:search") + f"?q={oldest}"))
        pages.append(("calendar", role, reverse("planning:calendar")))
        pages.append(("notifications", role, reverse("notifications:list")))
        if case:
            pages.append(("configurations", role, reverse("configurations:list", args=[case])))
            pages.append(("access ledger", role, reverse("configurations:ledger", args=[case])))
        if role != "coordinator":
            if case:
                pages.append(("case documents", role, reverse("documents:case_documents", args=[case])))
                pages.append(("interim report", role, reverse("records:interim", args=[case])))
            document = documents_for(user).values_list("pk", flat=True).order_by("-pk").first()
            if document:
                pages.append(("document detail", role, reverse("documents:detail", args=[document])))
        if role == "supervisor":
            pages += [("workload", role, reverse("planning:workload")), ("metrics", role, reverse("metrics:dashboard"))]
        if role == "liaison":
            pages.append(("model list", role, reverse("cases:model_list")))
        if role == "coordinator":
            pages += [
                ("triage", role, reverse("cases:triage")),
                ("audit log", role, reverse("audit:list")),
                ("firms", role, reverse("firms:list")),
                ("agencies", role, reverse("agencies:list")),
                ("accounts", role, reverse("invitations:accounts")),
                ("invitations", role, reverse("invitations:list")),
                ("metrics", role, reverse("metrics:dashboard")),
            ]
            if case:
                pages.append(("case audit log", role, reverse("cases:audit", args=[case])))
    return pages


def _queries(pages: list[tuple[str, str, str]], cookies: dict[str, str]) -> dict[tuple[str, str], int]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for page, role, url in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[role]
        client.get(url)  # the process's caches (content types, permissions)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{page} as {role}: HTTP {response.status_code} in process")
        counts[(page, role)] = len(queries)
    return counts


class Server:
    def __init__(self, code: Path, extra: Path) -> None:
        self.code, self.extra = code, extra

    def __enter__(self) -> Server:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench_hello_settings", PYTHONPATH=f"{self.extra}:{self.code}")
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "--chdir",
                str(self.code),
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
                "portal.wsgi",
            ],
            env=env,
        )
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/bench-hello-anonymous/")
                break
            except OSError:
                time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _get(conn: http.client.HTTPConnection, url: str, cookie: str | None) -> tuple[int, float, float]:
    """(status, seconds to the first byte, seconds to the last)."""
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    if cookie:
        from django.conf import settings

        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    started = time.perf_counter()
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    response.read(1)
    first = time.perf_counter() - started
    while response.read(65536):
        pass
    return response.status, first, time.perf_counter() - started


def _warm(url: str, cookie: str | None) -> None:
    """Every worker answers the page a few times first (its database connection, its compiled
    templates, its caches): requests from as many clients as workers at once, since one client's
    requests may all go to the same worker (twice as many clients, so that each worker takes some)."""

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        for _ in range(3):
            _get(conn, url, cookie)

    threads = [threading.Thread(target=run) for _ in range(2 * WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _latency(url: str, cookie: str, n: int) -> list[float]:
    """``n`` requests one after the other: each one's time to its last byte, in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    times = []
    for _ in range(n):
        status, _first, total = _get(conn, url, cookie)
        if status != 200:
            sys.exit(f"{url}: HTTP {status}")
        times.append(total * 1000)
    return times


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def _throughput(url: str, cookie: str | None, seconds: float, clients: int = 4) -> float:
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        while time.perf_counter() < stop:
            status, _, _ = _get(conn, url, cookie)
            if status != 200:
                raise SystemExit(f"{url}: HTTP {status}")
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="sequential requests per page")
    parser.add_argument("--seconds", type=float, default=16, help="seconds of each view's throughput, all rounds")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of latency and of throughput, pages taking turns")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("latency", "throughput", "csv"),
        default=("latency", "throughput", "csv"),
        help="measure only these (default: all)",
    )
    parser.add_argument("--code", type=Path, default=HERE, help="the checkout to serve (default: this one)")
    args = parser.parse_args()
    code = args.code.resolve()
    extra = Path(tempfile.mkdtemp(prefix="checkpoint-bench-"))
    (extra / "bench_hello_urls.py").write_text(HELLO_URLS)
    (extra / "bench_hello_settings.py").write_text(HELLO_SETTINGS)
    os.environ.setdefault("STATIC_ROOT", str(extra / "static"))
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    _setup(code, extra)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/pages.py measures PostgreSQL: set DATABASE_URL to the seed_scale database.")
    call_command("collectstatic", interactive=False, verbosity=0)
    people = _people()
    cookies = {role: _sign_in(user) for role, user in people.items()}
    pages = _pages(people)
    queries = _queries(pages, cookies)
    import core.permissions
    from cases.models import ReviewCase
    from findings.models import Finding

    if not Path(core.permissions.__file__).resolve().is_relative_to(code):
        sys.exit(f"The project was imported from {core.permissions.__file__}, not from {code}.")
    print(
        f"code {code}, database {settings.DATABASES['default']['NAME']}: "
        f"{ReviewCase.objects.count():,} cases, {Finding.objects.count():,} findings; "
        f"gunicorn {WORKERS} sync workers, DEBUG={settings.DEBUG}, "
        f"CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}"
    )
    print(_machine())
    connection.close()
    with Server(code, extra):
        for _page, role, url in pages:  # every worker loads every page's templates and modules first
            _warm(url, cookies[role])
        if "latency" in args.only:
            # In rounds, every page taking its turn in each, as for throughput: a slow minute of the
            # machine falls on every page a little, not on a few pages entirely.
            times: dict[tuple[str, str, str], list[float]] = {key: [] for key in pages}
            each = max(1, args.requests // args.rounds)
            for _round in range(args.rounds):
                for page, role, url in pages:
                    times[(page, role, url)] += _latency(url, cookies[role], each)
            print(f"\n{'page':<18} {'role':<12} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
            print(f"({args.rounds} rounds of {each} requests one after the other, every page in each round)")
            for page, role, url in pages:
                p50, p95 = _percentiles(times[(page, role, url)])
                print(f"{page:<18} {role:<12} {p50:8.1f} {p95:8.1f} {queries[(page, role)]:8d}", flush=True)

        if "throughput" in args.only:
            case_detail = next(url for page, role, url in pages if page == "case detail" and role == "reviewer")
            _rates(args.seconds, args.rounds, cookies, case_detail)

        if "csv" in args.only:
            print("\nfindings CSV")
            for role in ("reviewer", "liaison"):
                first, total, rows = _csv(cookies[role])
                print(f"  {role:<12} {rows:7,} rows: first byte {first * 1000:7.1f} ms, whole file {total:6.2f} s")


def _rates(seconds: float, rounds: int, cookies: dict[str, str], case_detail: str) -> None:
    """Requests per second of each view, 4 clients at once: ``rounds`` rounds, each running every
    view for ``seconds / rounds`` in turn, so that the machine's drift (shared, noisy) weighs on
    each view alike. Prints the totals and, for the pages, the median of the rounds' ratios to the
    signed-in hello of the same round."""
    runs = [
        ("hello, anonymous", "/bench-hello-anonymous/", None),
        ("hello, signed in", "/bench-hello/", cookies["reviewer"]),
        ("case list", "/cases/", cookies["reviewer"]),
        ("case detail", case_detail, cookies["reviewer"]),
    ]
    for _name, url, cookie in runs:
        _warm(url, cookie)
    each: dict[str, list[float]] = {name: [] for name, _url, _cookie in runs}
    for _ in range(rounds):
        for name, url, cookie in runs:
            each[name].append(_throughput(url, cookie, seconds / rounds))
    print(f"\nthroughput, 4 clients at once ({rounds} rounds of {seconds / rounds:.1f} s per view)")
    for name, rates in each.items():
        line = f"  {name:<18} {statistics.mean(rates):7.1f} req/s"
        if "hello" not in name:
            ratios = [rate / hello for rate, hello in zip(rates, each["hello, signed in"], strict=True)]
            line += (
                f" ({statistics.median(ratios):.0%} of signed-in hello, median of the rounds;"
                f" {min(ratios):.0%} to {max(ratios):.0%})"
            )
        print(line, flush=True)


def _machine() -> str:
    """How fast this machine is now, to read the figures of different days side by side (the
    machines are shared: the same page measured 24 ms one day and 45 the next): one core's
    Python (the best of 5 runs of 5 million additions) and a database round trip (SELECT 1)."""
    from django.db import connection

    def loop() -> float:
        started, total = time.perf_counter(), 0
        for i in range(5_000_000):
            total += i
        return time.perf_counter() - started

    python = min(loop() for _ in range(5))
    with connection.cursor() as cursor:
        trips = []
        for _ in range(200):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            trips.append(time.perf_counter() - started)
    return (
        f"machine: 5M Python additions {python * 1000:.0f} ms (best of 5), "
        f"SELECT 1 round trip {statistics.median(trips) * 1000:.3f} ms (median of 200), "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def _csv(cookie: str) -> tuple[float, float, int]:
    from django.conf import settings

    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    headers = {"Host": "127.0.0.1", "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    started = time.perf_counter()
    conn.request("GET", "/findings/export.csv", headers=headers)
    response = conn.getresponse()
    lines = response.read(1).count(b"\n")
    first = time.perf_counter() - started
    while chunk := response.read(65536):
        lines += chunk.count(b"\n")
    return first, time.perf_counter() - started, lines - 1


if __name__ == "__main__":
    main()
