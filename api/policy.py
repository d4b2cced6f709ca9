"""Who may create, use and revoke API tokens, and who registers a firm's webhooks: one rule each.

A token acts exactly as its person, so every action through the API asks the same rules as the
pages (``cases.policy``, ``findings.policy``, ...); these rules are about the tokens themselves.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accounts.roles import firm_membership, is_coordinator
from api.models import ApiToken, WebhookEndpoint
from core.policy import Refusal, forbidden


def token_create_refusal(actor: Any, *, passed_mfa: bool) -> Refusal | None:
    """A token is made only in a session that verified the person's second factor: a stolen
    password alone must not mint a credential that outlives the session."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return forbidden("Sign in to create an API token.")
    if not passed_mfa:
        return Refusal(
            "Creating an API token needs a sign-in with your second factor. Set one up under Account "
            "security, sign out, and sign in again with it."
        )
    return None


def token_revoke_refusal(actor: Any, token: ApiToken) -> Refusal | None:
    """Its owner or a program coordinator revokes a token."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return forbidden("Sign in to revoke an API token.")
    if token.user_id != actor.pk and not is_coordinator(actor):
        return forbidden("Only the token's owner or a program coordinator can revoke it.")
    if token.revoked_at is not None:
        return Refusal("This token is already revoked.")
    return None


def token_use_refusal(token: ApiToken, *, now: datetime.datetime | None = None) -> Refusal | None:
    """Why a presented token does not authenticate (None: it does)."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return Refusal("This API token was revoked.", "revoked")
    if token.expires_at <= now:
        return Refusal("This API token has expired. Create a new one in the portal.", "expired")
    if not token.user.is_active:
        return Refusal("The account of this API token is deactivated.", "inactive")
    return None


def token_scope_refusal(token: ApiToken, *, writes: bool) -> Refusal | None:
    if writes and not token.can_write:
        return forbidden("This API token is read-only: create a token with the write scope to make changes.")
    return None


def webhook_manage_refusal(actor: Any) -> Refusal | None:
    """A firm admin registers and removes the firm's webhook endpoints."""
    membership = firm_membership(actor)
    if membership is None or not membership.is_admin:
        return forbidden("Only a firm admin manages the firm's webhooks.")
    return None


def webhook_endpoint_refusal(actor: Any, endpoint: WebhookEndpoint) -> Refusal | None:
    if refusal := webhook_manage_refusal(actor):
        return refusal
    membership = firm_membership(actor)
    if membership is None or membership.firm_id != endpoint.firm_id:
        return forbidden("Only a firm admin of its firm manages this webhook.")
    if endpoint.removed_at is not None:
        return Refusal("This webhook was removed.")
    return None
