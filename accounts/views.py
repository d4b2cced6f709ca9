"""Doors into changing how one signs in, kept to allauth's: re-authentication first, audited."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# allauth's password form asks for the current password only; like the email and MFA pages, it
# asks for a fresh re-authentication first (which a second factor can give).
password_change = reauthentication_required(allauth_views.password_change, app="allauth.account")


@login_required
@require_GET
def email(request: HttpRequest) -> HttpResponse:
    """One's sign-in address, read-only. It takes the place of allauth's page, where a person could
    add an address that nobody had verified and make it their sign-in identity: only the program
    office changes an address (accounts.services.account_change_email)."""
    return render(request, "account/email_readonly.html")
