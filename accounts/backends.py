"""The sign-in backend: allauth's, except that a deactivated account looks like a wrong password."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist

# Set when the last password check matched a deactivated account, so that the failure is audited
# once, with its real reason, while the person is told only that the sign-in failed.
inactive_match: ContextVar[Any | None] = ContextVar("checkpoint_inactive_match", default=None)


class AuthenticationBackend(AllauthBackend):
    """allauth sends a deactivated account with the right password to an "account inactive" page,
    which tells whoever typed it that the password is right. Here that sign-in fails exactly as a
    wrong password does (same form, same message); the audit log still says why."""

    def authenticate(self, request: Any, **credentials: Any) -> Any:
        inactive_match.set(None)
        return super().authenticate(request, **credentials)

    def get_user(self, user_id: Any) -> Any:
        """The signed-in person of a request, with their one organisation in the same query: every
        page's header, menu and rules ask for it (``accounts.roles``)."""
        manager = get_user_model()._default_manager
        try:
            user = manager.select_related("firm_membership__firm", "agency_membership__agency").get(pk=user_id)
        except (ObjectDoesNotExist, ValueError, TypeError):
            return None
        return user if self.user_can_authenticate(user) else None

    @classmethod
    def _stash_user(cls, user: Any) -> Any:
        inactive_match.set(user)
        return None
