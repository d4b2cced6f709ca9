from __future__ import annotations

from django import forms

from core.forms import Form
from notifications.models import EmailMode


class PreferenceForm(Form):
    email_mode = forms.ChoiceField(
        label="Email me",
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text="Every notice is also in your Notifications page, whatever you choose.",
    )
