from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Identified by email; belongs to exactly one organisation.

    The organisation is a firm (FirmMembership), an agency (AgencyMembership) or the program
    office (``is_staff``: a program coordinator).
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "program coordinator",
        default=False,
        help_text="Program office staff: triage, firms, agencies, invitations, the audit log.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_coordinator(self) -> bool:
        from accounts.roles import is_coordinator

        return is_coordinator(self)


class SignedInSession(AbstractBaseSession):
    """A session (Django's database session with one more column): the account it is signed in as,
    so that "your sessions" and "sign out everywhere else" are one indexed query, and a session
    keeps its owner when its key changes (sign-in, password change). Written by
    ``accounts.session_store.SessionStore``, the portal's ``SESSION_ENGINE``."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="signed_in_sessions")

    class Meta:
        verbose_name = "session"
        db_table = "accounts_signed_in_session"

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from accounts.session_store import SessionStore

        return SessionStore
