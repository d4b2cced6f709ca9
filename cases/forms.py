"""Forms for models, cases and closeouts. They validate shape; the services validate the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings

from agencies.models import Agency
from cases.models import AIModel, CaseState, Modality
from core import forms as cp

WINDOW_HELP = (
    f"Evaluators get access on the access date; the review window closes on the sharing date, "
    f"when you plan to share the model with trusted partners. The window is at most "
    f"{settings.REVIEW_WINDOW_MAX_DAYS} days. Dates are in Eastern Time (America/New_York)."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ModelForm(cp.Form):
    name = forms.CharField(max_length=200, help_text="For example: Atlas.")
    version = forms.CharField(max_length=100, help_text="For example: 2.1 or 2026-10 snapshot.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    modalities = forms.MultipleChoiceField(
        choices=Modality.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    intended_partners = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Who you intend to share this model with.",
    )


class CaseForm(cp.Form):
    """Opening or editing a case. Dates are offered only while the case is a draft."""

    access_date = forms.DateField(widget=DateInput(), help_text="When evaluators get access to the model.")
    sharing_date = forms.DateField(
        widget=DateInput(),
        help_text=f"When you plan to share the model with trusted partners: at most "
        f"{settings.REVIEW_WINDOW_MAX_DAYS} days after the access date.",
    )
    trusted_partners = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="The partners you plan to share the model with."
    )
    model_snapshot = forms.CharField(
        max_length=200, required=False, help_text="The snapshot or checkpoint identifier under review."
    )
    safeguard_configuration = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Classifiers, filters and access controls in place for the review.",
    )
    evaluator_access = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How evaluators get access",
        help_text="For example: API keys issued on the access date; a dedicated endpoint.",
    )

    def __init__(self, *args: Any, with_dates: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_dates:
            del self.fields["access_date"]
            del self.fields["sharing_date"]


class NewCaseForm(CaseForm):
    model = forms.ModelChoiceField(queryset=AIModel.objects.none(), help_text="The model version under review.")

    field_order = ["model", "access_date", "sharing_date"]

    def __init__(self, *args: Any, models: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = models
        self.order_fields(self.field_order)


class MoveSharingDateForm(cp.Form):
    sharing_date = forms.DateField(widget=DateInput(), label="New sharing date")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the date moves. The assigned agencies see the new date; the reason is kept in the case record.",
    )


class WithdrawForm(cp.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Optional. Withdrawing is your right: the review is voluntary.",
    )
    confirm = forms.BooleanField(label="I understand the case becomes read-only and the review stops.")


class AssignAgenciesForm(cp.Form):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.all(), widget=forms.CheckboxSelectMultiple, help_text="Agencies that review this case."
    )


class AssignReviewersForm(cp.Form):
    reviewers = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple, required=False)
    lead = forms.ModelChoiceField(queryset=None, required=False, label="Lead reviewer")

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = members
        self.fields["lead"].queryset = members
        self.fields["reviewers"].label_from_instance = lambda user: f"{user.get_full_name()} ({user.email})"
        self.fields["lead"].label_from_instance = lambda user: f"{user.get_full_name()} ({user.email})"


class CloseoutRequestForm(cp.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the review examined and concluded. The firm and the program office read this summary. "
        "A closeout concludes the review; it does not approve a deployment.",
    )

    def __init__(self, *args: Any, open_findings: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_findings = list(open_findings)
        for finding in self.open_findings:
            self.fields[f"carry_{finding.pk}"] = forms.CharField(
                label=f"Why finding #{finding.pk} ({finding.title}) is carried forward",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="It is still open. For example: the firm declined to act, which is its right.",
            )

        cp.apply_uswds_classes(self.fields)  # the mixin styled only the fields that existed before

    def carried_forward(self) -> dict[int, str]:
        return {f.pk: self.cleaned_data.get(f"carry_{f.pk}", "") for f in self.open_findings}


class CloseoutDecisionForm(cp.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve the closeout for my agency"), ("return", "Return it for more review")],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Your agency's statement on the review",
        help_text="Required when you approve. What your agency examined and concludes; the firm, the program "
        "office and the other agencies read it.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason for returning it",
        help_text="Required when you return it. The assigned agencies read it.",
    )

    def __init__(self, *args: Any, may_approve: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_approve:  # the page says why (workflow.policy.closeout_approve_refusal)
            self.fields["decision"].choices = [("return", "Return it for more review")]
            del self.fields["statement"]


DUE_CHOICES = [
    ("", "Any time"),
    ("7", "Sharing date within 7 days"),
    ("3", "Within 3 days"),
    ("past", "Sharing date passed"),
]
STAFFING_CHOICES = [("", "Any"), ("unstaffed", "An assigned agency has none yet")]
SORT_CHOICES = [
    ("sharing_date", "Days left (soonest first)"),
    ("-sharing_date", "Days left (latest first)"),
    ("-created_at", "Newest first"),
    ("reference", "Reference"),
    ("state", "State"),
]


class CaseFilterForm(cp.Form):
    q = forms.CharField(required=False, label="Search", help_text="Reference or model name.")
    state = forms.ChoiceField(choices=[("", "Any state"), *CaseState.choices], required=False)
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False, empty_label="Any agency")
    due = forms.ChoiceField(choices=DUE_CHOICES, required=False, label="Days left")
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label="Sort by")
    staffing = forms.ChoiceField(choices=STAFFING_CHOICES, required=False, label="Reviewers")

    def __init__(self, *args: Any, staffing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staffing:  # cases.policy.staffing_shown_to
            del self.fields["staffing"]

    def filter(self, queryset: Any, today: datetime.date) -> Any:
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("staffing") == "unstaffed":
            from cases.selectors import unstaffed

            queryset = unstaffed(queryset)
        if data.get("q"):
            from django.db.models import Q

            term = data["q"].strip()
            queryset = queryset.filter(
                Q(reference__icontains=term) | Q(model__name__icontains=term) | Q(model__version__icontains=term)
            )
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("agency"):
            queryset = queryset.filter(agency_assignments__agency=data["agency"])
        if data.get("due") in ("7", "3"):
            horizon = today + datetime.timedelta(days=int(data["due"]))
            queryset = queryset.filter(sharing_date__gte=today, sharing_date__lte=horizon)
        elif data.get("due") == "past":
            queryset = queryset.filter(sharing_date__lt=today)
        sort = data.get("sort") or "sharing_date"
        if sort == "sharing_date":  # the urgency order of every "due" list
            from cases.selectors import BY_URGENCY

            return queryset.order_by(*BY_URGENCY)
        return queryset.order_by(sort, "reference")
