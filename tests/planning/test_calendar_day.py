"""The calendar's day cell (``{% calendar_day %}``) writes what the template it replaced wrote."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template

from planning.selectors import Day, WindowRef
from tests.html import normal_html

# The month grid's cell as a template, before it became one tag.
REFERENCE = """{% load checkpoint %}
      <td class="{% if not day.in_month %}cp-calendar__other{% endif %}{% if day.date == today %} cp-calendar__today{% endif %}{% if day.open_windows %} cp-calendar__open{% endif %}">
        <span class="cp-calendar__date">{% if day.date == today %}<span class="usa-sr-only">Today, </span>{% endif %}{{ day.date|date:"j" }}<span class="usa-sr-only"> {{ day.date|date:"F" }}</span></span>
        {% if day.open_windows %}<span class="usa-sr-only">{{ day.open_windows }} window{{ day.open_windows|pluralize }} open.</span>{% endif %}
        <ul class="usa-list usa-list--unstyled">
          {% for case in day.opening %}<li class="cp-ref">Opens: {{ case.reference }}</li>{% endfor %}
          {% if day.opening_more %}<li>Opens: {{ day.opening_more }} more</li>{% endif %}
          {% for case in day.closing %}<li class="cp-ref text-bold">Sharing: {{ case.reference }}</li>{% endfor %}
          {% if day.closing_more %}<li class="text-bold">Sharing: {{ day.closing_more }} more</li>{% endif %}
        </ul>
      </td>"""  # noqa: E501 - the template as it was

TODAY = datetime.date(2026, 3, 6)


def _days() -> list[Day]:
    names = [WindowRef(1, "CASE-2026-0001"), WindowRef(2, "<script>alert(1)</script> & co")]
    return [
        Day(date=datetime.date(2026, 2, 28), in_month=False),
        Day(date=TODAY, in_month=True, open_windows=1),
        Day(date=datetime.date(2026, 3, 7), in_month=True, open_windows=14, opening=names, opening_count=2),
        Day(
            date=datetime.date(2026, 3, 8),
            in_month=True,
            open_windows=3,
            opening=names[:1],
            opening_count=9,
            closing=names,
            closing_count=5,
        ),
        Day(date=datetime.date(2026, 4, 1), in_month=False, open_windows=2, closing=names[1:], closing_count=1),
    ]


@pytest.mark.parametrize("day", _days(), ids=lambda day: day.date.isoformat())
def test_the_cell_is_the_template_it_replaced(day: Day) -> None:
    context = Context({"day": day, "today": TODAY})
    expected = Template(REFERENCE).render(context)
    written = Template("{% load planning_calendar %}{% calendar_day day today %}").render(context)
    assert normal_html(written) == normal_html(expected)


def test_a_reference_is_escaped() -> None:
    day = _days()[2]
    written = Template("{% load planning_calendar %}{% calendar_day day today %}").render(
        Context({"day": day, "today": TODAY})
    )
    assert "<script>" not in written
    assert "Opens: &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in written
