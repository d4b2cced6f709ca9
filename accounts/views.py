"""Doors into changing how one signs in, kept to allauth's: re-authentication first, audited."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET

from accounts import selectors, services

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


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """One's own signed-in sessions, and "sign out everywhere else" (this session stays)."""
    current = request.session.session_key
    if request.method == "POST":
        ended = services.sessions_end_others(actor=request.user, current_session_key=current)
        if ended:
            messages.success(
                request, f"Signed out of {ended} other session{pluralize(ended)}. This one stays signed in."
            )
        else:
            messages.info(request, "You had no other session: nothing was signed out.")
        return redirect("account_sessions")
    rows = selectors.sessions_of(request.user, current_session_key=current)
    context = {
        "sessions": rows,
        "others": sum(not row.is_current for row in rows),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT_SECONDS // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS // 3600,
    }
    return render(request, "account/sessions.html", context)
