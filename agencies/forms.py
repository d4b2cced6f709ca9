from django import forms

from core import forms as cp


class AgencyForm(cp.Form):
    code = forms.SlugField(max_length=20, help_text="A short code of letters and digits, e.g. nsa.")
    name = forms.CharField(max_length=200, help_text="The full name, e.g. National Security Agency.")
    short_name = forms.CharField(max_length=40, help_text="As shown in lists, e.g. NSA.")
