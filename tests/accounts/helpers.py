"""Signing test clients in the way production does: a TOTP authenticator made through allauth's
API, and a session that records the password and second-factor steps as allauth's sign-in does."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.test import Client, RequestFactory

from accounts.sessions import mark_session_mfa


def enrol_totp(user: Any) -> Authenticator:
    """The user's TOTP authenticator, made through allauth's API if they have none."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    return TOTP.activate(user, generate_totp_secret()).instance


def totp_secret(user: Any) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app would show for ``secret`` now (or at epoch seconds ``at``)."""
    import time

    from allauth.mfa import app_settings

    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD))


def sign_in(client: Client, user: Any) -> Client:
    authenticator = enrol_totp(user)
    client.force_login(user, backend="accounts.backends.AuthenticationBackend")
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    mark_session_mfa(request, user=user, authenticator=authenticator)
    request.session.save()
    return client
