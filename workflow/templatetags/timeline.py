"""``{% timeline_entry event agencies %}``: one line of a case's timeline, in the words of the one
mapping in ``audit.selectors``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html

from accounts.templatetags.checkpoint_auth import shown_name
from audit import selectors
from audit.models import AuditEvent
from core import formats

register = template.Library()


@register.simple_tag(takes_context=True)
def timeline_entry(context: Any, event: AuditEvent, agencies: Iterable[Any] | None = None) -> str:
    """``<li>`` when, who (``{% shown_name %}``: a firm reads a government actor's agency), what
    (``audit.selectors.timeline_label``; ``agencies``, the case's agencies, name them by their short
    names: "DoD"), escaped. One call per event where a template line took a dozen nodes: the case
    page lists the latest events its reader may see, its history page fifty at a time."""
    names = {agency.code: agency.short_name for agency in agencies or ()}
    return format_html(
        '<li><time datetime="{}">{}</time> — {} {}</li>',
        formats.iso(event.at),
        formats.moment(event.at),
        shown_name(context, event.actor) if event.actor else event.actor_label,
        selectors.timeline_label(event, names),
    )
