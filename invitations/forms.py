"""Forms validate shape; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import User
from core.forms import USWDSFormMixin
from invitations.models import InvitationKind, InvitationTarget


class InvitationForm(USWDSFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="The person's work address; the invitation link goes there.",
    )
    target = forms.ChoiceField(label="Invite as")

    def __init__(self, *args: Any, targets: list[InvitationTarget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._targets = {target.key: target for target in targets}
        groups: dict[str, list[tuple[str, str]]] = {}
        for target in targets:
            if target.kind == InvitationKind.FIRM:
                group = "Firms"
            elif target.kind == InvitationKind.AGENCY:
                group = "Agencies"
            else:
                group = "Program office"
            groups.setdefault(group, []).append((target.key, target.label))
        self.fields["target"].choices = (
            list(groups.items()) if len(targets) > 1 else [(target.key, target.label) for target in targets]
        )

    def clean_target(self) -> InvitationTarget:
        return self._targets[self.cleaned_data["target"]]

    def service_arguments(self) -> dict[str, Any]:
        target: InvitationTarget = self.cleaned_data["target"]
        return {
            "email": self.cleaned_data["email"],
            "firm": target.firm,
            "is_admin": target.is_admin,
            "agency": target.agency,
            "agency_role": target.agency_role,
            "coordinator": target.kind == InvitationKind.COORDINATOR,
        }


class AcceptInvitationForm(USWDSFormMixin, forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Type the same password again, to be sure of it.",
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_full_name(self) -> str:
        full_name = " ".join(self.cleaned_data["full_name"].split())
        if not full_name:
            raise ValidationError("Please give your full name.")
        return full_name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords are not the same.")
        elif password1:
            # An unsaved user, so that the similarity validator compares with the name and address.
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class DeactivateAccountForm(USWDSFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="Yes, deactivate this account: sign the person out everywhere and stop them signing in.",
        required=True,
        error_messages={"required": "Tick the box to confirm the deactivation."},
    )


class ChangeEmailForm(USWDSFormMixin, forms.Form):
    email = forms.EmailField(
        label="New email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="Confirm the new address with the person first: it becomes the address they sign in with.",
    )


class AccountFilterForm(USWDSFormMixin, forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        help_text="Part of an email address or a name.",
        widget=forms.TextInput(attrs={"aria-describedby": "id_q_hint"}),
    )
    role = forms.ChoiceField(required=False, label="Role")
    organisation = forms.ChoiceField(required=False, label="Organisation")
    mfa = forms.ChoiceField(
        required=False,
        label="Two-factor",
        choices=[("", "Any"), ("yes", "Set up"), ("no", "Not set up")],
    )
    status = forms.ChoiceField(
        required=False, label="Status", choices=[("", "Any"), ("active", "Active"), ("deactivated", "Deactivated")]
    )

    def __init__(self, *args: Any, roles: dict[str, str], organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Any role"), *roles.items()]
        self.fields["organisation"].choices = [("", "Any organisation"), *organisations]
