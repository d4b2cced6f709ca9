from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from audit.models import AuditEvent
from invitations.models import Invitation
from invitations.services import invitation_create

NEWCOMER = "newcomer@example.test"
STRONG_PASSWORD = "lantern-orchid-basalt-41"


@pytest.fixture
def invite(django_capture_on_commit_callbacks) -> Callable[..., tuple[Invitation, str]]:
    """Send an invitation as the service does, running its after-commit email."""

    def _invite(actor: User, email: str = NEWCOMER, **target: Any) -> tuple[Invitation, str]:
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_create(email=email, actor=actor, **target)

    return _invite


def actions(*names: str) -> list[str]:
    """The audit actions recorded so far, in order, among ``names`` (all when none given)."""
    rows = AuditEvent.objects.order_by("id").values_list("action", flat=True)
    return [action for action in rows if not names or action in names]
