"""The sign-in backend: allauth's, except that a deactivated account looks like a wrong password."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Subquery

from accounts.sessions import SECOND_FACTOR_ATTRIBUTE, SECOND_FACTOR_TYPES
from core.permissions import GROUP_IDS_ATTRIBUTE

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
        """The signed-in person of a request, with their one organisation, the ids of their groups
        and whether they have a second factor, in the same query: every page's header, menu and
        rules ask for them (``accounts.roles``, ``core.permissions``, ``accounts.middleware``)."""
        model = get_user_model()
        groups = model.groups.through.objects.filter(user_id=OuterRef("pk")).order_by("group_id").values("group_id")
        manager = model._default_manager
        try:
            user = (
                manager.select_related("firm_membership__firm", "agency_membership__agency__group")
                .annotate(
                    group_1=Subquery(groups[:1]),
                    group_2=Subquery(groups[1:2]),
                    group_3=Subquery(groups[2:3]),
                    second_factor=Exists(
                        Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTOR_TYPES)
                    ),
                )
                .get(pk=user_id)
            )
        except (ObjectDoesNotExist, ValueError, TypeError):
            return None
        if user.group_3 is None:  # two groups at most (a person has one organisation): all known
            setattr(user, GROUP_IDS_ATTRIBUTE, [g for g in (user.group_1, user.group_2) if g is not None])
        setattr(user, SECOND_FACTOR_ATTRIBUTE, user.second_factor)
        return user if self.user_can_authenticate(user) else None

    @classmethod
    def _stash_user(cls, user: Any) -> Any:
        inactive_match.set(user)
        return None
