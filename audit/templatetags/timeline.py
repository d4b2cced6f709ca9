"""``{{ event|timeline_label }}``: a case timeline's words for an audit event, from the one
mapping in ``audit.selectors``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from audit import selectors
from audit.models import AuditEvent

register = template.Library()


@register.filter
def timeline_label(event: AuditEvent, agencies: Iterable[Any] | None = None) -> str:
    """``{{ event|timeline_label:agencies }}``: ``agencies``, the case's agencies, name them by their
    short names ("DoD")."""
    names = {agency.code: agency.short_name for agency in agencies or ()}
    return selectors.timeline_label(event, names)
