"""The portal's own copies of Django's form templates write what Django's write: select.html (the
option written in place instead of included once per option) and both attrs.html (a widget's and a
label's attributes written by one tag, ``html_attrs``, instead of a loop of template nodes)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms import USWDSRenderer

CHOICES = [("", "Any state"), ("Open", [("draft", "Draft <b>"), ("in_review", "In review")]), ("closed", "Closed")]


@pytest.mark.parametrize(
    "name", ["django/forms/widgets/select.html", "django/forms/widgets/attrs.html", "django/forms/attrs.html"]
)
def test_the_portal_renders_forms_with_its_own_copies(name):
    origin = USWDSRenderer().get_template(name).origin.name
    assert origin.endswith(f"templates/{name}")
    assert "site-packages" not in origin


# Attributes of every kind a widget or a label may carry: on, off, text to escape, safe text, a
# number, a tuple (written as Python writes it, as Django's stringformat does).
ATTRS = {
    "class": "usa-input",
    "required": True,
    "disabled": False,
    "placeholder": 'Say "hi" <b>&',
    "data-safe": mark_safe("<i>kept</i>"),
    "maxlength": 200,
    "data-pair": (1, "a"),
    "aria-<odd>": "x",
}

WIDGETS = [
    forms.TextInput(attrs=ATTRS),
    forms.Textarea(attrs=ATTRS),
    forms.CheckboxInput(attrs=ATTRS),
    forms.EmailInput(attrs={"autocomplete": "email"}),
    forms.RadioSelect(choices=[("a", "A <1>"), ("b", "B")], attrs=ATTRS),
    forms.CheckboxSelectMultiple(choices=[("a", "A"), ("b", "B")]),
    forms.Select(choices=[("a", "A"), ("b", "B")], attrs=ATTRS),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", ["", "a", 'x" onmouseover="alert(1)'])
def test_a_widget_is_written_as_django_writes_it(widget, value):
    ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=USWDSRenderer())
    assert ours == widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert 'onmouseover="alert' not in ours  # the value stays one escaped attribute


def test_a_label_is_written_as_django_writes_it():
    class Form(forms.Form):
        title = forms.CharField(label="Title <of it>")

    form = Form(renderer=USWDSRenderer())
    ours = form["title"].label_tag(attrs={"class": "usa-label", "data-x": '"q"', "hidden": False})
    django_form = Form(renderer=DjangoTemplates())
    assert ours == django_form["title"].label_tag(attrs={"class": "usa-label", "data-x": '"q"', "hidden": False})
    assert 'class="usa-label"' in ours
    assert "&quot;q&quot;" in ours


@pytest.mark.parametrize("value", ["", "in_review", "closed", "unknown"])
def test_a_select_is_written_as_django_writes_it(value):
    widget = forms.Select(choices=CHOICES, attrs={"class": "usa-select", "required": True, "disabled": False})
    ours = widget.render("state", value, attrs={"id": "id_state"}, renderer=USWDSRenderer())
    djangos = widget.render("state", value, attrs={"id": "id_state"}, renderer=DjangoTemplates())
    assert ours == djangos
    assert "Draft &lt;b&gt;" in ours


def test_a_multiple_select_is_written_as_django_writes_it():
    widget = forms.SelectMultiple(choices=CHOICES)
    ours = widget.render("states", ["draft", "closed"], renderer=USWDSRenderer())
    assert ours == widget.render("states", ["draft", "closed"], renderer=DjangoTemplates())
    assert ours.count(" selected") == 2
