"""The audit records of signing in and out, sessions and second factors.

allauth and Django announce these events through signals and adapter hooks (``accounts.receivers``,
``accounts.adapters``, ``accounts.middleware``); this module is the one place that words them.
``data`` never holds a password, a code or a secret.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record

# Longer input than an email address can be is cut, so that a hostile form cannot bloat the log.
_EMAIL_MAX = 254


def attempted_email(credentials: dict[str, Any]) -> str:
    """The email an anonymous sign-in attempt named, lower-cased. Never the password."""
    value = credentials.get("email") or credentials.get("username") or ""
    return str(value).strip().lower()[:_EMAIL_MAX]


def record_login(*, user: User, methods: list[str]) -> None:
    audit_record(actor=user, action=AuditAction.AUTH_LOGIN, target=user, data={"email": user.email, "methods": methods})


def record_login_failed(*, email: str, reason: str, user: User | None = None) -> None:
    """A refused sign-in. The actor is unknown (None): whoever tried has not proven who they are."""
    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    audit_record(actor=None, action=AuditAction.AUTH_LOGIN_FAILED, target=user, data={"email": email, "reason": reason})


def record_reauthentication_failed(*, user: User, method: str) -> None:
    audit_record(actor=user, action=AuditAction.AUTH_REAUTHENTICATION_FAILED, target=user, data={"method": method})


def record_logout(*, user: User) -> None:
    audit_record(actor=user, action=AuditAction.AUTH_LOGOUT, target=user, data={"email": user.email})


def record_session_ended(*, user_id: Any, reason: str, user: User | None = None) -> None:
    """The portal ended a session on its own: timeout, deactivated account, missing second factor."""
    audit_record(
        actor=None,
        action=AuditAction.AUTH_SESSION_ENDED,
        target=user,
        data={"reason": reason, "user_id": str(user_id)},
    )


def _authenticator_data(authenticator: Authenticator) -> dict[str, Any]:
    data: dict[str, Any] = {"type": authenticator.type}
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        data["name"] = authenticator.wrap().name
    return data


def record_authenticator_added(*, user: User, authenticator: Authenticator) -> None:
    audit_record(
        actor=user,
        action=AuditAction.MFA_AUTHENTICATOR_ADDED,
        target=authenticator,
        data=_authenticator_data(authenticator),
    )


def record_authenticator_removed(*, user: User, authenticator: Authenticator) -> None:
    # The row is gone (and has lost its id): the event points at the user.
    audit_record(
        actor=user, action=AuditAction.MFA_AUTHENTICATOR_REMOVED, target=user, data=_authenticator_data(authenticator)
    )


def record_recovery_codes_regenerated(*, user: User, authenticator: Authenticator) -> None:
    audit_record(actor=user, action=AuditAction.MFA_RECOVERY_CODES_REGENERATED, target=authenticator, data={})


def record_recovery_code_used(*, user: User, authenticator: Authenticator, reauthenticated: bool) -> None:
    # The instance allauth passes predates its own locked re-read that marked the code used.
    unused = len(Authenticator.objects.get(pk=authenticator.pk).wrap().get_unused_codes())
    audit_record(
        actor=user,
        action=AuditAction.MFA_RECOVERY_CODE_USED,
        target=authenticator,
        data={"email": user.email, "unused_codes": unused, "reauthentication": reauthenticated},
    )


def record_mfa_failed(*, user: User, reauthentication: bool) -> None:
    if reauthentication:
        record_reauthentication_failed(user=user, method="mfa")
    else:
        record_login_failed(email=user.email.lower(), reason="mfa_code", user=user)


_PASSWORD_ACTIONS = {"changed": AuditAction.AUTH_PASSWORD_CHANGED, "reset": AuditAction.AUTH_PASSWORD_RESET}


def record_password_changed(*, user: User, how: str) -> None:
    audit_record(actor=user, action=_PASSWORD_ACTIONS[how], target=user, data={"email": user.email})


def record_email_event(*, user: User, action: AuditAction, data: dict[str, Any]) -> None:
    audit_record(actor=user, action=action, target=user, data=data)
