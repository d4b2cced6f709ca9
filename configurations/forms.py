"""Forms for tested configurations, the access ledger and the sharing attestation. They validate
shape; the services validate the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from configurations.models import AccessVariant, AttestationChoice, InterruptionCause, LedgerVisibility
from core import forms as cp


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


TIME_HELP = "Eastern Time (America/New_York)."


class LocalDateTimeField(forms.DateTimeField):
    """A moment typed in the program's time zone (``TIME_ZONE``): Django makes it aware."""

    widget = DateTimeInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ConfigurationForm(cp.Form):
    name = forms.CharField(max_length=200, help_text="For example: Production API, or Agent sandbox.")
    snapshot = forms.CharField(max_length=200, label="Snapshot identifier")
    fingerprint = forms.CharField(
        max_length=200, required=False, label="Weights or endpoint fingerprint", help_text="Optional."
    )
    safeguard_version = forms.CharField(max_length=200, label="Safeguard version")
    access_variant = forms.ChoiceField(choices=AccessVariant.choices, label="Way of access", widget=forms.RadioSelect)
    access_variant_other = forms.CharField(max_length=200, required=False, label="Other way of access (described)")
    access_method = forms.CharField(max_length=200, label="Access method", help_text="API, hosted endpoint, ...")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LedgerForm(cp.Form):
    configuration = forms.ModelChoiceField(queryset=None, label="Configuration")
    started_at = LocalDateTimeField(label="Started", help_text=TIME_HELP)
    visibility = forms.ChoiceField(
        choices=LedgerVisibility.choices,
        widget=forms.RadioSelect,
        initial=LedgerVisibility.AGENCY,
        label="Who reads it",
        help_text="The firm always reads the ledger of its configurations.",
    )

    def __init__(self, *args: Any, configurations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["configuration"].queryset = configurations


class AccessPeriodForm(LedgerForm):
    ended_at = LocalDateTimeField(label="Ended", required=False, help_text=f"Empty while access continues. {TIME_HELP}")
    confirmed_by = forms.CharField(max_length=200, label="Confirmed by", help_text="Who confirmed the access.")
    field_order = ["configuration", "started_at", "ended_at", "confirmed_by", "visibility"]


class InterruptionForm(LedgerForm):
    hours = forms.DecimalField(
        min_value=0.25, max_value=24 * 31, decimal_places=2, label="How long (hours)", help_text="For example 4 or 1.5."
    )
    cause = forms.ChoiceField(choices=InterruptionCause.choices)
    note = forms.CharField(max_length=500, required=False)
    field_order = ["configuration", "started_at", "hours", "cause", "note", "visibility"]

    def ended_at(self) -> datetime.datetime:
        return self.cleaned_data["started_at"] + datetime.timedelta(hours=float(self.cleaned_data["hours"]))


class LedgerCommentForm(cp.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Comment on this entry")


class AttestationForm(cp.Form):
    choice = forms.ChoiceField(
        choices=AttestationChoice.choices,
        widget=forms.RadioSelect,
        label="What the firm shares with partners",
        help_text="Your own, voluntary choice: each answer, including prefer not to say, is recorded as given.",
    )
    configuration = forms.ModelChoiceField(queryset=None, required=False, label="The tested configuration shared")
    different_description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="The configuration shared (described)"
    )

    def __init__(self, *args: Any, configurations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["configuration"].queryset = configurations
