"""Effective access days against hand-built ledgers: overlapping periods count once, overlapping
interruptions are subtracted once, interruptions outside access subtract nothing, one
configuration's interruption does not cut another's access, and a daylight-saving change makes a
calendar day 23 or 25 hours of access."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from configurations.access import Cut, Period, effective_access, effective_intervals, in_days, subtract

NY = ZoneInfo("America/New_York")
H = datetime.timedelta(hours=1)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=NY)


WINDOW = (at(3, 1), at(3, 31))  # across the spring-forward of Sunday March 8, 2026
LATER = at(4, 30)  # "now", after the window


def test_overlapping_periods_count_once_and_overlapping_interruptions_are_cut_once():
    periods = [
        Period("api", at(3, 10, 9), at(3, 12, 9)),  # 48 h
        Period("api", at(3, 11, 9), at(3, 13, 9)),  # overlaps: the union is 72 h
    ]
    cuts = [
        Cut("api", at(3, 11, 0), at(3, 11, 6)),  # 6 h
        Cut("api", at(3, 11, 3), at(3, 11, 12)),  # overlaps it: together 00:00-12:00, 12 h
        Cut("api", at(3, 20), at(3, 21)),  # outside every period: nothing
    ]
    # Mar 10 09:00 to Mar 13 09:00 (72 h), less Mar 11 00:00-12:00 (12 h, not 15)
    assert effective_access(periods, cuts, window=WINDOW, now=LATER) == 60 * H
    assert in_days(effective_access(periods, cuts, window=WINDOW, now=LATER)) == 2.5


def test_an_interruption_of_one_configuration_leaves_another_s_access_whole():
    periods = [Period("api", at(3, 10), at(3, 12)), Period("sandbox", at(3, 11), at(3, 13))]
    cuts = [Cut("api", at(3, 11), at(3, 12)), Cut("sandbox", at(3, 12, 12), at(3, 13))]
    # api: Mar 10-11 (24 h); sandbox: Mar 11 00:00 - Mar 12 12:00 (36 h); union 60 h
    assert effective_access(periods, cuts, window=WINDOW, now=LATER) == 60 * H


def test_a_day_across_the_spring_change_is_23_hours_and_across_the_autumn_change_25():
    spring = [Period("api", at(3, 8, 0), at(3, 9, 0))]  # March 8: clocks go forward at 2:00
    assert effective_access(spring, [], window=WINDOW, now=LATER) == 23 * H
    autumn_window = (datetime.datetime(2026, 10, 20, tzinfo=NY), datetime.datetime(2026, 11, 15, tzinfo=NY))
    autumn = [Period("api", datetime.datetime(2026, 11, 1, tzinfo=NY), datetime.datetime(2026, 11, 2, tzinfo=NY))]
    assert effective_access(autumn, [], window=autumn_window, now=LATER.replace(month=12)) == 25 * H
    # An interruption across the change is cut by its elapsed hours too: 01:00 to 04:00 local is 2 h.
    cut = [Cut("api", at(3, 8, 1), at(3, 8, 4))]
    assert effective_access(spring, cut, window=WINDOW, now=LATER) == 21 * H


def test_the_whole_window_across_a_change_still_reads_30_days():
    full = [Period("api", at(2, 20), None)]  # open, started before the window
    assert effective_access(full, [], window=WINDOW, now=LATER) == 30 * 24 * H - H
    assert in_days(effective_access(full, [], window=WINDOW, now=LATER)) == 30.0


def test_access_is_kept_inside_the_window_and_before_now():
    periods = [Period("api", at(2, 25), at(3, 3)), Period("api", at(3, 29), None)]
    now = at(3, 30, 12)
    assert effective_intervals(periods, [], window=WINDOW, now=now) == [(at(3, 1), at(3, 3)), (at(3, 29), now)]
    assert effective_access(periods, [], window=WINDOW, now=at(2, 1)) == datetime.timedelta()


def test_subtract_leaves_the_pieces_between_cuts():
    pieces = subtract([(at(3, 1), at(3, 5))], [(at(3, 2), at(3, 3)), (at(3, 4), at(3, 4, 12))])
    assert pieces == [(at(3, 1), at(3, 2)), (at(3, 3), at(3, 4)), (at(3, 4, 12), at(3, 5))]
