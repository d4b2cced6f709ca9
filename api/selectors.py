"""Reads of tokens and webhooks: a person sees their own tokens, a coordinator every live one; a
firm admin sees the firm's webhooks and their deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.roles import firm_membership, is_coordinator
from api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from core.permissions import refuse_access


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def live_tokens() -> QuerySet[ApiToken]:
    """Every token that still works (the coordinators' page)."""
    return (
        ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


def get_token_for(user: Any, pk: Any) -> ApiToken:
    """A token of ``user``'s own, or any token for a coordinator; 404 otherwise."""
    tokens = ApiToken.objects.select_related("user")
    if not is_coordinator(user):
        tokens = tokens.filter(user_id=user.pk)
    try:
        return tokens.get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise refuse_access(user, "api.token", pk) from None


def webhooks_for(user: Any) -> QuerySet[WebhookEndpoint]:
    """The webhook endpoints of a firm admin's firm (nothing for anyone else)."""
    membership = firm_membership(user)
    if membership is None or not membership.is_admin:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(firm_id=membership.firm_id, removed_at__isnull=True).order_by("pk")


def get_webhook_for(user: Any, pk: Any) -> WebhookEndpoint:
    try:
        return webhooks_for(user).get(pk=pk)
    except (WebhookEndpoint.DoesNotExist, ValueError, TypeError):
        raise refuse_access(user, "api.webhook", pk) from None


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-pk")
