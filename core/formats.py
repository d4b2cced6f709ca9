"""One way to write a date and a moment, everywhere: pages (the ``day`` and ``moment`` template
filters), emails, CSV exports and feeds. Moments are shown in the program's time zone
(``settings.TIME_ZONE``, America/New_York); CSV and machine formats use ISO 8601 with its offset."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS_3

DATE_FORMAT = "M j, Y"  # Mar 2, 2026
DATETIME_FORMAT = "M j, Y, H:i T"  # Mar 2, 2026, 09:00 EST


def _month(value: datetime.date) -> str:
    return str(MONTHS_3[value.month]).title()  # Django's "M", in the active language


def day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    # DATE_FORMAT, written directly: pages print dozens of these, and Django's formatter costs
    # ten times more (tests/core/test_formats.py holds the two equal).
    return f"{_month(value)} {value.day}, {value.year:04d}"


def moment(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    if not timezone.is_aware(value):
        return date_format(value, DATETIME_FORMAT)
    value = timezone.localtime(value)
    # DATETIME_FORMAT, written directly (as ``day``).
    return f"{_month(value)} {value.day}, {value.year:04d}, {value.hour:02d}:{value.minute:02d} {value.tzname()}"


def iso(value: datetime.date | datetime.datetime | None) -> str:
    """ISO 8601: a date as 2026-03-02, a moment as 2026-03-02T09:00:00-05:00 (program time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(microsecond=0).isoformat()
    return value.isoformat()
