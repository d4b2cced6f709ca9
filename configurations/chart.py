"""The small timeline chart of effective access, drawn on the server as SVG geometry (no script):
one bar per agency across the review window, effective access filled, interruptions marked, and
a line for now. The page prints the same figures as text beside it (the chart's text alternative)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from configurations.access import utc
from configurations.selectors import AccessSummary

WIDTH = 600  # the drawing's units; the SVG scales to its container
LABEL = 90  # room for the agency's name on the left
ROW = 28
BAR = 16


@dataclass(frozen=True)
class Segment:
    x: float
    width: float


@dataclass(frozen=True)
class Row:
    label: str
    y: float
    text_y: float
    access: list[Segment]
    lost: list[Segment]
    days: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_width: int
    rows: list[Row]
    now_x: float | None
    ticks: list[tuple[float, str]]


def _scale(window: tuple[datetime.datetime, datetime.datetime]) -> tuple[float, float]:
    span = (utc(window[1]) - utc(window[0])).total_seconds() or 1.0
    return span, (WIDTH - LABEL) / span


def chart(summary: AccessSummary, *, now: datetime.datetime) -> Chart | None:
    if summary.window is None or not summary.agencies:
        return None
    start, end = utc(summary.window[0]), utc(summary.window[1])
    now = utc(now)
    span, per_second = _scale(summary.window)

    def x(moment: datetime.datetime) -> float:
        return round(LABEL + max(0.0, min(span, (utc(moment) - start).total_seconds())) * per_second, 1)

    def segments(intervals: list[tuple[datetime.datetime, datetime.datetime]]) -> list[Segment]:
        return [Segment(x(a), max(0.5, round(x(b) - x(a), 1))) for a, b in intervals]

    rows = []
    for index, agency in enumerate(summary.agencies):
        y = 4 + index * ROW
        rows.append(
            Row(
                agency.agency.short_name,
                y,
                y + BAR - 4,
                segments(agency.intervals),
                segments(agency.interruptions),
                agency.days,
            )
        )
    days = summary.window_days or 0
    ticks = [(x(start), "access date"), (x(end), "sharing date")]
    if days >= 14:
        middle = start + (end - start) / 2
        ticks.insert(1, (x(middle), f"day {days // 2}"))
    now_x = x(now) if start <= now <= end else None
    height = 4 + len(rows) * ROW + 18
    return Chart(WIDTH, height, LABEL, WIDTH - LABEL, rows, now_x, ticks)
