"""The portal's own copy of Django's select template (templates/django/forms/widgets/select.html,
the option written in place instead of included once per option) writes what Django's writes."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from core.forms import USWDSRenderer

CHOICES = [("", "Any state"), ("Open", [("draft", "Draft <b>"), ("in_review", "In review")]), ("closed", "Closed")]


def test_the_portal_renders_selects_with_its_own_copy():
    origin = USWDSRenderer().get_template("django/forms/widgets/select.html").origin.name
    assert origin.endswith("templates/django/forms/widgets/select.html")
    assert "site-packages" not in origin


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
