"""``{{ event|timeline_label }}``: a case timeline's words for an audit event, from the one
mapping in ``audit.selectors``."""

from __future__ import annotations

from django import template

from audit import selectors
from audit.models import AuditEvent

register = template.Library()


@register.filter
def timeline_label(event: AuditEvent) -> str:
    return selectors.timeline_label(event)
