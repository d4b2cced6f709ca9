"""Doors into changing how one signs in, kept to allauth's: re-authentication first, audited."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required

# allauth's password form asks for the current password only; like the email and MFA pages, it
# asks for a fresh re-authentication first (which a second factor can give).
password_change = reauthentication_required(allauth_views.password_change, app="allauth.account")
