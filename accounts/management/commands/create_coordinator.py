"""Bootstrap a deployment: the first program coordinator, who then invites everyone else."""

from __future__ import annotations

from urllib.parse import quote

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.services import coordinator_appoint
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a program coordinator account (the operator's bootstrap: invitations need a coordinator) "
        "and print a one-time link where they set their password; they enrol MFA at first sign-in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="The person's full name.")

    def handle(self, *args, **options) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except Exception as error:
            raise CommandError(f"{email!r} is not an email address.") from error
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account for {email} already exists; coordinators invite further coordinators.")
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, full_name=options["name"].strip())
                user.set_unusable_password()
                user.save(update_fields=["password"])
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                coordinator_appoint(user=user, actor=None)
        except DomainError as error:
            raise CommandError(error.message) from error
        key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        link = settings.SITE_URL + path.replace("UID-KEY", quote(key))
        self.stdout.write(self.style.SUCCESS(f"Program coordinator {email} created."))
        self.stdout.write(
            f"Send them this one-time link to set their password (it expires like a password reset):\n{link}"
        )
