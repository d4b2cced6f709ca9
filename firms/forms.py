from django import forms

from core import forms as cp


class FirmForm(cp.Form):
    name = forms.CharField(max_length=200, help_text="The firm's legal or usual name, e.g. Northwind AI.")
