"""The operator's state changes."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction

from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError

# The fields of allauth's authenticators that hold encrypted text (TOTP secret, recovery-code seed).
ENCRYPTED_FIELDS = ("secret", "seed")


def mfa_key_rotate(*, actor: Any | None = None) -> int:
    """Re-encrypt every stored second-factor secret with the first MFA_ENCRYPTION_KEY, so that the
    older keys listed after it can be removed. One transaction: a secret no listed key decrypts
    changes nothing and names the authenticator. Returns the number of secrets re-encrypted."""
    fernet = MultiFernet([Fernet(key) for key in settings.MFA_ENCRYPTION_KEYS])
    rotated = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
            data = dict(authenticator.data)
            changed = False
            for field in ENCRYPTED_FIELDS:
                if isinstance(data.get(field), str):
                    try:
                        data[field] = fernet.rotate(data[field].encode("ascii")).decode("ascii")
                    except InvalidToken:
                        raise DomainError(
                            f"Authenticator {authenticator.pk} cannot be decrypted with any MFA_ENCRYPTION_KEY "
                            "listed: keep the key it was encrypted with in the list. Nothing was changed."
                        ) from None
                    changed = True
                    rotated += 1
            if changed:
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
        audit_record(actor=actor, action=AuditAction.MFA_KEY_ROTATED, data={"secrets": rotated})
    return rotated
