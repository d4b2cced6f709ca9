"""Receivers for the signals allauth and Django send about signing in, out and second factors.

These are the libraries' own hooks for events that happen inside their views, so the audit
records are written here (through ``accounts.auditing``) rather than in a service of ours.
Connected in ``AccountsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.http import HttpRequest

from accounts import auditing, services
from accounts.sessions import mark_session_client, mark_session_started
from audit.actions import AuditAction


def _methods(request: HttpRequest, user: Any) -> list[str]:
    methods = []
    for record in get_authentication_records(request, user):
        method = str(record.get("method", ""))
        if record.get("type"):
            method = f"{method}:{record['type']}"
        methods.append(method)
    return methods


def on_session_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # Django's signal: every login, including the test client's force_login, starts the clock.
    if request is not None and hasattr(request, "session"):
        mark_session_started(request.session)
        mark_session_client(request)


def on_allauth_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # allauth's signal: sent once every sign-in stage (password, second factor) is passed.
    auditing.record_login(user=user, methods=_methods(request, user))


def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "checkpoint_session_end_reason", None)
    if reason:
        auditing.record_session_ended(user_id=user.pk, reason=reason, user=user)
    else:
        auditing.record_logout(user=user)


def on_authenticator_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs
) -> None:
    auditing.record_authenticator_added(user=user, authenticator=authenticator)


def on_authenticator_removed(sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs):
    auditing.record_authenticator_removed(user=user, authenticator=authenticator)


def on_authenticator_reset(sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        auditing.record_recovery_codes_regenerated(user=user, authenticator=authenticator)


def on_authenticator_used(sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        auditing.record_recovery_code_used(
            user=user, authenticator=authenticator, reauthenticated=bool(kwargs.get("reauthenticated"))
        )


def on_mfa_failed(sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs) -> None:
    auditing.record_mfa_failed(user=user, reauthentication=bool(kwargs.get("reauthentication")))


def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    auditing.record_password_changed(user=user, how="changed")
    # Django would refuse the other sessions at their next request (the password hash they carry
    # is stale); end them now, so that the person's list of sessions says so at once.
    services.sessions_end_others(actor=user, current_session_key=request.session.session_key)


def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # The reset link reached the account's own address: that proves the address, and allauth
    # will not let anyone enrol a second factor while an address of theirs is unverified.
    EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=False).update(verified=True)
    auditing.record_password_changed(user=user, how="reset")
    services.sessions_end_others(actor=user, current_session_key=None)


def on_email_added(sender: Any, request: HttpRequest, user: Any, email_address: EmailAddress, **kwargs) -> None:
    auditing.record_email_event(user=user, action=AuditAction.AUTH_EMAIL_ADDED, data={"email": email_address.email})


def on_email_removed(sender: Any, request: HttpRequest, user: Any, email_address: EmailAddress, **kwargs) -> None:
    auditing.record_email_event(user=user, action=AuditAction.AUTH_EMAIL_REMOVED, data={"email": email_address.email})


def on_email_changed(sender: Any, request: HttpRequest, user: Any, from_email_address, to_email_address, **kwargs):
    auditing.record_email_event(
        user=user,
        action=AuditAction.AUTH_EMAIL_CHANGED,
        data={
            "from": from_email_address.email if from_email_address else "",
            "to": to_email_address.email,
        },
    )


def connect() -> None:
    connections = [
        (auth_signals.user_logged_in, on_session_login),
        (account_signals.user_logged_in, on_allauth_login),
        (auth_signals.user_logged_out, on_logout),
        (mfa_signals.authenticator_added, on_authenticator_added),
        (mfa_signals.authenticator_removed, on_authenticator_removed),
        (mfa_signals.authenticator_reset, on_authenticator_reset),
        (mfa_signals.authenticator_used, on_authenticator_used),
        (mfa_signals.authentication_failed, on_mfa_failed),
        (account_signals.password_changed, on_password_changed),
        (account_signals.password_reset, on_password_reset),
        (account_signals.email_added, on_email_added),
        (account_signals.email_removed, on_email_removed),
        (account_signals.email_changed, on_email_changed),
    ]
    for signal, receiver in connections:
        signal.connect(receiver, dispatch_uid=f"checkpoint.accounts.{receiver.__name__}")
