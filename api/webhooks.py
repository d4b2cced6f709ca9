"""Signed webhooks to firms: the outbox rows, their signature, and their delivery.

When a service emits an event a firm should hear of (a finding released to the firm, a closeout
decided, a case closed), ``on_event`` writes one ``WebhookDelivery`` per live endpoint of the
case's firm in the same transaction (``core.events.subscribe``), so a delivery exists exactly when
the change committed. A finding response coming due is told once per reminder the sweep claimed
(``enqueue_reminders``). After the commit a task sends it; the periodic sweep sends whatever is due
and pending (a lost task, a worker restart, a retry whose time has come).

The body carries ids and the case reference only, never a finding's or document's content: the
receiver fetches what it may read with its token. It is signed with HMAC-SHA256 over
``<timestamp>.<body>`` with the endpoint's secret (``X-Checkpoint-Signature: t=<timestamp>,v1=<hex>``).
A delivery answered 2xx is marked delivered under its row lock and is never sent again; any other
answer is retried with exponential backoff until WEBHOOK_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from api.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from core.events import EventVerb
from core.models import Visibility

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
USER_AGENT = "Checkpoint-Webhooks/1"


def _payload(verb: EventVerb, case: Any, target: models.Model | None) -> dict[str, Any] | None:
    """What a firm is told of an event, or None when the firm does not hear of it."""
    base: dict[str, Any] = {"case": {"id": case.pk, "reference": case.reference}}
    if verb == EventVerb.FINDING_RELEASED:
        if target is None or getattr(target, "visibility", None) != Visibility.FIRM:
            return None  # released within the government only: nothing the firm may read
        return {**base, "finding": {"id": target.pk}}
    if verb == EventVerb.CLOSEOUT_DECIDED:
        return {**base, "closeout": {"id": getattr(target, "closeout_id", None)}}
    if verb == EventVerb.CASE_CLOSED:
        return base
    return None


def on_event(verb: EventVerb, case: Any, target: models.Model | None, actor: Any, event_id: int) -> None:
    """``core.events`` subscriber: write the deliveries of this event in the emitting transaction."""
    payload = _payload(verb, case, target)
    if payload is None:
        return
    endpoints = list(WebhookEndpoint.objects.filter(firm_id=case.model.firm_id, removed_at__isnull=True))
    for endpoint in endpoints:
        enqueue(endpoint=endpoint, event_id=f"evt_{event_id}", event_type=str(verb), payload=payload)


def enqueue(*, endpoint: WebhookEndpoint, event_id: str, event_type: str, payload: dict[str, Any]) -> WebhookDelivery:
    """Write one delivery (once per endpoint and event) and send it after the commit."""
    now = timezone.now()
    body = {"id": event_id, "type": event_type, "created_at": now.isoformat(), **payload}
    delivery, _created = WebhookDelivery.objects.get_or_create(
        endpoint=endpoint, event_id=event_id, defaults={"event_type": event_type, "payload": body}
    )
    transaction.on_commit(lambda: _publish(delivery.pk))
    return delivery


def _publish(delivery_id: int) -> None:
    from api.tasks import deliver_webhook

    try:
        deliver_webhook.apply_async(args=[delivery_id], retry=False)
    except Exception:  # the broker is down: the sweep sends it
        logger.warning("webhook delivery %s queued for the sweep (broker unavailable)", delivery_id)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (docs/api.md): check the signature and that the timestamp is recent."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))


def _ssl_context() -> ssl.SSLContext:
    bundle = settings.WEBHOOK_CA_BUNDLE or None
    return ssl.create_default_context(cafile=bundle)


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def address_refusal(url: str) -> str | None:
    """Why Checkpoint will not call ``url``: a receiver is a firm's public server, never an address
    inside the portal's own network (loopback, private, link-local: the cloud's metadata service),
    unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES says so (tests, a private deployment)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    host = urlsplit(url).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)}
    except OSError:
        return f"{host} does not resolve."
    if any(not ipaddress.ip_address(address.split("%", 1)[0]).is_global for address in addresses):
        return f"{host} is not a public address: webhooks go to a firm's public HTTPS server only."
    return None


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (https only: the service checks the scheme)
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Checkpoint-Event": delivery.event_type,
            "X-Checkpoint-Delivery": delivery.event_id,
            "X-Checkpoint-Signature": f"t={timestamp},v1={signature(delivery.endpoint.secret, timestamp, body)}",
        },
    )
    if not delivery.endpoint.url.startswith("https://"):
        return None, "Only https:// endpoints are called."
    if refusal := address_refusal(delivery.endpoint.url):
        return None, refusal
    try:
        with urllib.request.urlopen(  # noqa: S310 (https only, checked above)  # nosec B310
            request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, context=_ssl_context()
        ) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ssl.SSLError) as error:
        return None, str(getattr(error, "reason", error))[:300]


def deliver(delivery_id: int) -> datetime.timedelta | None:
    """Send one pending, due delivery under its row lock. Returns the wait before the next attempt,
    or None when there is nothing more to do (delivered, given up, not due, or taken by another
    worker)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return None
        if delivery.endpoint.removed_at is not None:
            delivery.state = DeliveryState.FAILED
            delivery.last_error = "The endpoint was removed."
            delivery.save(update_fields=["state", "last_error"])
            return None
        status, error = _send(delivery)
        delivery.attempts += 1
        delivery.last_status = status
        delivery.last_error = error
        if status is not None and 200 <= status < 300:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = timezone.now()
            wait = None
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            wait = None
        else:
            wait = _backoff(delivery.attempts)
            delivery.next_attempt_at = timezone.now() + wait
        delivery.save(
            update_fields=["attempts", "last_status", "last_error", "state", "delivered_at", "next_attempt_at"]
        )
        return wait


REMINDER_LOOKBACK = datetime.timedelta(days=2)


def enqueue_reminders(now: datetime.datetime | None = None) -> int:
    """A firm hears of each finding response coming due as its liaisons do: one
    ``reminder.response_due`` event per finding, threshold and deadline claimed by the reminder
    sweep (not per liaison), written once per endpoint (the event id is the reminder's identity).
    Reads the reminders claimed in the last two days, so a missed run catches up."""
    from notifications.models import Reminder, ReminderKind

    now = now or timezone.now()
    claimed = (
        Reminder.objects.filter(
            kind=ReminderKind.RESPONSE_DUE, claimed_at__gte=now - REMINDER_LOOKBACK, cancelled_at__isnull=True
        )
        .values_list("case_id", "case__reference", "case__model__firm_id", "target_id", "threshold", "deadline")
        .distinct()
    )
    firms = {row[2] for row in claimed}
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(firm_id__in=firms, removed_at__isnull=True):
        endpoints.setdefault(endpoint.firm_id, []).append(endpoint)
    written = 0
    for case_id, reference, firm_id, finding_id, threshold, deadline in claimed:
        for endpoint in endpoints.get(firm_id, []):
            event_id = f"rem_response_due_{finding_id}_{threshold}_{deadline.isoformat()}"
            if WebhookDelivery.objects.filter(endpoint=endpoint, event_id=event_id).exists():
                continue
            payload = {
                "case": {"id": case_id, "reference": reference},
                "finding": {"id": finding_id},
                "response_due": deadline.isoformat(),
                "days_from_due": threshold,
            }
            enqueue(endpoint=endpoint, event_id=event_id, event_type="reminder.response_due", payload=payload)
            written += 1
    return written


def due_deliveries(limit: int = 200) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
