"""Personal access tokens and the firms' webhook endpoints: every change here is audited."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import firm_membership
from api import policy
from api.models import ApiToken, TokenScope, WebhookDelivery, WebhookEndpoint
from audit.actions import AuditAction
from audit.services import audit_record, audit_refusal
from core.errors import DomainError
from core.locking import lock_and_refresh
from core.policy import require

TOKEN_PREFIX = "cp_"  # noqa: S105 (the visible start of every token, not a secret)
NAME_MAX = 100
URL_MAX = 500


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """(prefix, raw token): ``cp_<8 hex>_<43 url-safe characters>``; the prefix names it."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def token_create(*, actor: User, name: str, scope: str, days: int, passed_mfa: bool) -> tuple[ApiToken, str]:
    """Make a token for ``actor``; returns it with the raw token, which is shown once and never
    stored (only its sha256 is)."""
    require(policy.token_create_refusal(actor, passed_mfa=passed_mfa))
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Name the token (what it is for, e.g. 'release pipeline').", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"A token name is at most {NAME_MAX} characters.", field="name")
    if scope not in TokenScope.values:
        raise DomainError("Choose the token's scope: read, or read and write.", field="scope")
    maximum = int(settings.API_TOKEN_MAX_DAYS)
    if not 1 <= days <= maximum:
        raise DomainError(f"A token lasts from 1 to {maximum} days.", field="days")
    prefix, raw = _new_token()
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=prefix,
        key_hash=token_hash(raw),
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action=AuditAction.API_TOKEN_CREATED,
        target=token,
        data={"prefix": prefix, "name": name, "scope": scope, "expires_at": token.expires_at},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    token = lock_and_refresh(token)
    require(policy.token_revoke_refusal(actor, token))
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action=AuditAction.API_TOKEN_REVOKED,
        target=token,
        data={"prefix": token.prefix, "owner": token.user_id},
    )
    return token


def token_refusal_record(*, token: ApiToken | None, reason: str, presented_prefix: str = "") -> None:
    """A presented token was refused: audited with its owner when the token is known; an unknown
    one counts as a refused access of whoever sent it (tallied per minute, so a scanner cannot
    flood the log)."""
    if token is None:
        audit_refusal(actor=None, data={"permission": "api.token", "object_id": presented_prefix[:16]})
        return
    audit_record(
        actor=token.user,
        action=AuditAction.API_TOKEN_REFUSED,
        target=token,
        data={"prefix": token.prefix, "reason": reason},
    )


def token_authenticate(raw: str) -> ApiToken:
    """The live token ``raw`` names, its last use recorded; raises DomainError (audited) when it is
    unknown, revoked, expired, or its person deactivated."""
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw)).first()
    if token is None:
        prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0] if raw.startswith(TOKEN_PREFIX) else ""
        token_refusal_record(token=None, reason="unknown", presented_prefix=prefix)
        raise DomainError("Invalid API token.", code="unknown")
    refusal = policy.token_use_refusal(token)
    if refusal is not None:
        token_refusal_record(token=token, reason=refusal.code)
        raise DomainError(str(refusal), code=refusal.code)
    now = timezone.now()
    # Recorded at most once a minute per token: a busy client does not write on every request.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_scope_check(*, token: ApiToken, writes: bool) -> None:
    """Refuse (audited) a change made with a read-only token."""
    refusal = policy.token_scope_refusal(token, writes=writes)
    if refusal is not None:
        token_refusal_record(token=token, reason="scope")
        require(refusal)


# --- webhooks ------------------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > URL_MAX:
        raise DomainError(f"A webhook address is at most {URL_MAX} characters.", field="url")
    if parts.scheme != "https" or not parts.hostname:
        raise DomainError("A webhook address must be an https:// URL.", field="url")
    if parts.username or parts.password:
        raise DomainError("Put no credentials in the address: verify the signature instead.", field="url")
    return url


@transaction.atomic
def webhook_endpoint_add(*, actor: User, url: str, description: str = "") -> tuple[WebhookEndpoint, str]:
    """A firm admin registers an HTTPS endpoint; returns it with its signing secret (shown once)."""
    require(policy.webhook_manage_refusal(actor))
    membership = firm_membership(actor)
    assert membership is not None  # the policy asked
    url = _clean_url(url)
    description = " ".join((description or "").split())
    if len(description) > 200:
        raise DomainError("A description is at most 200 characters.", field="description")
    secret = secrets.token_hex(32)
    endpoint = WebhookEndpoint.objects.create(
        firm=membership.firm, url=url, description=description, secret=secret, created_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.WEBHOOK_ENDPOINT_ADDED,
        target=endpoint,
        data={"firm": membership.firm_id, "url": url},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_remove(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    endpoint = lock_and_refresh(endpoint)
    require(policy.webhook_endpoint_refusal(actor, endpoint))
    endpoint.removed_at = timezone.now()
    endpoint.save(update_fields=["removed_at"])
    endpoint.deliveries.filter(state="pending").update(state="failed", last_error="The endpoint was removed.")
    audit_record(
        actor=actor,
        action=AuditAction.WEBHOOK_ENDPOINT_REMOVED,
        target=endpoint,
        data={"firm": endpoint.firm_id, "url": endpoint.url},
    )
    return endpoint


@transaction.atomic
def webhook_test(*, endpoint: WebhookEndpoint, actor: User) -> WebhookDelivery:
    """Queue a ``ping`` event to the endpoint (the "Send a test event" button)."""
    from api.webhooks import enqueue

    require(policy.webhook_endpoint_refusal(actor, endpoint))
    event_id = f"ping-{secrets.token_hex(8)}"
    payload: dict[str, Any] = {"type": "ping", "firm": endpoint.firm_id}
    delivery: WebhookDelivery = enqueue(endpoint=endpoint, event_id=event_id, event_type="ping", payload=payload)
    audit_record(actor=actor, action=AuditAction.WEBHOOK_TEST_SENT, target=endpoint, data={"delivery": delivery.pk})
    return delivery
