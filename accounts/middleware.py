"""Session lifetime and mandatory two-factor authentication, enforced on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.sessions import (
    SECOND_FACTOR_TYPES,
    SEEN_AT_KEY,
    SEEN_AT_RESOLUTION_SECONDS,
    STARTED_AT_KEY,
    end_session,
    has_second_factor,
    is_api_request,
    mark_session_mfa,
    mark_session_started,
    session_passed_mfa,
    timeout_reason,
)

_ENDED_MESSAGES = {
    "idle_timeout": "You were signed out after {minutes} minutes without activity. Sign in again to continue.",
    "absolute_timeout": "You were signed out because your session reached its {hours}-hour limit. Sign in again.",
    "account_unavailable": "Your session has ended. Sign in again to continue.",
    "mfa_missing": "Your session has ended. Sign in again with your password and your second factor.",
}


def _ended_message(reason: str) -> str:
    return _ENDED_MESSAGES[reason].format(
        minutes=settings.SESSION_IDLE_TIMEOUT_SECONDS // 60,
        hours=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS // 3600,
    )


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT_SECONDS without a request, or
    SESSION_ABSOLUTE_TIMEOUT_SECONDS after sign-in, and a session whose account was deactivated."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._check(request)
        if response is not None:
            return response
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        if not request.user.is_authenticated:
            if session.get(SESSION_KEY) is not None:
                # Signed in once, but the account is deactivated or gone: end the session now.
                return end_session(request, reason="account_unavailable", message=_ended_message("account_unavailable"))
            return None
        now = time.time()
        reason = timeout_reason(session, now=now)
        if reason is not None:
            return end_session(request, reason=reason, message=_ended_message(reason))
        if session.get(STARTED_AT_KEY) is None:
            mark_session_started(session, now=now)
        elif now - session.get(SEEN_AT_KEY, 0) >= SEEN_AT_RESOLUTION_SECONDS:
            # The last-seen time moves at most once a minute: a request within the minute writes
            # no session row (an idle session may end up to a minute early, never late).
            session[SEEN_AT_KEY] = now
        return None


# What a signed-in person without a second factor may still reach: enrolment, the
# re-authentication that enrolment asks for, and signing out. Static files never get here.
ENROLMENT_URL_NAMES = frozenset(
    {"mfa_index", "mfa_activate_totp", "mfa_add_webauthn", "account_reauthenticate", "account_logout"}
)

# The enrolment pages that add a second factor when posted a valid code or key.
_ADDING_URL_NAMES = frozenset({"mfa_activate_totp", "mfa_add_webauthn"})


class MFARequiredMiddleware:
    """Every account must use a second factor (settings.CHECKPOINT_REQUIRE_MFA).

    A signed-in person who has not enrolled one is sent to enrolment (HTML) or refused with 403
    (``/api/``); a session that signed in without passing its second factor is ended.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "checkpoint_mfa_enrolling", False):
            self._mark_enrolled_session(request)
        return response

    @staticmethod
    def _mark_enrolled_session(request: HttpRequest) -> None:
        # The person had no second factor when this request began and proved a new one (a valid
        # code from the new app, or the new key) in it: this session has passed a second factor,
        # as a sign-in with it would have. Only this session: others signed in with the password
        # alone are ended by process_view on their next request.
        user = request.user
        if not user.is_authenticated:
            return
        authenticator = (
            Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).order_by("-created_at", "-pk").first()
        )
        if authenticator is not None:
            mark_session_mfa(request, user=user, authenticator=authenticator, enrolled=True)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.CHECKPOINT_REQUIRE_MFA or not request.user.is_authenticated:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        user = request.user
        if has_second_factor(user):
            if session_passed_mfa(request, user):
                return None
            return end_session(request, reason="mfa_missing", message=_ended_message("mfa_missing"))
        match = request.resolver_match
        if match is not None and not match.namespace and match.url_name in ENROLMENT_URL_NAMES:
            if request.method == "POST" and match.url_name in _ADDING_URL_NAMES:
                request.checkpoint_mfa_enrolling = True  # type: ignore[attr-defined]
            return None
        if is_api_request(request):
            return JsonResponse(
                {"detail": "Two-factor authentication is required. Set it up in the portal before using the API."},
                status=403,
            )
        enrol_url = reverse("mfa_index")
        if request.method == "GET" and not getattr(request, "htmx", False):
            messages.warning(
                request, "Set up two-factor authentication to continue: every Checkpoint account needs it."
            )
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(enrol_url)
        return HttpResponseRedirect(enrol_url)
