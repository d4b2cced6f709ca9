"""Dates and moments read the same on every page: ``core.formats`` writes them directly, and must
write exactly what Django's formatter writes for the same format."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core import formats

# Every hour across both daylight-saving changes of 2026 in the program's time zone, and a year.
_UTC = datetime.UTC
MOMENTS = [
    *(datetime.datetime(2026, 3, 7, tzinfo=_UTC) + datetime.timedelta(hours=h) for h in range(72)),
    *(datetime.datetime(2026, 10, 31, tzinfo=_UTC) + datetime.timedelta(hours=h) for h in range(72)),
    *(datetime.datetime(2026, 1, 1, 12, 5, tzinfo=_UTC) + datetime.timedelta(days=d) for d in range(0, 366, 7)),
    datetime.datetime(2026, 7, 4, 9, 3, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
]


@pytest.mark.parametrize("value", MOMENTS, ids=lambda v: v.isoformat())
def test_a_moment_and_its_day_read_as_django_writes_them(value):
    local = timezone.localtime(value)
    django = date_format(local, formats.DATETIME_FORMAT)
    if django.endswith(" "):
        # The hour that happens twice when clocks go back: Django names no zone; we say which.
        assert formats.moment(value) in (django + "EDT", django + "EST")
    else:
        assert formats.moment(value) == django
    assert formats.day(value) == date_format(local, formats.DATE_FORMAT)
    assert formats.day(local.date()) == date_format(local.date(), formats.DATE_FORMAT)


def test_the_program_time_zone_names_itself():
    assert formats.moment(datetime.datetime(2026, 3, 2, 14, 0, tzinfo=_UTC)) == "Mar 2, 2026, 09:00 EST"
    assert formats.moment(datetime.datetime(2026, 7, 2, 14, 0, tzinfo=_UTC)) == "Jul 2, 2026, 10:00 EDT"
    assert formats.day(datetime.date(2026, 12, 31)) == "Dec 31, 2026"
    # 01:30 on Nov 1, 2026 happens twice in New York: first in daylight time, then in standard time.
    assert formats.moment(datetime.datetime(2026, 11, 1, 5, 30, tzinfo=_UTC)) == "Nov 1, 2026, 01:30 EDT"
    assert formats.moment(datetime.datetime(2026, 11, 1, 6, 30, tzinfo=_UTC)) == "Nov 1, 2026, 01:30 EST"
    assert formats.moment(None) == formats.day(None) == ""
