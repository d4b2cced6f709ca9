"""Notice events: what a service tells people it did, kept in an outbox.

A service calls ``emit(EventVerb.X, case=..., target=..., actor=...)`` inside its transaction. The
event is written there and then, by the *recorder* the notifications app registers at start-up
(``NotificationsConfig.ready``), so it commits or rolls back with the change it describes. Only
the event's id is handed to the broker, after the commit (``transaction.on_commit``). If the
process dies between the commit and the publish, or the broker is down, the event waits in the
database and the periodic sweep delivers it.

``core`` imports no domain app: the notifications app plugs itself in through ``register``.
Without it (it is not installed), events are only logged.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

logger = logging.getLogger(__name__)


class EventVerb(enum.StrEnum):
    """What people are told of. Each member has an audience and a notice text in the
    notifications app (a test holds it so); the values are stored on events and notifications."""

    CASE_SUBMITTED = "case.submitted"
    CASE_AGENCY_ASSIGNED = "case.agency_assigned"
    CASE_REVIEWER_ASSIGNED = "case.reviewer_assigned"
    CASE_SHARING_DATE_MOVED = "case.sharing_date_moved"
    FINDING_RELEASED = "finding.released"
    FINDING_RELEASE_REQUESTED = "finding.release_requested"
    FINDING_RESPONSE_SENT_BACK = "finding.response_sent_back"
    FINDING_FIRM_RESPONDED = "finding.firm_responded"
    CLOSEOUT_REQUESTED = "closeout.requested"
    CLOSEOUT_DECIDED = "closeout.decided"
    CASE_CLOSED = "case.closed"
    CASE_WITHDRAWN = "case.withdrawn"
    CONFIGURATION_CHANGED = "configuration.changed"
    LEDGER_COMMENTED = "access.ledger_commented"
    SHARING_ATTESTED = "case.sharing_attested"


# (verb, case, target, actor) -> the id of the event written in the current transaction.
Recorder = Callable[[EventVerb, Any, models.Model | None, Any], int]
# event id -> None, called after the commit; a broker that is down must not make it raise.
Publisher = Callable[[int], None]


# (verb, case, target, actor, event id) -> None, called in the emitting transaction after the
# event is recorded: other outboxes (the firms' webhooks) write their rows beside it.
Subscriber = Callable[[EventVerb, Any, models.Model | None, Any, int], None]


@dataclass
class _Outbox:
    record: Recorder | None = None
    publish: Publisher | None = None
    subscribers: list[Subscriber] = field(default_factory=list)


_outbox = _Outbox()


def register(*, record: Recorder, publish: Publisher) -> None:
    """Called once, at start-up, by the app that delivers events (notifications)."""
    _outbox.record, _outbox.publish = record, publish


def subscribe(subscriber: Subscriber) -> None:
    """Called at start-up by an app that acts on events in the emitting transaction (once each)."""
    if subscriber not in _outbox.subscribers:
        _outbox.subscribers.append(subscriber)


def emit(verb: EventVerb, *, case: Any, target: models.Model | None = None, actor: Any | None = None) -> int | None:
    """Write the event in the caller's transaction; publish its id once that transaction commits.
    Returns the event's id (None when no app delivers events)."""
    verb = EventVerb(verb)  # an unknown verb is refused here, not dropped at delivery
    record, publish = _outbox.record, _outbox.publish
    if record is None or publish is None:
        logger.info("event %s on case %s (no app delivers events)", verb, getattr(case, "pk", None))
        return None
    event_id = record(verb, case, target, actor)
    for subscriber in _outbox.subscribers:
        subscriber(verb, case, target, actor, event_id)
    transaction.on_commit(lambda: _publish(publish, event_id))
    return event_id


def _publish(publish: Publisher, event_id: int) -> None:
    try:
        publish(event_id)
    except Exception:  # A failed publish must not break the page: the event waits for the sweep.
        logger.exception("could not publish event %s; the next sweep delivers it", event_id)
