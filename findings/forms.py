"""Forms for findings, firm responses and comments. They validate shape; services validate rules."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.roles import firm_membership, is_supervisor
from cases.forms import DateInput
from core import forms as cp
from core.models import Visibility
from documents.models import DocumentKind
from documents.policy import FIRM_ONLY_KINDS
from findings.models import Category, FindingState, ResponseChoice, Severity, TargetKind


class FindingForm(cp.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    # No choice is made for the reviewer: an unconsidered default would read as a judgement.
    category = forms.ChoiceField(choices=[("", "Choose a category"), *Category.choices])
    severity = forms.ChoiceField(choices=[("", "Choose a severity"), *Severity.choices])
    target_kind = forms.ChoiceField(choices=TargetKind.choices, widget=forms.RadioSelect, label="Target")
    target_component = forms.CharField(
        max_length=200,
        required=False,
        label="Safeguard component",
        help_text="When the target is a safeguard: the classifier, filter or access system concerned.",
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text="A draft is seen by your agency alone. Releasing beyond your agency takes a supervisor "
        "other than the author.",
    )
    response_due = forms.DateField(
        widget=DateInput(), required=False, help_text="When the firm's response is due (firm-visible findings)."
    )
    related_versions = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Related document versions"
    )
    configuration = forms.ModelChoiceField(
        queryset=None,
        label="Tested configuration",
        help_text="The configuration (snapshot, safeguards, access) the finding was made on.",
    )

    def __init__(self, *args: Any, versions: Any, configurations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["configuration"].queryset = configurations
        self.fields["configuration"].label_from_instance = lambda c: f"{c} — {c.snapshot}, {c.variant_label}"
        self.fields["related_versions"].queryset = versions
        self.fields["related_versions"].label_from_instance = lambda v: f"{v.document.title}, version {v.number}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("target_kind") == TargetKind.SAFEGUARD and not (data.get("target_component") or "").strip():
            self.add_error("target_component", "Name the safeguard component this finding is about.")
        return data


class ResponseForm(cp.Form):
    choice = forms.ChoiceField(
        choices=ResponseChoice.choices,
        widget=forms.RadioSelect,
        label="Your response",
        help_text="Your answer is your own choice: the review is voluntary.",
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Explanation")
    documents = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Supporting documents"
    )

    new_document_title = forms.CharField(
        max_length=200,
        required=False,
        label="Attach a new document: its title",
        help_text="Optional. Upload a document with your response (for example, the mitigation's evaluation).",
    )
    new_document_kind = forms.ChoiceField(
        choices=[(kind, label) for kind, label in DocumentKind.choices if kind not in FIRM_ONLY_KINDS],
        initial=DocumentKind.OTHER,
        required=False,
        label="Its kind",
    )
    new_document = forms.FileField(required=False, label="Its file", allow_empty_file=True)

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = versions
        self.fields["documents"].label_from_instance = lambda v: f"{v.document.title}, version {v.number}"
        self.fields["new_document"].widget.attrs.update({"class": "usa-file-input"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_document") and not (data.get("new_document_title") or "").strip():
            self.add_error("new_document_title", "Give the attached document a title.")
        if (data.get("new_document_title") or "").strip() and not data.get("new_document"):
            self.add_error("new_document", "Choose the file to attach, or leave the title empty.")
        return data


class ReleaseForm(cp.Form):
    """Releasing to the firm asks for a confirmation: the firm reads the finding at once."""

    confirm = forms.BooleanField(required=False, label="I confirm that the firm may read this finding now.")

    def __init__(self, *args: Any, finding: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_confirmation = finding.visibility == Visibility.FIRM
        if not self.needs_confirmation:
            del self.fields["confirm"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.needs_confirmation and not data.get("confirm"):
            raise forms.ValidationError("Confirm that the firm may read this finding now: releasing cannot be undone.")
        return data


class ResolveForm(cp.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="How it was resolved",
        help_text="Its readers see this note.",
    )
    confirm = forms.BooleanField(label="I confirm that this finding is resolved.")


class ReasonForm(cp.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(cp.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CommentForm(cp.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Comment")
    visibility = forms.ChoiceField(choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.AGENCY)

    def __init__(self, *args: Any, author: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if firm_membership(author) is not None:  # A firm's comment is read by the firm and the agencies.
            del self.fields["visibility"]
        elif not is_supervisor(author):  # Telling the firm takes a supervisor (findings.services).
            field = self.fields["visibility"]
            field.choices = [choice for choice in Visibility.choices if choice[0] != Visibility.FIRM]
            field.help_text = "A comment the firm reads is written by a supervisor of your agency."

    @property
    def chosen_visibility(self) -> str:
        return self.cleaned_data.get("visibility", Visibility.FIRM)


class FindingFilterForm(cp.Form):
    q = forms.CharField(required=False, label="Search", help_text="Title or case reference.")
    state = forms.ChoiceField(choices=[("", "Any state"), *FindingState.choices], required=False)
    severity = forms.ChoiceField(choices=[("", "Any severity"), *Severity.choices], required=False)
    category = forms.ChoiceField(choices=[("", "Any category"), *Category.choices], required=False)
    sort = forms.ChoiceField(
        choices=[
            ("-created_at", "Newest first"),
            ("severity_rank", "Most severe first"),
            ("response_due", "Response due (soonest first)"),
            ("case__reference", "Case"),
        ],
        required=False,
        label="Sort by",
    )
