"""The one sentence each notice says. It names the case reference, what happened or is due and
when: never a finding's title or description, never document content (docs/design.md). The reader
follows the link to the portal, where their own permissions decide what they see."""

from __future__ import annotations

import datetime

from django.conf import settings

from core import formats
from core.events import EventVerb
from notifications.models import ReminderKind


def day(value: datetime.date) -> str:
    return formats.day(value)


def _days(value: float) -> str:
    return f"{value:g} day{'' if value == 1 else 's'}"


def _in_days(threshold: int, deadline: datetime.date) -> str:
    if threshold == 0:
        return f"today, {day(deadline)}"
    if threshold == -1:
        return f"tomorrow, {day(deadline)}"
    return f"in {-threshold} days, on {day(deadline)}"


def reminder_message(
    kind: str, *, reference: str, threshold: int, deadline: datetime.date, target_id: int | None = None
) -> str:
    if kind == ReminderKind.WINDOW_CLOSING:
        return f"{reference}: the review window closes {_in_days(threshold, deadline)}."
    if kind == ReminderKind.RESPONSE_DUE:
        if threshold > 0:
            return (
                f"{reference}: the firm's response to finding #{target_id} was due on {day(deadline)} and is overdue."
            )
        return f"{reference}: the firm's response to finding #{target_id} is due {_in_days(threshold, deadline)}."
    if kind == ReminderKind.CLOSEOUT_AWAITING:
        return (
            f"{reference}: the closeout requested on {day(deadline)} has awaited your agency's decision "
            f"for {threshold} days."
        )
    if kind == ReminderKind.ACCESS_LOW:
        return (
            f"{reference}: effective access to the model is below {_days(settings.ACCESS_LOW_THRESHOLD_DAYS)} "
            f"for at least one agency, and the sharing date is {day(deadline)}."
        )
    if kind == ReminderKind.ACCESS_LOW_FIRM:
        return (
            f"{reference}: the agencies have had less than {_days(settings.ACCESS_LOW_THRESHOLD_DAYS)} of "
            f"effective access before your sharing date, {day(deadline)}. If you wish, you may choose to move "
            "your sharing date; it is your choice, and nothing is requested of you."
        )
    if kind == ReminderKind.ATTESTATION_REQUEST:
        return (
            f"{reference}: your sharing date, {day(deadline)}, has arrived. You are asked to state which "
            "configuration, if any, you share with partners (you may prefer not to say)."
        )
    if kind == ReminderKind.TRIAGE_AWAITING:
        return f"{reference} was submitted on {day(deadline)} and still awaits triage: no agency is assigned yet."
    raise ValueError(f"Unknown reminder kind {kind!r}.")


def event_message(verb: str, *, reference: str, **facts: object) -> str:
    """``facts`` are identifiers, names of organisations, decisions and dates: no content."""
    texts = {  # one sentence for each EventVerb (a test holds it so)
        EventVerb.CASE_SUBMITTED: f"{reference} was submitted for review and awaits triage.",
        EventVerb.CASE_AGENCY_ASSIGNED: f"{reference} was assigned to {facts.get('agency', 'your agency')} for review.",
        EventVerb.CASE_REVIEWER_ASSIGNED: f"You were assigned as a reviewer on {reference}.",
        EventVerb.CASE_SHARING_DATE_MOVED: (
            f"{reference}: the firm moved its sharing date to {facts.get('sharing_date', 'a new date')}; "
            "the review window now closes then."
        ),
        EventVerb.FINDING_RELEASED: f"{reference}: finding #{facts.get('finding')} was shared with your firm.",
        EventVerb.FINDING_RELEASE_REQUESTED: (
            f"{reference}: you are asked to release finding #{facts.get('finding')} beyond your agency."
        ),
        EventVerb.FINDING_RESPONSE_SENT_BACK: (
            f"{reference}: your response to finding #{facts.get('finding')} was sent back."
        ),
        EventVerb.FINDING_FIRM_RESPONDED: f"{reference}: the firm responded to finding #{facts.get('finding')}.",
        EventVerb.CLOSEOUT_REQUESTED: f"{reference}: a closeout was requested and awaits your agency's decision.",
        EventVerb.CLOSEOUT_DECIDED: (
            f"{reference}: {facts.get('agency', 'an agency')} {facts.get('decision', 'decided on')} "
            "the closeout you requested."
        ),
        EventVerb.CASE_CLOSED: f"{reference}: the review is concluded and the case is closed.",
        EventVerb.CASE_WITHDRAWN: f"{reference} was withdrawn by the firm. The review has stopped.",
        EventVerb.CONFIGURATION_CHANGED: (
            f"{reference}: the firm added version {facts.get('version', 1)} of tested configuration "
            f"{facts.get('configuration', '')}."
        ),
        EventVerb.LEDGER_COMMENTED: f"{reference}: an entry of the access ledger has a new comment.",
        EventVerb.SHARING_ATTESTED: (
            f"{reference}: the firm attested that the configuration it shares with partners differs from "
            "every tested configuration."
        ),
    }
    try:
        text = texts[EventVerb(verb)]
    except (KeyError, ValueError):
        raise ValueError(f"No notice is sent for {verb!r}.") from None
    if verb == EventVerb.FINDING_RELEASED and facts.get("response_due"):
        text += f" Your response is due by {facts['response_due']}."
    return text
