"""``{% workload_case_row case %}`` and ``{% reviewer_load_row load %}``: rows of an agency's
workload page (``planning/workload.html``)."""

from __future__ import annotations

import datetime

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import ReviewCase
from core import formats, urls
from core.templatetags.checkpoint import days_left, state_tag
from planning.selectors import ReviewerLoad

register = template.Library()


def _date_and_countdown(date: datetime.date | None) -> str:
    return f'<span class="cp-nowrap">{escape(formats.day(date))}</span> ({days_left(date)})'


@register.simple_tag
def workload_case_row(case: ReviewCase) -> SafeString:
    """The ``<tr>`` of one of the agency's active cases: its reference (a link to its page), state,
    sharing date and countdown, and the agency's reviewers on it (``case.agency_reviewers``, the
    lead marked), or "No reviewer". One call per row where the template took some twenty nodes.
    Every text that is not the tag's own is escaped."""
    reviewers = [
        escape(assignment.reviewer.get_full_name()) + (" (lead)" if assignment.is_lead else "")
        for assignment in case.agency_reviewers  # type: ignore[attr-defined]  # prefetched by the selector
    ]
    names = ", ".join(reviewers) or '<span class="text-bold">No reviewer</span>'
    page = escape(urls.object_url("cases:detail", case.pk))
    return mark_safe(  # noqa: S308 - every text not ours escaped above  # nosec B308 B703
        f'<tr><td class="cp-ref"><a href="{page}">{escape(case.reference)}</a></td>'
        f"<td>{state_tag(case.state, case.get_state_display())}</td>"
        f"<td>{_date_and_countdown(case.sharing_date)}</td>\n"
        f"<td>{names}</td></tr>"
    )


@register.simple_tag
def reviewer_load_row(load: ReviewerLoad) -> SafeString:
    """The ``<tr>`` of one reviewer's load: name, cases, cases led, and the nearest sharing date of
    their cases with its countdown (or a dash)."""
    nearest = _date_and_countdown(load.nearest) if load.nearest else "—"
    return mark_safe(  # noqa: S308 - every text not ours escaped above  # nosec B308 B703
        f"<tr><td>{escape(load.reviewer.get_full_name())}</td><td>{escape(localize(load.cases))}</td>"
        f"<td>{escape(localize(load.leads))}</td><td>{nearest}</td></tr>"
    )
