from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def mfa_required() -> bool:
    """Whether every account must enrol a second factor (off only in the laptop demo)."""
    return bool(settings.CHECKPOINT_REQUIRE_MFA)
