from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from ops.services import mfa_key_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored TOTP secret and recovery-code seed with the first MFA_ENCRYPTION_KEY. "
        "Rotate by setting MFA_ENCRYPTION_KEY=new,old on every process, running this, then removing old."
    )

    def handle(self, *args, **options) -> None:
        try:
            count = mfa_key_rotate()
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{count} second-factor secrets re-encrypted with the first key."))
