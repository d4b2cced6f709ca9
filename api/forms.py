from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from api.models import TokenScope
from core import forms as cp


class TokenForm(cp.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “release pipeline”.")
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="A read-only token cannot change anything.",
    )
    days = forms.IntegerField(min_value=1, label="Expires after (days)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        maximum = int(settings.API_TOKEN_MAX_DAYS)
        self.fields["days"].max_value = maximum
        self.fields["days"].validators.append(forms.IntegerField(max_value=maximum).validators[-1])
        self.fields["days"].initial = min(30, maximum)
        self.fields["days"].help_text = f"At most {maximum} days."
        self.fields["days"].widget.attrs["max"] = maximum


class WebhookForm(cp.Form):
    url = forms.URLField(max_length=500, label="HTTPS address", assume_scheme="https")
    description = forms.CharField(max_length=200, required=False)
