"""Fixtures for reminders and notifications: a clock in the program's time zone, a case under
review with its team, and counters of what was delivered."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.models import User
from notifications.models import Notification, Reminder
from notifications.sweep import SweepReport, run_sweep

NY = ZoneInfo("America/New_York")
UTC = datetime.UTC


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A wall-clock moment in America/New_York."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=NY)


@pytest.fixture
def clock(time_machine):
    """``clock(moment)`` stops the clock at ``moment`` (aware); it stays there until moved."""

    def move(moment: datetime.datetime) -> datetime.datetime:
        time_machine.move_to(moment, tick=False)
        return moment

    return move


@pytest.fixture
def sweep() -> Callable[[], SweepReport]:
    return run_sweep


def sent_to(email: str) -> list[str]:
    """Subjects of the emails sent to ``email`` so far."""
    return [message.subject for message in mail.outbox if email in message.to]


def reminders(**filters) -> list[tuple[str, int, str, str]]:
    """(kind, threshold, recipient email, sent?) of the reminder ledger, sorted."""
    rows = Reminder.objects.filter(**filters).select_related("recipient")
    return sorted(
        (r.kind, r.threshold, r.recipient.email, "sent" if r.sent_at else ("cancelled" if r.cancelled_at else "owed"))
        for r in rows
    )


def inbox(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("message", flat=True))


@pytest.fixture
def without_event_notices(monkeypatch):
    """For the tests that count reminders alone. Their setup goes through the services, whose
    event notices production publishes as they happen; in a test whose on-commit callbacks never
    run, those events would wait in the outbox and the test's first sweep would deliver them
    beside its reminders. Record none (as if no app delivered events)."""
    from core import events

    monkeypatch.setattr(events, "_outbox", events._Outbox())
