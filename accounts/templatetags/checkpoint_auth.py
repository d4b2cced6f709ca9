from typing import Any

from django import template
from django.conf import settings

from accounts import roles

register = template.Library()


@register.simple_tag
def mfa_required() -> bool:
    """Whether every account must enrol a second factor (off only in the laptop demo)."""
    return bool(settings.CHECKPOINT_REQUIRE_MFA)


@register.simple_tag(takes_context=True)
def shown_name(context: Any, person: Any, agency: Any = None) -> str:
    """``{% shown_name finding.released_by finding.agency %}``: the person's name, or their agency's
    short name for a firm reader (``accounts.roles.shown_name``)."""
    request = context.get("request")
    return roles.shown_name(person, getattr(request, "user", None), agency)
