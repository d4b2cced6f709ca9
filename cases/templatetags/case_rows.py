"""``{% case_row case ... %}``: one row of the portal's case table (``includes/case_table.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import ReviewCase
from core import formats, urls
from core.templatetags.checkpoint import days_left, state_tag

register = template.Library()


@register.simple_tag
def case_row(
    case: ReviewCase, show_firm: Any = False, effective: Any = False, flag_unstaffed: Any = False
) -> SafeString:
    """The ``<tr>`` of ``case``: its reference (a link to its page), model, firm (``show_firm``),
    state, sharing date and countdown, effective days of access (``effective``: ``case.effective_days``,
    a link to its ledger) and assigned agencies, each flagged "no reviewer" when it has none on an
    open case (``flag_unstaffed``). One call per row where the template took some thirty nodes (a
    page lists 25 cases, a dashboard several tables). Every text that is not the tag's own is
    escaped."""
    reference = escape(case.reference)
    page = escape(urls.object_url("cases:detail", case.pk))
    cells = [
        f'<tr>\n<th scope="row" data-label="Case" class="cp-ref"><a href="{page}">{reference}</a></th>\n',
        f'<td data-label="Model">{escape(case.model)}</td>\n',
    ]
    if show_firm:
        cells.append(f'<td data-label="Firm">{escape(case.model.firm)}</td>\n')
    cells.append(f'<td data-label="State">{state_tag(case.state, case.get_state_display())}</td>\n')
    if case.sharing_date:
        countdown = days_left(case.sharing_date) if case.is_open else ""
        dates = f'<span class="cp-nowrap">{escape(formats.day(case.sharing_date))}</span><br>{countdown}'
    else:
        dates = "not set"
    cells.append(f'<td data-label="Sharing date">{dates}</td>\n')
    if effective:
        days = case.effective_days  # type: ignore[attr-defined]  # set by the page: days to one decimal
        ledger = escape(urls.object_url("configurations:ledger", case.pk))
        plural = "" if days == 1 else "s"
        cells.append(
            f'<td data-label="Effective access"><a href="{ledger}">{escape(localize(days))} day{plural}'
            f'<span class="usa-sr-only"> of effective access on {reference}</span></a></td>\n'
        )
    agencies = []
    for assignment in case.agency_assignments.all():
        name = escape(assignment.agency.short_name)
        if flag_unstaffed and not assignment.staffed and case.is_open:
            name += ' <span class="usa-tag bg-secondary-dark">no reviewer</span>'
        agencies.append(name)
    cells.append(f'<td data-label="Agencies">{", ".join(agencies) or "none yet"}</td>\n</tr>')
    return mark_safe("".join(cells))  # noqa: S308 - every text not ours escaped above  # nosec B308 B703
