"""``{% calendar_day day today %}``: one day of the review calendar's month grid."""

from __future__ import annotations

import datetime

from django import template
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from planning.selectors import Day

register = template.Library()


@register.simple_tag
def calendar_day(day: Day, today: datetime.date) -> SafeString:
    """The ``<td>`` of ``day``: its date (with "Today" and the month for screen readers), how many
    windows are open, and the windows that open or reach their sharing date then (the first few
    named, the rest counted). One call per day where the template took some forty nodes: a month
    is 35 to 42 days. Every text that is not the tag's own is escaped (a reference, the month's
    name); the numbers are ints."""
    is_today = day.date == today
    classes = " ".join(
        name
        for name, on in (
            ("cp-calendar__other", not day.in_month),
            ("cp-calendar__today", is_today),
            ("cp-calendar__open", bool(day.open_windows)),
        )
        if on
    )
    parts = [
        f'<td class="{classes}">\n<span class="cp-calendar__date">',
        '<span class="usa-sr-only">Today, </span>' if is_today else "",
        f'{day.date.day:d}<span class="usa-sr-only"> {escape(MONTHS[day.date.month])}</span></span>\n',
    ]
    if day.open_windows:
        plural = "" if day.open_windows == 1 else "s"
        parts.append(f'<span class="usa-sr-only">{day.open_windows:d} window{plural} open.</span>\n')
    parts.append('<ul class="usa-list usa-list--unstyled">')
    parts += [f'<li class="cp-ref">Opens: {escape(window.reference)}</li>' for window in day.opening]
    if day.opening_more:
        parts.append(f"<li>Opens: {day.opening_more:d} more</li>")
    parts += [f'<li class="cp-ref text-bold">Sharing: {escape(window.reference)}</li>' for window in day.closing]
    if day.closing_more:
        parts.append(f'<li class="text-bold">Sharing: {day.closing_more:d} more</li>')
    parts.append("</ul>\n</td>")
    return mark_safe("".join(parts))  # noqa: S308 - every text not ours escaped above  # nosec B308 B703
