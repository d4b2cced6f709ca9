from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeData, SafeString, mark_safe

from core import formats, forms, urls

register = template.Library()


@register.filter
def day(value: datetime.date | datetime.datetime | None) -> str:
    """The portal's one date format (``core.formats``): Mar 2, 2026."""
    return formats.day(value)


@register.filter
def moment(value: datetime.datetime | None) -> str:
    """The portal's one date-time format, in the program's time zone: Mar 2, 2026, 09:00 EST."""
    return formats.moment(value)


@register.filter
def iso(value: datetime.date | datetime.datetime | None) -> str:
    """ISO 8601 in the program's time zone, for ``<time datetime>``."""
    return formats.iso(value)


@register.simple_tag
def days_left(date: datetime.date | None) -> str:
    """The countdown to a date in the program's time zone: '12 days left', 'today', '3 days ago'."""
    if date is None:
        return format_html('<span class="cp-countdown">{}</span>', "no date")
    days = (date - timezone.localdate()).days
    soon = days <= 3
    if days > 1:
        text = f"{days} days left"
    elif days == 1:
        text = "1 day left"
    elif days == 0:
        text = "today"
    else:
        text = f"{-days} day{'s' if days < -1 else ''} ago"
    return format_html(
        '<span class="cp-countdown{}">{}</span>', " cp-countdown--soon" if soon and days >= 0 else "", text
    )


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for sorting and pagination links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.items())) if params else "?"


_STATE_TAGS = {
    "draft": "bg-base-lighter text-ink",
    "submitted": "bg-accent-cool-lighter text-ink",
    "in_review": "bg-primary",
    "closeout_requested": "bg-accent-warm-dark",
    "closed": "bg-green",
    "withdrawn": "bg-base-dark",
    "released": "bg-primary",
    "firm_responded": "bg-accent-warm-dark",
    "resolved": "bg-green",
    "critical": "bg-secondary-darker",
    "high": "bg-secondary-dark",
    "medium": "bg-accent-warm-darker",
    "low": "bg-base-dark",
    "informational": "bg-base-dark",
}


@register.simple_tag
def state_tag(value: str, label: str) -> str:
    return format_html('<span class="usa-tag cp-state {}">{}</span>', _STATE_TAGS.get(value, "bg-base-dark"), label)


@register.simple_tag
def html_attrs(attrs: dict[str, Any]) -> SafeString:
    """A tag's attributes as Django's form templates write them (``django/forms/attrs.html``):
    `` name="value"`` each, `` name`` alone for True, nothing for False; names and values escaped
    unless already safe. One call in Python instead of a loop of template nodes per attribute
    (the portal's copies of those templates use it: tests/core/test_form_widgets.py)."""
    written = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            written.append(f" {conditional_escape(name)}")
            continue
        text = "%s" % (value,)  # noqa: UP031 - as the template's stringformat:'s', a tuple included
        shown = text if isinstance(value, SafeData) else conditional_escape(text)
        written.append(f' {conditional_escape(name)}="{shown}"')
    return mark_safe("".join(written))  # noqa: S308 - every part escaped above  # nosec B308 B703


@register.filter
def form_html(form: Any) -> str:
    """``{{ form|form_html }}``: the form, a blank one rendered once per shape (``core.forms.form_html``)."""
    return forms.form_html(form)


@register.simple_tag
def uswds_fields(form: Any) -> str:
    """Render a form that is not one of ours (allauth's) in the portal's USWDS look."""
    from django.template.loader import render_to_string

    from core.forms import apply_uswds_classes

    apply_uswds_classes(form.fields)
    for name in form.errors if form.is_bound else ():
        if name in form.fields:
            form.fields[name].widget.attrs["aria-invalid"] = "true"
    return render_to_string("forms/uswds.html", {"form": form})


@register.simple_tag(name="object_url")
def object_url(viewname: str, pk: int) -> str:
    """``{% object_url 'cases:detail' case.pk %}``: ``{% url %}`` for a page of one object, for
    rows of lists (``core.urls.object_url``: the same address, a third of the cost)."""
    return urls.object_url(viewname, pk)
