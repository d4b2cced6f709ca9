"""Event notices: who hears of what a service did, and how the notice reaches them.

This is the outbox behind ``core.events.emit`` (``NotificationsConfig.ready`` plugs it in).
``event_record`` writes the event in the service's own transaction, so the event exists exactly
when the change it describes committed. ``event_publish`` runs after the commit and asks the
broker to deliver the event: if the broker is down (or hangs), the publish fails within a couple
of seconds, the failure is logged, and the page that caused the event still answers. Whatever no
task delivered (the broker was down, the process died before publishing, the worker died), the
next reminder sweep delivers from the database. A delivery that runs twice creates nothing twice:
notifications are unique per (event, recipient).

Each notice goes only to active people who may see the object (``core.permissions``), never to
the person who acted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import User
from accounts.roles import coordinators
from agencies.models import Agency, AgencyMembership, AgencyRole
from cases.models import Closeout, CloseoutDecision, ReviewCase, ReviewerAssignment
from cases.permissions import VIEW_CASE
from configurations.models import Configuration, LedgerComment, SharingAttestation
from core import permissions
from core.events import EventVerb
from core.models import Visibility
from findings.models import Finding
from findings.permissions import VIEW_FINDING
from findings.policy import finding_release_refusal
from firms.models import FirmMembership
from notifications import texts
from notifications.models import Notification, NotificationEvent
from notifications.selectors import email_states_for
from workflow.policy import deciding_supervisors

logger = logging.getLogger(__name__)

# Publishing gives up after one quick retry: the web request that queued the event waits at most
# about two socket timeouts (CELERY_BROKER_TRANSPORT_OPTIONS) when the broker hangs.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
BROKER_ERRORS = (OperationalError, ConnectionError, TimeoutError, OSError)


def event_record(verb: str, case: Any, target: models.Model | None, actor: Any | None) -> int:
    """Write the event in the caller's transaction (``core.events`` recorder); returns its id."""
    event = NotificationEvent.objects.create(
        verb=verb,
        case_id=case.pk,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        actor_id=getattr(actor, "pk", None),
    )
    return event.pk


def event_publish(event_id: int) -> None:
    """Queue the delivery of a committed event (``core.events`` publisher). Never raises for a
    broker that is down: the event stays undelivered in the database for the next sweep."""
    from notifications.tasks import deliver_event

    try:
        deliver_event.apply_async(args=[event_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except BROKER_ERRORS as error:
        logger.warning("broker unavailable, event %s kept for the next reminder sweep: %s", event_id, error)


# --- who hears of what ----------------------------------------------------------------------


def _active(users: Iterable[int]) -> list[User]:
    return list(User.objects.filter(pk__in=set(users), is_active=True))


def _liaisons(case: ReviewCase) -> list[int]:
    return list(FirmMembership.objects.filter(firm_id=case.model.firm_id).values_list("user_id", flat=True))


def _supervisors(agency_ids: Iterable[int]) -> list[int]:
    return list(
        AgencyMembership.objects.filter(agency_id__in=list(agency_ids), role=AgencyRole.SUPERVISOR).values_list(
            "user_id", flat=True
        )
    )


def _assigned_agencies(case: ReviewCase) -> list[int]:
    return list(case.agency_assignments.values_list("agency_id", flat=True))


def _coordinators() -> list[int]:
    return list(coordinators().values_list("pk", flat=True))


def _reviewing_team(case: ReviewCase) -> list[int]:
    """The case's assigned reviewers and the supervisors of its assigned agencies."""
    reviewers = ReviewerAssignment.objects.filter(case=case).values_list("reviewer_id", flat=True)
    return [*reviewers, *_supervisors(_assigned_agencies(case))]


def _target_id(event: NotificationEvent) -> int:
    """The event's object id (0, which no row has, for an event about no object)."""
    return event.target_id or 0


def _finding(event: NotificationEvent) -> Finding | None:
    return Finding.objects.filter(pk=_target_id(event), case_id=event.case_id).first()


Audience = tuple[list[int], str, Any, dict[str, Any]]  # people, permission, object, facts for the text


def _case_submitted(event: NotificationEvent, case: ReviewCase) -> Audience:
    return _coordinators(), VIEW_CASE, case, {}


def _agency_assigned(event: NotificationEvent, case: ReviewCase) -> Audience:
    agency = Agency.objects.filter(pk=_target_id(event)).first()
    if agency is None:
        return [], VIEW_CASE, case, {}
    return _supervisors([agency.pk]), VIEW_CASE, case, {"agency": agency.short_name}


def _reviewer_assigned(event: NotificationEvent, case: ReviewCase) -> Audience:
    return [event.target_id] if event.target_id else [], VIEW_CASE, case, {}


def _sharing_date_moved(event: NotificationEvent, case: ReviewCase) -> Audience:
    return (
        _reviewing_team(case),
        VIEW_CASE,
        case,
        {"sharing_date": texts.day(case.sharing_date) if case.sharing_date else None},
    )


def _finding_released(event: NotificationEvent, case: ReviewCase) -> Audience:
    finding = _finding(event)
    if finding is None or finding.visibility != Visibility.FIRM:
        return [], VIEW_FINDING, finding, {}
    due = texts.day(finding.response_due) if finding.response_due else None
    return _liaisons(case), VIEW_FINDING, finding, {"finding": finding.pk, "response_due": due}


def _response_sent_back(event: NotificationEvent, case: ReviewCase) -> Audience:
    finding = _finding(event)
    if finding is None or finding.visibility != Visibility.FIRM:
        return [], VIEW_FINDING, finding, {}
    return _liaisons(case), VIEW_FINDING, finding, {"finding": finding.pk}


def _firm_responded(event: NotificationEvent, case: ReviewCase) -> Audience:
    """The authoring agency's people on the case: its assigned reviewers, its supervisors, and the
    finding's author."""
    finding = _finding(event)
    if finding is None:
        return [], VIEW_FINDING, finding, {}
    reviewers = ReviewerAssignment.objects.filter(case=case, agency_id=finding.agency_id)
    people = [*reviewers.values_list("reviewer_id", flat=True), *_supervisors([finding.agency_id]), finding.author_id]
    return people, VIEW_FINDING, finding, {"finding": finding.pk}


def _closeout_requested(event: NotificationEvent, case: ReviewCase) -> Audience:
    """Whoever may decide it: ``workflow.policy``'s rule, as the dashboards and reminders use it."""
    closeouts = Closeout.objects.filter(pk=_target_id(event), case=case).select_related("case")
    deciders = deciding_supervisors(closeouts).get(_target_id(event), set())
    return list(deciders), VIEW_CASE, case, {}


def _release_requested(event: NotificationEvent, case: ReviewCase) -> Audience:
    """The supervisors of the authoring agency who may release the draft (``findings.policy``)."""
    finding = _finding(event)
    if finding is None:
        return [], VIEW_FINDING, finding, {}
    candidates = User.objects.filter(pk__in=_supervisors([finding.agency_id]), is_active=True)
    people = [user.pk for user in candidates if finding_release_refusal(user, finding) is None]
    return people, VIEW_FINDING, finding, {"finding": finding.pk}


def _closeout_decided(event: NotificationEvent, case: ReviewCase) -> Audience:
    decision = CloseoutDecision.objects.filter(pk=_target_id(event)).select_related("closeout", "agency").first()
    if decision is None or decision.closeout.case_id != case.pk:
        return [], VIEW_CASE, case, {}
    verb = "approved" if decision.decision == "approved" else "returned"
    return (
        [decision.closeout.requested_by_id],
        VIEW_CASE,
        case,
        {"agency": decision.agency.short_name, "decision": verb},
    )


def _case_closed(event: NotificationEvent, case: ReviewCase) -> Audience:
    return _liaisons(case), VIEW_CASE, case, {}


def _case_withdrawn(event: NotificationEvent, case: ReviewCase) -> Audience:
    agency_members = AgencyMembership.objects.filter(agency_id__in=_assigned_agencies(case)).values_list(
        "user_id", flat=True
    )
    return [*agency_members, *_coordinators()], VIEW_CASE, case, {}


def _configuration_changed(event: NotificationEvent, case: ReviewCase) -> Audience:
    """The reviewing team hears of a new configuration, or a new version of one, to test."""
    configuration = Configuration.objects.filter(pk=_target_id(event), case=case).first()
    if configuration is None:
        return [], VIEW_CASE, case, {}
    facts = {"configuration": configuration.name, "version": configuration.version}
    return _reviewing_team(case), VIEW_CASE, case, facts


def _ledger_commented(event: NotificationEvent, case: ReviewCase) -> Audience:
    """A remark on a ledger entry: the firm, the person who recorded the entry and the supervisors
    of the recording agency (each of whom may see the entry)."""
    comment = LedgerComment.objects.filter(pk=_target_id(event)).select_related("period", "interruption").first()
    entry = (comment.period or comment.interruption) if comment is not None else None
    if entry is None or entry.case_id != case.pk:
        return [], VIEW_CASE, case, {}
    return [*_liaisons(case), entry.recorded_by_id, *_supervisors([entry.agency_id])], VIEW_CASE, case, {}


def _sharing_attested(event: NotificationEvent, case: ReviewCase) -> Audience:
    """When the firm shares a configuration other than every tested one, the assigned agencies hear
    (their findings make no claim about it). Other choices are recorded without a notice."""
    attestation = SharingAttestation.objects.filter(pk=_target_id(event), case=case).first()
    if attestation is None or not attestation.differs_from_tested:
        return [], VIEW_CASE, case, {}
    members = AgencyMembership.objects.filter(agency_id__in=_assigned_agencies(case)).values_list("user_id", flat=True)
    return list(members), VIEW_CASE, case, {}


# Who hears of each event verb (a test holds that every EventVerb has a rule).
AUDIENCES: dict[EventVerb, Callable[[NotificationEvent, ReviewCase], Audience]] = {
    EventVerb.CASE_SUBMITTED: _case_submitted,
    EventVerb.CASE_AGENCY_ASSIGNED: _agency_assigned,
    EventVerb.CASE_REVIEWER_ASSIGNED: _reviewer_assigned,
    EventVerb.CASE_SHARING_DATE_MOVED: _sharing_date_moved,
    EventVerb.FINDING_RELEASED: _finding_released,
    EventVerb.FINDING_RELEASE_REQUESTED: _release_requested,
    EventVerb.FINDING_RESPONSE_SENT_BACK: _response_sent_back,
    EventVerb.FINDING_FIRM_RESPONDED: _firm_responded,
    EventVerb.CLOSEOUT_REQUESTED: _closeout_requested,
    EventVerb.CLOSEOUT_DECIDED: _closeout_decided,
    EventVerb.CASE_CLOSED: _case_closed,
    EventVerb.CASE_WITHDRAWN: _case_withdrawn,
    EventVerb.CONFIGURATION_CHANGED: _configuration_changed,
    EventVerb.LEDGER_COMMENTED: _ledger_commented,
    EventVerb.SHARING_ATTESTED: _sharing_attested,
}


def event_audience(event: NotificationEvent) -> tuple[list[User], Any, str]:
    """The people to notify of ``event``, the object the notice is about, and its sentence."""
    rule = AUDIENCES.get(EventVerb(event.verb)) if event.verb in EventVerb._value2member_map_ else None
    if rule is None:  # a row written before its verb stopped being an EventVerb: no one hears of it
        return [], None, ""
    case = ReviewCase.objects.select_related("model").get(pk=event.case_id)
    people, perm, obj, facts = rule(event, case)
    if obj is None:
        return [], None, ""
    candidates = [user for user in _active(people) if user.pk != event.actor_id]
    allowed = [user for user in candidates if permissions.has(user, perm, obj)]
    return allowed, obj, texts.event_message(event.verb, reference=case.reference, **facts)


def event_deliver(*, event_id: int) -> list[int]:
    """Create the in-app notifications of one event (once, whoever else is delivering it) and
    return their ids; their emails are sent by ``emails.send_owed_notices``."""
    with transaction.atomic():
        locked = NotificationEvent.objects.select_for_update(skip_locked=True).filter(
            pk=event_id, delivered_at__isnull=True
        )
        event = locked.first()
        if event is None:  # delivered already, or being delivered by another worker
            return []
        people, obj, message = event_audience(event)
        states = email_states_for([user.pk for user in people])
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    verb=event.verb,
                    case_id=event.case_id,
                    target_type=obj._meta.label_lower,
                    target_id=obj.pk,
                    message=message,
                    event=event,
                    email_state=states[user.pk],
                )
                for user in people
            ],
            ignore_conflicts=True,
        )
        event.delivered_at = timezone.now()
        event.save(update_fields=["delivered_at"])
    return list(Notification.objects.filter(event_id=event_id).values_list("pk", flat=True))


def undelivered_events(limit: int = 500) -> list[int]:
    """Events no task delivered (the broker was down, or the worker died): the sweep's to do."""
    return list(
        NotificationEvent.objects.filter(delivered_at__isnull=True).order_by("pk").values_list("pk", flat=True)[:limit]
    )
