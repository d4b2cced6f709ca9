"""allauth adapters: invitation-only accounts, audited sign-in failures, encrypted MFA secrets."""

from __future__ import annotations

import functools
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts import auditing
from accounts.backends import inactive_match

# One audit row per attempted email while the rate limit holds it, not one per refused attempt:
# a brute-force run must not be able to flood the audit log.
_RATE_LIMIT_AUDIT_SECONDS = 5 * 60


def _is_signed_in(request: HttpRequest | None) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are invitation-only: nobody signs themselves up. Failed sign-ins are audited."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The portal's own templates (templates/account/email/) name the portal by SITE_URL, not
        # by the Host header of whoever asked; notices sent after commit may have no request.
        self.render_mail(template_prefix, email, {"email": email, "site_url": settings.SITE_URL, **context}).send()

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            email = auditing.attempted_email(credentials)
            if not _is_signed_in(request):
                if cache.add(f"checkpoint:audit:login-rate-limited:{email}", 1, timeout=_RATE_LIMIT_AUDIT_SECONDS):
                    auditing.record_login_failed(email=email, reason="rate_limited")
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth calls this for the sign-in form and for password re-authentication alike.
        if _is_signed_in(request):
            auditing.record_reauthentication_failed(user=request.user, method="password")  # type: ignore[arg-type]
        elif (user := inactive_match.get()) is not None:
            # The password was right but the account is deactivated: the person is told no more
            # than for a wrong password (accounts.backends); the log says why.
            auditing.record_login_failed(email=user.email.lower(), reason="inactive", user=user)
        else:
            auditing.record_login_failed(email=auditing.attempted_email(credentials), reason="password")


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _mfa_fernet() -> MultiFernet:
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS))


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted at rest with MFA_ENCRYPTION_KEY (Fernet)."""

    def encrypt(self, text: str) -> str:
        return _mfa_fernet().encrypt(text.encode()).decode("ascii")

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _mfa_fernet().decrypt(encrypted_text.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise RuntimeError(
                "A stored two-factor secret cannot be decrypted with MFA_ENCRYPTION_KEY: the key was changed "
                "without keeping the old one (list old keys after the new one, comma-separated)."
            ) from exc
