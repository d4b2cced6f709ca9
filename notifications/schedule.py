"""When each reminder is due (docs/design.md's table), in the program's time zone.

A threshold is a number of days from a deadline date: -3 is "three days before", 0 "on the day",
2 "two days after". It becomes due on the morning of that local day, at ``REMINDER_SEND_HOUR``
in America/New_York: the same local hour whether the day is in standard or daylight time.

At any moment at most one threshold of a (kind, target, recipient, deadline) is *current*: the
most urgent one that is due. A sweep that runs late (the broker or the workers were down) sends
only that one: nobody wants "the window closes in 7 days" on the day it closes. The window's last
reminder ("closes today") lapses at the end of that day; the other kinds' last reminders stay
current while their condition holds (the finding is still unanswered, the closeout undecided, the
case untriaged).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from notifications.models import ReminderKind

THRESHOLDS: dict[str, tuple[int, ...]] = {
    ReminderKind.WINDOW_CLOSING: (-7, -3, -1, 0),
    ReminderKind.RESPONSE_DUE: (-3, -1, 1),
    ReminderKind.CLOSEOUT_AWAITING: (2, 5),
    ReminderKind.TRIAGE_AWAITING: (1,),
    # Once, from the first sweep that finds access low within the notice period (the sharing date is
    # part of the reminder's identity, so moving it re-arms the notice).
    ReminderKind.ACCESS_LOW: (-settings.ACCESS_LOW_NOTICE_DAYS,),
    ReminderKind.ACCESS_LOW_FIRM: (-settings.ACCESS_LOW_NOTICE_DAYS,),
    ReminderKind.ATTESTATION_REQUEST: (0,),
}
# The kinds whose last threshold lapses at the end of its day.
LAPSES_AT_END_OF_DAY = {ReminderKind.WINDOW_CLOSING}


def program_zone() -> ZoneInfo:
    return ZoneInfo(settings.PROGRAM_TIME_ZONE)


def local_date(moment: datetime.datetime) -> datetime.date:
    """The program's calendar date at ``moment``."""
    return moment.astimezone(program_zone()).date()


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=program_zone())


def due_at(deadline: datetime.date, threshold: int) -> datetime.datetime:
    """The moment the ``threshold`` of ``deadline`` becomes due: the send hour, local time, on the
    threshold's day. (zoneinfo resolves the offset of that very day, so 8:00 is 13:00 UTC in
    winter and 12:00 UTC in summer.)"""
    day = deadline + datetime.timedelta(days=threshold)
    return datetime.datetime.combine(day, datetime.time(settings.REMINDER_SEND_HOUR), tzinfo=program_zone())


def current_threshold(kind: str, deadline: datetime.date, now: datetime.datetime) -> int | None:
    """The most urgent threshold of ``kind`` due at ``now`` for ``deadline``; None if none is."""
    due = [threshold for threshold in THRESHOLDS[kind] if due_at(deadline, threshold) <= now]
    if not due:
        return None
    threshold = max(due)
    if kind in LAPSES_AT_END_OF_DAY and threshold == THRESHOLDS[kind][-1]:
        if now >= local_midnight(deadline + datetime.timedelta(days=threshold + 1)):
            return None
    return threshold


def earliest_deadline_due(kind: str, today: datetime.date) -> datetime.date:
    """The earliest deadline that can have a current threshold today (for the kinds whose last
    threshold lapses); deadlines before it have nothing due."""
    return today - datetime.timedelta(days=THRESHOLDS[kind][-1])


def latest_deadline_due(kind: str, today: datetime.date) -> datetime.date:
    """The latest deadline that can have a threshold due by the end of today."""
    return today - datetime.timedelta(days=THRESHOLDS[kind][0])


def describe(threshold: int) -> str:
    """A threshold in words: "3 days before", "on the day", "1 day after"."""
    if threshold == 0:
        return "on the day"
    days = abs(threshold)
    return f"{days} day{'s' if days != 1 else ''} {'before' if threshold < 0 else 'after'}"
