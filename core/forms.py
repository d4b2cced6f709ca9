"""Forms in the look of the U.S. Web Design System: every form of the portal renders through
``templates/forms/uswds.html`` (the project's form renderer), and ``USWDSFormMixin`` gives each
widget its USWDS class and marks invalid fields for assistive technology."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input

_WIDGET_CLASSES: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.CheckboxSelectMultiple, "usa-checkbox__input"),
    (forms.RadioSelect, "usa-radio__input"),
    (forms.CheckboxInput, "usa-checkbox__input"),
    (forms.ClearableFileInput, "usa-file-input"),
    (forms.FileInput, "usa-file-input"),
    (forms.Select, "usa-select"),
    (forms.Textarea, "usa-textarea"),
    (Input, "usa-input"),
)


class USWDSRenderer(TemplatesSetting):
    form_template_name = "forms/uswds.html"


def widget_class(widget: forms.Widget) -> str:
    for widget_type, css in _WIDGET_CLASSES:
        if isinstance(widget, widget_type):
            return css
    return ""


def apply_uswds_classes(fields: dict[str, forms.Field]) -> None:
    """Give each field's widget its USWDS class (any form: ours, or a library's such as allauth's)."""
    for field in fields.values():
        css = widget_class(field.widget)
        if css and css not in field.widget.attrs.get("class", ""):
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()


class USWDSFormMixin:
    """Adds USWDS classes to widgets, and error classes plus aria-invalid after validation."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        apply_uswds_classes(self.fields)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                field = self.fields[name]
                widget = field.widget
                widget.attrs["aria-invalid"] = "true"
                auto_id = self[name].auto_id
                if auto_id:
                    described = [f"{auto_id}_error"] + ([f"{auto_id}_helptext"] if field.help_text else [])
                    widget.attrs["aria-describedby"] = " ".join(described)
                if isinstance(widget, Input | forms.Select | forms.Textarea) and not isinstance(
                    widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
                ):
                    base = widget.attrs.get("class", "")
                    if "usa-input--error" not in base:
                        widget.attrs["class"] = f"{base} usa-input--error".strip()


class Form(USWDSFormMixin, forms.Form):
    pass


class ModelForm(USWDSFormMixin, forms.ModelForm):
    pass
