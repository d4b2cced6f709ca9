"""The upload forms: shape only (the services decide what is allowed). The file field comes last,
so that the CSRF token and the metadata are read before the file streams in."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import USWDSFormMixin
from documents.models import DocumentKind, Marking
from documents.policy import FIRM_ONLY_KINDS


class _FileMixin:
    def add_file_field(self: Any) -> None:
        # Empty files are refused by the service (with its message and an audit record), not here.
        self.fields["file"] = forms.FileField(label="File", allow_empty_file=True, max_length=None)
        self.fields["file"].widget.attrs.update({"class": "usa-file-input"})


class DocumentForm(USWDSFormMixin, _FileMixin, forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    title = forms.CharField(max_length=200)
    marking = forms.ChoiceField(label="Handling marking", choices=Marking.choices, initial=Marking.PROPRIETARY)
    visibility = forms.ChoiceField(label="Who may read it", choices=(), widget=forms.RadioSelect)
    configuration = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Tested configuration",
        help_text="For an evaluation or red-team report: the configuration it was made on.",
    )

    def __init__(
        self,
        *args: Any,
        visibility_choices: list[tuple[str, str]],
        for_agency: bool,
        configurations: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if configurations is None:
            del self.fields["configuration"]
        else:
            self.fields["configuration"].queryset = configurations
        if visibility_choices:
            self.fields["visibility"].choices = visibility_choices
            self.fields["visibility"].initial = visibility_choices[0][0]
            self.fields[
                "visibility"
            ].help_text = (
                "A working file stays in your agency unless you share it. Showing it to the firm takes a supervisor."
            )
        else:
            del self.fields["visibility"]
        if for_agency:
            self.fields["kind"].choices = [c for c in DocumentKind.choices if c[0] not in FIRM_ONLY_KINDS]
        self.add_file_field()

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "marking": data["marking"],
            "visibility": data.get("visibility") or None,
            "configuration": data.get("configuration"),
        }


class VersionForm(USWDSFormMixin, _FileMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_file_field()


class RetractForm(USWDSFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why this version is retracted",
        help_text="Everyone who could read the document sees this reason where the version was.",
    )
    confirm = forms.BooleanField(
        label="I confirm: this version leaves every list and download. It stays in storage and in the audit log."
    )
