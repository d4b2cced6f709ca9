"""manage.py rotate_mfa_key: every stored second-factor secret re-encrypted with the newest key."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from audit.actions import AuditAction
from audit.models import AuditEvent
from tests import builders

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))


def test_rotation_lets_the_old_key_go(settings, alex, coordinator):
    settings.MFA_ENCRYPTION_KEYS = [OLD]
    builders.enrol_totp(alex)
    RecoveryCodes.activate(alex)
    secret = builders.totp_secret(alex)
    codes = RecoveryCodes(Authenticator.objects.get(user=alex, type="recovery_codes")).get_unused_codes()

    settings.MFA_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_mfa_key")

    settings.MFA_ENCRYPTION_KEYS = [NEW]  # the old key is gone from every process
    assert builders.totp_secret(alex) == secret
    assert RecoveryCodes(Authenticator.objects.get(user=alex, type="recovery_codes")).get_unused_codes() == codes
    event = AuditEvent.objects.filter(action=AuditAction.MFA_KEY_ROTATED).get()
    assert event.data == {"secrets": 2}


def test_a_secret_no_listed_key_opens_changes_nothing(settings, alex):
    settings.MFA_ENCRYPTION_KEYS = [STRANGER]
    builders.enrol_totp(alex)
    before = list(Authenticator.objects.values_list("data", flat=True))
    settings.MFA_ENCRYPTION_KEYS = [NEW, OLD]
    with pytest.raises(CommandError, match="cannot be decrypted with any MFA_ENCRYPTION_KEY listed"):
        call_command("rotate_mfa_key")
    assert list(Authenticator.objects.values_list("data", flat=True)) == before
    assert not AuditEvent.objects.filter(action=AuditAction.MFA_KEY_ROTATED).exists()
