"""The search form: the words, and the filters that narrow them (search.selectors.Filters)."""

from __future__ import annotations

from django import forms

from cases.models import CaseState
from core import forms as cp
from findings.models import Category, Severity
from search.selectors import KINDS, Filters


class SearchForm(cp.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search for",
        help_text="Case references, models, partners, findings, comments, document titles and file names. "
        "Each word matches the start of a word.",
    )
    kind = forms.ChoiceField(choices=[("", "Everything"), *KINDS], required=False, label="Kind")
    case_state = forms.ChoiceField(
        choices=[("", "Any case state"), *CaseState.choices], required=False, label="Case state"
    )
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *Severity.choices], required=False, label="Finding severity"
    )
    category = forms.ChoiceField(
        choices=[("", "Any category"), *Category.choices], required=False, label="Finding category"
    )

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            kind=data.get("kind") or "",
            case_state=data.get("case_state") or "",
            severity=data.get("severity") or "",
            category=data.get("category") or "",
        )


class SaveSearchForm(cp.Form):
    name = forms.CharField(max_length=120, label="Name of the search")
    share = forms.BooleanField(required=False, label="Share it with my organisation")
    daily_email = forms.BooleanField(
        required=False, label="Email me once a day when it has new results (counts and a link only)"
    )
