"""Side effects of a state change, queued to run after its transaction commits.

Services call ``on_commit_event``; nothing is sent for a change that rolls back. Delivery (in-app
notification and email to the people who may see the object) belongs to the notifications app;
when the broker is down, enqueueing fails softly and is logged, and the web request still succeeds.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.db import models, transaction

logger = logging.getLogger(__name__)


def on_commit_event(verb: str, *, case: Any, target: models.Model | None = None, actor: Any | None = None) -> None:
    payload = {
        "verb": verb,
        "case_id": case.pk,
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": target.pk if target is not None else None,
        "actor_id": getattr(actor, "pk", None),
    }
    transaction.on_commit(lambda: dispatch_event(payload))


def dispatch_event(payload: dict[str, Any]) -> None:
    if not apps.is_installed("notifications"):
        logger.info("event %s (no notifications app installed)", payload)
        return
    try:
        from notifications.events import deliver_event_soon

        deliver_event_soon(payload)
    except Exception:  # The broker being down must not break the page that caused the event.
        logger.exception("could not deliver event %s", payload)
