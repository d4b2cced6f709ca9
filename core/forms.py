"""Forms in the look of the U.S. Web Design System: every form of the portal renders through
``templates/forms/uswds.html`` (the project's form renderer), and ``USWDSFormMixin`` gives each
widget its USWDS class and marks invalid fields for assistive technology."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input
from django.utils.safestring import SafeString

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


# --- blank forms, rendered once -------------------------------------------------------------

_BLANK_HTML: dict[tuple[Any, ...], SafeString] = {}
_BLANK_HTML_LIMIT = 256


def _field_shape(form: forms.BaseForm, name: str, field: forms.Field) -> tuple[Any, ...]:
    widget = field.widget
    return (
        name,
        type(field),
        str(field.label),
        str(field.help_text),
        field.required,
        field.disabled,
        field.show_hidden_initial,
        repr(form.get_initial_for_field(field, name)),
        type(widget),
        repr(sorted((key, str(value)) for key, value in widget.attrs.items())),
        repr([(str(value), str(label)) for value, label in getattr(widget, "choices", ())]),
    )


def form_html(form: forms.BaseForm) -> SafeString:
    """The form's HTML. A blank (unbound) form's HTML is the same for every form of the same shape:
    the same class, fields, labels, help, choices, initial values and widget attributes. Pages that
    offer the same blank form on every view (the comment form of a case) render it once per
    process and shape, instead of the dozen widget templates each time; a bound form (values,
    errors) is rendered every time. Nothing of the request is in a form's HTML: the CSRF token is
    the template's."""
    if form.is_bound:
        return form.render()
    key = (
        type(form),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        form.template_name,
        type(form.renderer),
        tuple(_field_shape(form, name, field) for name, field in form.fields.items()),
    )
    html = _BLANK_HTML.get(key)
    if html is None:
        html = form.render()
        if len(_BLANK_HTML) >= _BLANK_HTML_LIMIT:  # shapes that vary without end: keep it bounded
            _BLANK_HTML.clear()
        _BLANK_HTML[key] = html
    return html
