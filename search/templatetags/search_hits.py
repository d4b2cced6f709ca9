"""``{% search_hit kind row %}``: one hit of the search page (``search/results.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from core import urls
from core.templatetags.checkpoint import state_tag

register = template.Library()


def _link(viewname: str, pk: int, text: str) -> str:
    return f'<a href="{escape(urls.object_url(viewname, pk))}" class="text-bold">{text}</a>'


def _head(kind: str, row: Any) -> str:
    if kind == "case":
        model = row.model
        return (
            f"{_link('cases:detail', row.pk, escape(row.reference))} · {escape(model.name)} {escape(model.version)} · "
            f"{state_tag(row.state, row.get_state_display())}"
        )
    if kind == "finding":
        return (
            f"{_link('findings:detail', row.pk, f'#{row.pk:d} {escape(row.title)}')} · {escape(row.case.reference)} · "
            f"{escape(row.agency.short_name)} · {escape(row.get_category_display())} · "
            f"{state_tag(row.severity, row.get_severity_display())}"
        )
    if kind == "comment":
        if row.finding_id:
            on = _link("findings:detail", row.finding_id, f"Comment on finding #{row.finding_id:d}")
        else:
            on = _link("cases:detail", row.case_id, f"Comment on {escape(row.case.reference)}")
        return f"{on} · {escape(row.case.reference)} · {escape(row.author.get_full_name())}"
    return (
        f"{_link('documents:detail', row.pk, escape(row.title))} · {escape(row.case.reference)} · "
        f"{escape(row.get_kind_display())} · {escape(row.marking)}"
    )


@register.simple_tag
def search_hit(kind: str, row: Any) -> SafeString:
    """The ``<li>`` of a hit of ``kind`` (a case, finding, comment or document): a link to its page
    and what names it, then its snippet (``row.snippet``: safe HTML, ``search.selectors.snippet_html``).
    One call per hit where the template took some twenty nodes (a page shows up to forty). Every
    text that is not the tag's own is escaped."""
    return mark_safe(  # noqa: S308 - every text not ours escaped  # nosec B308 B703
        f'<li class="margin-bottom-2">\n{_head(kind, row)}\n'
        f'<p class="margin-y-05 text-base-dark">{conditional_escape(row.snippet)}</p>\n</li>'
    )
