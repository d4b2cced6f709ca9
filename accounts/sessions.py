"""What a signed-in session carries beyond Django's: when it began, when it was last used, and
whether it passed a second factor (allauth's own record of the authentication steps taken)."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from accounts import auditing
from audit.context import client_ip

STARTED_AT_KEY = "checkpoint_session_started_at"
SEEN_AT_KEY = "checkpoint_session_seen_at"
# How often the last-seen time is written: not on every request, so that reading pages writes no
# session row (SessionTimeoutMiddleware).
SEEN_AT_RESOLUTION_SECONDS = 60
# Where and with what a session signed in, for the person's own list of their sessions.
CLIENT_KEY = "checkpoint_session_client"
API_PREFIX = "/api/"
# The second factors that let a person sign in; recovery codes only stand in for them.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def mark_session_started(session: Any, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[STARTED_AT_KEY] = now
    session[SEEN_AT_KEY] = now


_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """ "Firefox on Windows" from a User-Agent header; "Unknown browser" when it names neither."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def mark_session_client(request: HttpRequest) -> None:
    request.session[CLIENT_KEY] = {
        "ip": client_ip(request) or "",
        "browser": describe_browser(request.META.get("HTTP_USER_AGENT", "")),
    }


# Set on the signed-in user of a request by the sign-in backend (``accounts.backends``), read with
# the user in the same statement: whether they have a second factor.
SECOND_FACTOR_ATTRIBUTE = "checkpoint_has_second_factor"


def has_second_factor(user: Any) -> bool:
    known = getattr(user, SECOND_FACTOR_ATTRIBUTE, None)
    if known is not None:  # read with the user at the start of this request
        return bool(known)
    return is_mfa_enabled(user, SECOND_FACTOR_TYPES)


def session_passed_mfa(request: HttpRequest, user: Any) -> bool:
    """True once this session has verified a second factor of ``user`` (at sign-in, in a
    re-authentication, or by proving a new authenticator while enrolling it)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def mark_session_mfa(request: HttpRequest, *, user: Any, authenticator: Authenticator, **extra: Any) -> None:
    """Record in the session, as allauth's sign-in does, that ``authenticator`` was verified."""
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, **extra)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def end_session(request: HttpRequest, *, reason: str, message: str) -> HttpResponse:
    """Sign the session out (audited with ``reason``) and send the person to the sign-in page."""
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        # The user_logged_out receiver words the audit record from this reason.
        request.checkpoint_session_end_reason = reason  # type: ignore[attr-defined]
        logout(request)
    else:
        user_id = request.session.get(SESSION_KEY)
        request.session.flush()
        auditing.record_session_ended(user_id=user_id, reason=reason)
    if is_api_request(request):
        return JsonResponse({"detail": message}, status=401)
    messages.info(request, message)
    login_url = reverse("account_login")
    if request.method == "GET":
        login_url = f"{login_url}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(login_url)
    return HttpResponseRedirect(login_url)


def timeout_reason(session: Any, *, now: float) -> str | None:
    """Why this session is over, or None while it is alive."""
    started = session.get(STARTED_AT_KEY)
    seen = session.get(SEEN_AT_KEY)
    if started is None or seen is None:
        return None
    if now - started >= settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
        return "absolute_timeout"
    if now - seen >= settings.SESSION_IDLE_TIMEOUT_SECONDS:
        return "idle_timeout"
    return None
