"""A person's review windows as an iCalendar feed (RFC 5545). It carries case references and dates,
and a link to the portal, where the reader's permissions apply: never a model's name, a firm's,
a finding or a document (a calendar application copies its feeds to other servers)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

PRODID = "-//Checkpoint//Review calendar//EN"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _day(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def _event(uid: str, summary: str, start: datetime.date, end: datetime.date, url: str, stamp: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_day(start)}",
        f"DTEND;VALUE=DATE:{_day(end)}",  # all-day events end the day after (exclusive)
        f"SUMMARY:{_escape(summary)}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def review_calendar(
    windows: Iterable[tuple[int, str, datetime.date | None, datetime.date | None]], *, site_url: str, host: str
) -> str:
    """Two events per case: its review window (access date to sharing date, both included) and its
    sharing date. ``windows``: (pk, reference, access date, sharing date) of each case."""
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Checkpoint review windows",
    ]
    one_day = datetime.timedelta(days=1)
    for pk, reference, access_date, sharing_date in windows:
        if access_date is None or sharing_date is None:
            continue
        url = f"{site_url}/cases/{pk}/"
        lines += _event(
            f"case-{pk}-window@{host}", f"{reference} review window", access_date, sharing_date + one_day, url, stamp
        )
        lines += _event(
            f"case-{pk}-sharing@{host}", f"{reference} sharing date", sharing_date, sharing_date + one_day, url, stamp
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
