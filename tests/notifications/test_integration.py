"""Reminders through real faults: real Celery workers (subprocesses) on Redis DB 5, a real SMTP
server (aiosmtpd) in the test, and committed data in the test database. Each test seeds a set of
due reminders, breaks something, and counts what was delivered: exactly one email and one in-app
notification for each.

The workers run with REMINDER_SEND_HOUR=0, so a reminder whose day is today is due now, whatever
the hour the suite runs at.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import datetime
import email
import email.policy
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import ReviewCase
from core import formats
from notifications.models import EmailState, Notification, NotificationEvent, Reminder
from portal.celery import app as celery_app
from tests import builders

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("CHECKPOINT_TEST_BROKER_URL", "redis://127.0.0.1:6379/5")
ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"
SWEEP = "notifications.tasks.sweep_reminders"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], bool], *, timeout: float = 30, every: Callable[[], None] | None = None) -> None:
    """Poll ``condition``; ``every`` runs every few seconds meanwhile (beat publishing a sweep)."""
    deadline = time.monotonic() + timeout
    nudged = time.monotonic()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition.__doc__ or condition}")
        if every is not None and time.monotonic() - nudged > 3:
            every()
            nudged = time.monotonic()
        time.sleep(0.1)


# --- the mail server -------------------------------------------------------------------------


class MailServer:
    """A tiny SMTP server recording each message it accepted as (recipient, subject).

    ``refuse`` answers "451 try again later" to that many next messages; ``hold_at`` makes the
    message after that many accepted ones wait (``holding`` is set) until ``release`` is set, and
    then not be delivered, as if the sender died before the server took it."""

    def __init__(self, port: int, *, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.accepted: list[tuple[str, str]] = []
        self.refuse = 0
        self.refused = 0
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Try again later"
        if self.hold_at is not None and len(self.accepted) == self.hold_at:
            self.hold_at = None
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "554 5.0.0 Not delivered"
        subject = email.message_from_bytes(envelope.content, policy=email.policy.default)["Subject"]
        for recipient in envelope.rcpt_tos:
            self.accepted.append((recipient, str(subject)))
        return "250 2.0.0 OK"

    def start(self) -> MailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.controller.stop()


@pytest.fixture
def mail_server() -> Iterator[Callable[..., MailServer]]:
    servers: list[MailServer] = []

    def make(port: int | None = None, *, start: bool = True, delay: float = 0.0) -> MailServer:
        server = MailServer(port or free_port(), delay=delay)
        servers.append(server)
        return server.start() if start else server

    yield make
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


# --- the workers -------------------------------------------------------------------------------


class Worker:
    def __init__(self, name: str, smtp_port: int, log_dir: Path) -> None:
        self.name = name
        self.smtp_port = smtp_port
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": BROKER,
            "CELERY_BROKER_URL": BROKER,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "REMINDER_SEND_HOUR": "0",
            "CACHE_KEY_PREFIX": f"remind-{self.name}",
            "LOG_LEVEL": "INFO",
        }
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname={self.name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def ready() -> bool:
            """the worker to be ready"""
            assert self.process.poll() is None, f"worker {self.name} died:\n{self.output()}"
            return " ready." in self.output()

        wait_for(ready, timeout=60)
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def sweeps_done(self) -> int:
        return sum(1 for line in self.output().splitlines() if f"{SWEEP}[" in line and " succeeded " in line)

    def sweep_reports(self) -> list[dict]:
        """What each of this worker's sweeps reported (notifications.sweep logs it)."""
        marker = "reminder sweep: "
        return [ast.literal_eval(line.split(marker, 1)[1]) for line in self.output().splitlines() if marker in line]

    def kill(self) -> None:
        """kill -9: no warm shutdown, no acknowledgement, no rollback from the worker's side."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # cold shutdown: the test is over
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def broker() -> Celery:
    """Redis DB 5, emptied; and a publisher that sends tasks there (as beat would)."""
    redis.Redis.from_url(BROKER).flushdb()
    publisher = Celery("tests-publisher", broker=BROKER, set_as_current=False)
    publisher.conf.broker_connection_timeout = 2
    yield publisher
    publisher.close()
    redis.Redis.from_url(BROKER).flushdb()


@pytest.fixture
def workers(tmp_path, broker) -> Iterator[Callable[[str, int], Worker]]:
    started: list[Worker] = []

    def start(name: str, smtp_port: int) -> Worker:
        worker = Worker(name, smtp_port, tmp_path).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:  # before the test database is flushed: nothing may hold it
        worker.stop()


# --- the seeded reminders ---------------------------------------------------------------------


@pytest.fixture
def due_reminders(alex, dod_reviewer, dod_supervisor, coordinator) -> list[tuple[str, str]]:
    """Three cases whose window closes in three days, each with a DoD reviewer and supervisor:
    six reminders due. Returns the (recipient, subject) pairs expected, once each."""
    today = timezone.localdate()
    sharing = today + datetime.timedelta(days=3)
    cases = [
        builders.make_case(
            alex,
            state="in_review",
            sharing_date=sharing,
            coordinator=coordinator,
            reviewers={dod_supervisor: dod_reviewer},
        )
        for _ in range(3)
    ]
    assert not NotificationEvent.objects.filter(delivered_at__isnull=True).exists()
    when = formats.day(sharing)
    return sorted(
        (person.email, f"[Checkpoint] {case.reference}: the review window closes in 3 days, on {when}")
        for case in cases
        for person in (dod_reviewer, dod_supervisor)
    )


def reminder_notifications() -> list[tuple[str, str, str]]:
    return sorted(
        Notification.objects.filter(reminder__isnull=False).values_list("recipient__email", "message", "email_state")
    )


def assert_each_delivered_once(server: MailServer, expected: list[tuple[str, str]]) -> None:
    assert sorted(server.accepted) == expected, "each reminder emailed exactly once"
    notifications = reminder_notifications()
    assert [(to, f"[Checkpoint] {text.rstrip('.')}") for to, text, _ in notifications] == expected
    assert {state for _, _, state in notifications} == {EmailState.SENT}
    assert Reminder.objects.count() == len(expected)
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


# --- the tests -----------------------------------------------------------------------------------


def test_two_sweeps_at_once_send_each_reminder_once(due_reminders, mail_server, workers, broker):
    server = mail_server(delay=0.2)  # slow enough that the two sweeps overlap
    first, second = workers("sweeper-a", server.port), workers("sweeper-b", server.port)
    broker.send_task(SWEEP)
    broker.send_task(SWEEP)

    def both_done() -> bool:
        """both sweeps to finish"""
        return first.sweeps_done() == 1 and second.sweeps_done() == 1

    wait_for(both_done, timeout=60)
    assert_each_delivered_once(server, due_reminders)
    # Both sweeps saw the six due; the claims and the sending were split between them, not doubled.
    reports = first.sweep_reports() + second.sweep_reports()
    assert [report["due"] for report in reports] == [6, 6]
    assert sum(report["claimed"] for report in reports) == 6
    assert sum(report["emails_sent"] for report in reports) == 6


def test_a_worker_killed_mid_sweep_loses_nothing_and_duplicates_nothing(due_reminders, mail_server, workers, broker):
    server = mail_server()
    server.hold_at = 2  # the third email is in the middle of its SMTP conversation when the worker dies
    worker = workers("doomed", server.port)
    broker.send_task(SWEEP)
    assert server.holding.wait(60), worker.output()
    worker.kill()
    server.release.set()
    assert len(server.accepted) == 2
    # PostgreSQL rolled back the dead worker's transaction: the third reminder is claimed, not sent.
    wait_for(lambda: Reminder.objects.filter(sent_at__isnull=True).count() == 4, timeout=10)
    assert Reminder.objects.count() == 6
    assert len(reminder_notifications()) == 6

    workers("restarted", server.port)

    def all_sent() -> bool:
        """the restarted worker's sweeps to send the rest"""
        return len(server.accepted) >= 6 and not Reminder.objects.filter(sent_at__isnull=True).exists()

    wait_for(all_sent, timeout=60, every=lambda: broker.send_task(SWEEP))
    assert_each_delivered_once(server, due_reminders)


def test_with_redis_down_a_liaison_still_submits_and_the_next_sweep_after_recovery_sends(
    alex, coordinator, client_for, mail_server, workers, broker
):
    case = builders.make_case(alex, state="draft")
    builders.attach_document(case, alex, "system_card")
    builders.attach_document(case, alex, "access_instructions")
    client = client_for(alex)
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = f"redis://127.0.0.1:{free_port()}/5", False
    celery_app._pool, celery_app.amqp._producer_pool = None, None
    try:
        started = time.monotonic()
        response = client.post(reverse("cases:submit", args=[case.pk]))
        elapsed = time.monotonic() - started
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        celery_app._pool, celery_app.amqp._producer_pool = None, None
    assert response.status_code == 302
    assert elapsed < 5
    case.refresh_from_db()
    assert case.state == "submitted"
    assert NotificationEvent.objects.filter(case=case, delivered_at__isnull=True).count() == 1
    # While Redis was down a day went by: the case now also awaits triage.
    ReviewCase.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=1))

    server = mail_server()
    worker = workers("after-outage", server.port)
    broker.send_task(SWEEP)
    wait_for(lambda: worker.sweeps_done() == 1, timeout=60)
    submitted_on = timezone.localdate() - datetime.timedelta(days=1)
    when = formats.day(submitted_on)
    assert sorted(server.accepted) == [
        (coordinator.email, f"[Checkpoint] {case.reference} was submitted for review and awaits triage"),
        (
            coordinator.email,
            f"[Checkpoint] {case.reference} was submitted on {when} and still awaits triage: no agency is assigned yet",
        ),
    ]
    assert Notification.objects.filter(recipient=coordinator, email_state=EmailState.SENT).count() == 2
    assert Notification.objects.filter(recipient=alex).count() == 0
    broker.send_task(SWEEP)
    wait_for(lambda: worker.sweeps_done() == 2, timeout=30)
    assert len(server.accepted) == 2, "the next sweep sends nothing again"


def test_a_failing_smtp_server_leaves_reminders_to_be_retried_not_lost(due_reminders, mail_server, workers, broker):
    port = free_port()
    server = mail_server(port, start=False)  # down: connections are refused
    worker = workers("smtp-outage", port)
    broker.send_task(SWEEP)
    wait_for(lambda: worker.sweeps_done() == 1, timeout=60)
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 6
    assert len(reminder_notifications()) == 6, "the in-app notices are there already"

    server.start()
    server.refuse = 2  # up again, but "try again later" for the first two messages
    broker.send_task(SWEEP)
    wait_for(lambda: worker.sweeps_done() == 2, timeout=60)
    assert (len(server.accepted), server.refused) == (4, 2)
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 2

    broker.send_task(SWEEP)
    wait_for(lambda: worker.sweeps_done() == 3, timeout=60)
    assert_each_delivered_once(server, due_reminders)
