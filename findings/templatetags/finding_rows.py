"""``{% case_finding_row finding %}``: one row of the findings table on a case's page."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core import urls
from core.templatetags.checkpoint import state_tag
from findings.models import Finding

register = template.Library()

_DIFFERS = '<br><span class="usa-tag bg-accent-warm-dark">Tested on a different configuration than shared</span>'


@register.simple_tag
def case_finding_row(finding: Finding) -> SafeString:
    """The ``<tr>`` of ``finding``: its number and title (a link to its page, flagged when it was
    tested on another configuration than the firm shares: ``finding.shared_differs``, the rule's
    answer set by the page), agency, severity, state and who may see it. One call per row where
    the template took some fifteen nodes. Every text that is not the tag's own is escaped."""
    page = escape(urls.object_url("findings:detail", finding.pk))
    differs = _DIFFERS if getattr(finding, "shared_differs", False) else ""
    return mark_safe(  # noqa: S308 - every text not ours escaped above  # nosec B308 B703
        f'<tr>\n<th scope="row"><a href="{page}">#{finding.pk:d} {escape(finding.title)}</a>{differs}</th>\n'
        f"<td>{escape(finding.agency.short_name)}</td>\n"
        f"<td>{state_tag(finding.severity, finding.get_severity_display())}</td>\n"
        f"<td>{state_tag(finding.state, finding.get_state_display())}</td>\n"
        f"<td>{escape(finding.get_visibility_display())}</td>\n</tr>"
    )
