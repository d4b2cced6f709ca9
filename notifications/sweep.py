"""The reminder sweep: find every reminder due now, claim it, and send it once.

Beat runs ``run_sweep`` every minute. It keeps no state of its own: the database says what is
due (the cases, findings and closeouts) and what was done (the ``Reminder`` ledger and the email
outbox), so a sweep can run late, twice, or on two workers at once.

1. Deliver the events no task delivered (the broker was down, a worker died).
2. Compute the set of reminders due now (``due_reminders``): for each kind, the targets whose
   current threshold (``schedule``) is due, times their recipients (docs/design.md's table), kept
   to the active people who may see the object. A fixed number of queries, whatever the number
   of cases: one per kind for the targets, one per kind for each recipient role, one per
   (recipient, permission) for the visibility check.
3. Claim them, in batches: ``INSERT ... ON CONFLICT DO NOTHING`` on the ledger's unique key, then
   read back the rows carrying this batch's token: those, and only those, are ours. The in-app
   notification of each claimed reminder is created in the same transaction, so it exists
   exactly once. A claim that finds the row already there sends nothing.
4. Cancel the claimed reminders whose email is still owed but that are no longer due (the case
   was closed or withdrawn, the date moved, a more urgent threshold superseded them).
5. Claim today's digests, then send every email owed (``emails``): each one under a row lock, and
   marked sent (``Reminder.sent_at``) in the same transaction, right after the server accepted it.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from accounts.roles import coordinators
from agencies.models import AgencyMembership, AgencyRole
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import (
    CaseAgencyAssignment,
    CaseState,
    Closeout,
    CloseoutState,
    ReviewCase,
    ReviewerAssignment,
)
from cases.permissions import VIEW_CASE
from cases.policy import SHARED
from configurations.selectors import effective_access_days
from core import permissions
from core.models import Visibility
from findings.models import Finding, FindingState
from findings.permissions import VIEW_FINDING
from firms.models import FirmMembership
from notifications import emails, events, schedule, texts
from notifications.models import (
    OWED_STATES,
    EmailDigest,
    EmailState,
    Notification,
    Reminder,
    ReminderKind,
)
from notifications.selectors import email_states_for
from workflow.policy import deciding_supervisors

logger = logging.getLogger(__name__)

CLAIM_BATCH = 500
REVIEWING = (CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED)
TARGET_TYPES = {
    ReminderKind.WINDOW_CLOSING: "cases.reviewcase",
    ReminderKind.RESPONSE_DUE: "findings.finding",
    ReminderKind.CLOSEOUT_AWAITING: "cases.closeout",
    ReminderKind.TRIAGE_AWAITING: "cases.reviewcase",
    ReminderKind.ACCESS_LOW: "cases.reviewcase",
    ReminderKind.ACCESS_LOW_FIRM: "cases.reviewcase",
    ReminderKind.ATTESTATION_REQUEST: "cases.reviewcase",
}
# A firm is asked for its sharing attestation from its sharing date on, while it has not made it,
# for this many days (older cases, concluded before the ledger existed, are not asked).
ATTESTATION_ASKED_FOR_DAYS = 30

Key = tuple[str, int, int, int, datetime.date]  # kind, target, recipient, threshold, deadline


@dataclass(frozen=True)
class DueReminder:
    kind: str
    target_id: int
    recipient_id: int
    threshold: int
    deadline: datetime.date
    case_id: int
    message: str

    @property
    def key(self) -> Key:
        return (self.kind, self.target_id, self.recipient_id, self.threshold, self.deadline)

    @property
    def due_at(self) -> datetime.datetime:
        return schedule.due_at(self.deadline, self.threshold)


@dataclass
class _Target:
    """One object with a current threshold, and the people the table names for it."""

    kind: str
    target_id: int
    case_id: int
    reference: str
    deadline: datetime.date
    threshold: int
    recipients: set[int] = field(default_factory=set)

    @property
    def permission(self) -> tuple[str, int]:
        """What a recipient must be allowed to see: the finding, or else the case."""
        if self.kind == ReminderKind.RESPONSE_DUE:
            return VIEW_FINDING, self.target_id
        return VIEW_CASE, self.case_id


@dataclass
class SweepReport:
    events_delivered: int = 0
    due: int = 0
    claimed: int = 0
    cancelled: int = 0
    digests_claimed: int = 0
    notices_sent: emails.SendReport = field(default_factory=emails.SendReport)
    digests_sent: emails.SendReport = field(default_factory=emails.SendReport)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events_delivered": self.events_delivered,
            "due": self.due,
            "claimed": self.claimed,
            "cancelled": self.cancelled,
            "digests_claimed": self.digests_claimed,
            "emails_sent": self.notices_sent.sent,
            "emails_refused": self.notices_sent.failed,
            "digests_sent": self.digests_sent.sent,
            "mail_server_down": self.notices_sent.server_down or self.digests_sent.server_down,
        }


# --- what is due ---------------------------------------------------------------------------


def _supervisors_by_agency(agency_ids: Iterable[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    rows = AgencyMembership.objects.filter(
        agency_id__in=set(agency_ids), role=AgencyRole.SUPERVISOR, user__is_active=True
    ).values_list("agency_id", "user_id")
    for agency_id, user_id in rows:
        result[agency_id].add(user_id)
    return result


def _assigned_agencies(case_ids: Iterable[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    for case_id, agency_id in CaseAgencyAssignment.objects.filter(case_id__in=set(case_ids)).values_list(
        "case_id", "agency_id"
    ):
        result[case_id].add(agency_id)
    return result


def _window_targets(now: datetime.datetime, today: datetime.date) -> list[_Target]:
    """Review window closing: the assigned reviewers and the supervisors of the assigned agencies,
    7, 3 and 1 days before the sharing date and on it, while the case is under review."""
    kind = ReminderKind.WINDOW_CLOSING
    rows = ReviewCase.objects.filter(
        state__in=REVIEWING,
        sharing_date__gte=schedule.earliest_deadline_due(kind, today),
        sharing_date__lte=schedule.latest_deadline_due(kind, today),
    ).values_list("pk", "reference", "sharing_date")
    targets = {}
    for pk, reference, sharing_date in rows:
        assert sharing_date is not None  # the filter on its range
        threshold = schedule.current_threshold(kind, sharing_date, now)
        if threshold is not None:
            targets[pk] = _Target(kind, pk, pk, reference, sharing_date, threshold)
    if not targets:
        return []
    for case_id, reviewer_id in ReviewerAssignment.objects.filter(
        case_id__in=list(targets), reviewer__is_active=True
    ).values_list("case_id", "reviewer_id"):
        targets[case_id].recipients.add(reviewer_id)
    assigned = _assigned_agencies(targets)
    supervisors = _supervisors_by_agency(agency for agencies in assigned.values() for agency in agencies)
    for case_id, agencies in assigned.items():
        for agency_id in agencies:
            targets[case_id].recipients |= supervisors.get(agency_id, set())
    return list(targets.values())


def _response_targets(now: datetime.datetime, today: datetime.date) -> list[_Target]:
    """Finding response due: the firm's liaisons, 3 and 1 days before a firm-visible finding's
    response_due, and once when it is overdue, while the finding awaits the firm's answer."""
    kind = ReminderKind.RESPONSE_DUE
    rows = Finding.objects.filter(
        state=FindingState.RELEASED,
        visibility=Visibility.FIRM,
        response_due__isnull=False,
        response_due__lte=schedule.latest_deadline_due(kind, today),
        case__state__in=REVIEWING,
    ).values_list("pk", "case_id", "case__reference", "response_due", "case__model__firm_id")
    targets, firm_of = {}, {}
    for pk, case_id, reference, response_due, firm_id in rows:
        assert response_due is not None  # the filter on its range
        threshold = schedule.current_threshold(kind, response_due, now)
        if threshold is not None:
            targets[pk] = _Target(kind, pk, case_id, reference, response_due, threshold)
            firm_of[pk] = firm_id
    if not targets:
        return []
    liaisons: dict[int, set[int]] = defaultdict(set)
    for firm_id, user_id in FirmMembership.objects.filter(
        firm_id__in=set(firm_of.values()), user__is_active=True
    ).values_list("firm_id", "user_id"):
        liaisons[firm_id].add(user_id)
    for pk, target in targets.items():
        target.recipients |= liaisons.get(firm_of[pk], set())
    return list(targets.values())


def _closeout_targets(now: datetime.datetime, today: datetime.date) -> list[_Target]:
    """Closeout awaiting decision: supervisors of the assigned agencies that have not decided
    (but not the person who asked), 2 and 5 days after the request."""
    kind = ReminderKind.CLOSEOUT_AWAITING
    rows = Closeout.objects.filter(
        state=CloseoutState.PENDING,
        case__state=CaseState.CLOSEOUT_REQUESTED,
        requested_at__lt=schedule.local_midnight(schedule.latest_deadline_due(kind, today) + datetime.timedelta(1)),
    ).values_list("pk", "case_id", "case__reference", "requested_at", "requested_by_id")
    targets = {}
    for pk, case_id, reference, requested_at, _requested_by in rows:
        requested_on = schedule.local_date(requested_at)
        threshold = schedule.current_threshold(kind, requested_on, now)
        if threshold is not None:
            targets[pk] = _Target(kind, pk, case_id, reference, requested_on, threshold)
    if not targets:
        return []
    closeouts = Closeout.objects.filter(pk__in=list(targets)).select_related("case")
    for pk, deciders in deciding_supervisors(closeouts).items():
        targets[pk].recipients |= deciders
    return list(targets.values())


def _triage_targets(now: datetime.datetime, today: datetime.date) -> list[_Target]:
    """Case awaiting triage: the coordinators, 1 day after submission while no agency is assigned."""
    kind = ReminderKind.TRIAGE_AWAITING
    rows = ReviewCase.objects.filter(
        state=CaseState.SUBMITTED,
        submitted_at__lt=schedule.local_midnight(schedule.latest_deadline_due(kind, today) + datetime.timedelta(1)),
    ).values_list("pk", "reference", "submitted_at")
    targets = []
    for pk, reference, submitted_at in rows:
        assert submitted_at is not None  # a submitted case has its moment
        submitted_on = schedule.local_date(submitted_at)
        threshold = schedule.current_threshold(kind, submitted_on, now)
        if threshold is not None:
            targets.append(_Target(kind, pk, pk, reference, submitted_on, threshold))
    if not targets:
        return []
    program_office = set(coordinators().values_list("pk", flat=True))
    for target in targets:
        target.recipients |= program_office
    return targets


def _liaisons_by_firm(firm_ids: Iterable[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    for firm_id, user_id in FirmMembership.objects.filter(firm_id__in=set(firm_ids), user__is_active=True).values_list(
        "firm_id", "user_id"
    ):
        result[firm_id].add(user_id)
    return result


def _access_low_targets(now: datetime.datetime, today: datetime.date) -> list[_Target]:
    """Effective access low: when an assigned agency that keeps the access ledger has effective
    access days (``configurations.selectors``) below ACCESS_LOW_THRESHOLD_DAYS with the sharing date at
    most ACCESS_LOW_NOTICE_DAYS away, the coordinators and that agency's supervisors are told once,
    and the firm's liaisons get a neutral word that moving the sharing date is theirs to choose."""
    kind = ReminderKind.ACCESS_LOW
    cases = list(
        ReviewCase.objects.filter(
            state__in=REVIEWING,
            sharing_date__gte=today,
            sharing_date__lte=schedule.latest_deadline_due(kind, today),
        )
        .only("pk", "reference", "access_date", "sharing_date", "model__firm_id")
        .select_related("model")
    )
    due = [
        case
        for case in cases
        if case.sharing_date is not None and schedule.current_threshold(kind, case.sharing_date, now) is not None
    ]
    if not due:
        return []
    # Only an agency that keeps a ledger on the case is judged: one that recorded nothing has not
    # said its access was short (an interruption "configuration not yet provided" says so).
    days = effective_access_days(due, now=now, keeping_only=True)
    low: dict[int, set[int]] = {
        case.pk: {agency for agency, value in days[case.pk].items() if value < settings.ACCESS_LOW_THRESHOLD_DAYS}
        for case in due
    }
    due = [case for case in due if low[case.pk]]
    if not due:
        return []
    supervisors = _supervisors_by_agency(agency for agencies in low.values() for agency in agencies)
    program_office = set(coordinators().filter(is_active=True).values_list("pk", flat=True))
    liaisons = _liaisons_by_firm(case.model.firm_id for case in due)
    threshold = -settings.ACCESS_LOW_NOTICE_DAYS
    targets = []
    for case in due:
        assert case.sharing_date is not None
        government = _Target(kind, case.pk, case.pk, case.reference, case.sharing_date, threshold)
        government.recipients |= program_office
        for agency_id in low[case.pk]:
            government.recipients |= supervisors.get(agency_id, set())
        firm = _Target(ReminderKind.ACCESS_LOW_FIRM, case.pk, case.pk, case.reference, case.sharing_date, threshold)
        firm.recipients |= liaisons.get(case.model.firm_id, set())
        targets += [government, firm]
    return targets


def _attestation_targets(now: datetime.datetime, today: datetime.date) -> list[_Target]:
    """Sharing attestation asked for: the firm's liaisons, on the sharing date (and while it is not
    made), unless the case was withdrawn (or never submitted)."""
    kind = ReminderKind.ATTESTATION_REQUEST
    rows = ReviewCase.objects.filter(
        state__in=SHARED,
        sharing_date__lte=schedule.latest_deadline_due(kind, today),
        sharing_date__gte=today - datetime.timedelta(days=ATTESTATION_ASKED_FOR_DAYS),
        sharing_attestation__isnull=True,
    ).values_list("pk", "reference", "sharing_date", "model__firm_id")
    targets, firm_of = [], {}
    for pk, reference, sharing_date, firm_id in rows:
        assert sharing_date is not None  # the filter on its range
        threshold = schedule.current_threshold(kind, sharing_date, now)
        if threshold is not None:
            targets.append(_Target(kind, pk, pk, reference, sharing_date, threshold))
            firm_of[pk] = firm_id
    if not targets:
        return []
    liaisons = _liaisons_by_firm(firm_of.values())
    for target in targets:
        target.recipients |= liaisons.get(firm_of[target.target_id], set())
    return targets


def _allowed(targets: Sequence[_Target]) -> set[tuple[int, str, int]]:
    """(recipient, permission, object) triples that hold: one query per recipient and permission,
    through ``core.permissions.visible``."""
    wanted: dict[tuple[int, str], set[int]] = defaultdict(set)
    for target in targets:
        perm, object_id = target.permission
        for recipient in target.recipients:
            wanted[(recipient, perm)].add(object_id)
    if not wanted:
        return set()
    users = {user.pk: user for user in User.objects.filter(pk__in={user_id for user_id, _ in wanted})}
    models: dict[str, Any] = {VIEW_CASE: ReviewCase, VIEW_FINDING: Finding}
    allowed = set()
    for (user_id, perm), object_ids in wanted.items():
        queryset = models[perm].objects.filter(pk__in=object_ids)
        for object_id in permissions.visible(users.get(user_id), perm, queryset).values_list("pk", flat=True):
            allowed.add((user_id, perm, object_id))
    return allowed


def due_reminders(now: datetime.datetime | None = None) -> list[DueReminder]:
    """Every reminder due at ``now``: the current threshold of each target, for each of its
    recipients who is active and may see it. Sorted by key, so that concurrent claims insert in
    one order (no deadlock between two sweeps)."""
    now = now or timezone.now()
    today = schedule.local_date(now)
    targets = [
        *_window_targets(now, today),
        *_response_targets(now, today),
        *_closeout_targets(now, today),
        *_triage_targets(now, today),
        *_access_low_targets(now, today),
        *_attestation_targets(now, today),
    ]
    allowed = _allowed(targets)
    due = []
    for target in targets:
        perm, object_id = target.permission
        message = texts.reminder_message(
            target.kind,
            reference=target.reference,
            threshold=target.threshold,
            deadline=target.deadline,
            target_id=target.target_id,
        )
        for recipient in target.recipients:
            if (recipient, perm, object_id) in allowed:
                due.append(
                    DueReminder(
                        target.kind,
                        target.target_id,
                        recipient,
                        target.threshold,
                        target.deadline,
                        target.case_id,
                        message,
                    )
                )
    return sorted(due, key=lambda reminder: reminder.key)


# --- claiming --------------------------------------------------------------------------------


def _chunks(items: Sequence[DueReminder], size: int) -> Iterator[Sequence[DueReminder]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def claim(due: Sequence[DueReminder], now: datetime.datetime | None = None) -> int:
    """Claim the due reminders no one claimed yet, with their in-app notifications. Returns how
    many this call claimed. Three queries per batch of CLAIM_BATCH, plus one for preferences."""
    if not due:
        return 0
    now = now or timezone.now()
    states = email_states_for({reminder.recipient_id for reminder in due})
    claimed = 0
    for batch in _chunks(due, CLAIM_BATCH):
        token = uuid.uuid4()
        with transaction.atomic():
            Reminder.objects.bulk_create(
                [
                    Reminder(
                        kind=reminder.kind,
                        target_id=reminder.target_id,
                        case_id=reminder.case_id,
                        recipient_id=reminder.recipient_id,
                        threshold=reminder.threshold,
                        deadline=reminder.deadline,
                        due_at=reminder.due_at,
                        claimed_at=now,
                        claim_token=token,
                    )
                    for reminder in batch
                ],
                ignore_conflicts=True,
            )
            ours = {
                (kind, target_id, recipient_id, threshold, deadline): pk
                for pk, kind, target_id, recipient_id, threshold, deadline in Reminder.objects.filter(
                    claim_token=token
                ).values_list("pk", "kind", "target_id", "recipient_id", "threshold", "deadline")
            }
            if not ours:
                continue
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient_id=reminder.recipient_id,
                        verb=f"reminder.{reminder.kind}",
                        case_id=reminder.case_id,
                        target_type=TARGET_TYPES[ReminderKind(reminder.kind)],
                        target_id=reminder.target_id,
                        message=reminder.message,
                        reminder_id=ours[reminder.key],
                        created_at=now,
                        email_state=states[reminder.recipient_id],
                    )
                    for reminder in batch
                    if reminder.key in ours
                ]
            )
        claimed += len(ours)
    return claimed


def cancel_stale(due: Sequence[DueReminder], now: datetime.datetime | None = None) -> int:
    """Cancel the email of claimed reminders that are no longer due. Only reminders due by
    ``now`` are judged: a row another, later sweep claimed a moment ago is not this one's call."""
    now = now or timezone.now()
    current = {reminder.key for reminder in due}
    superseding = {(r.kind, r.target_id, r.recipient_id, r.deadline): r.threshold for r in due}
    owed = Notification.objects.filter(
        reminder__isnull=False, email_state__in=OWED_STATES, digest__isnull=True, reminder__due_at__lte=now
    ).values_list(
        "pk",
        "reminder_id",
        "reminder__kind",
        "reminder__target_id",
        "reminder__recipient_id",
        "reminder__threshold",
        "reminder__deadline",
    )
    stale: dict[int, tuple[int, str]] = {}
    for pk, reminder_id, kind, target_id, recipient_id, threshold, deadline in owed:
        if (kind, target_id, recipient_id, threshold, deadline) in current:
            continue
        later = superseding.get((kind, target_id, recipient_id, deadline))
        reason = f"superseded by the reminder {schedule.describe(later)}" if later is not None else "no longer due"
        stale[pk] = (reminder_id, reason)
    if not stale:
        return 0
    with transaction.atomic():
        locked = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(stale), email_state__in=OWED_STATES, digest__isnull=True)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=locked).update(email_state=EmailState.CANCELLED)
        by_reason: dict[str, list[int]] = defaultdict(list)
        for pk in locked:
            reminder_id, reason = stale[pk]
            by_reason[reason].append(reminder_id)
        for reason, reminder_ids in by_reason.items():
            Reminder.objects.filter(pk__in=reminder_ids).update(cancelled_at=now, cancel_reason=reason)
    return len(locked)


def claim_digests(now: datetime.datetime | None = None) -> int:
    """From the send hour on, claim today's digest of each person who has notices waiting for
    one, and put those notices in it (the reminders this sweep just claimed included)."""
    now = now or timezone.now()
    today = schedule.local_date(now)
    send_time = schedule.due_at(today, 0)
    if now < send_time:
        return 0
    waiting = Notification.objects.filter(email_state=EmailState.DIGEST, digest__isnull=True, created_at__lte=now)
    recipients = set(waiting.order_by().values_list("recipient_id", flat=True).distinct())
    if not recipients:
        return 0
    token = uuid.uuid4()
    with transaction.atomic():
        EmailDigest.objects.bulk_create(
            [EmailDigest(recipient_id=pk, day=today, claim_token=token, claimed_at=now) for pk in recipients],
            ignore_conflicts=True,
        )
        ours = EmailDigest.objects.filter(claim_token=token)
        claimed = ours.count()
        if claimed:
            waiting.filter(recipient_id__in=ours.values("recipient_id")).update(
                digest_id=Subquery(ours.filter(recipient_id=OuterRef("recipient_id")).values("pk")[:1])
            )
    return claimed


# --- the sweep -------------------------------------------------------------------------------


def run_sweep(now: datetime.datetime | None = None) -> SweepReport:
    """One pass: deliver stray events, claim what is due, cancel what is not, send what is owed."""
    report = SweepReport()
    for event_id in events.undelivered_events():
        if events.event_deliver(event_id=event_id):
            report.events_delivered += 1
    now = now or timezone.now()
    due = due_reminders(now)
    report.due = len(due)
    report.claimed = claim(due, now)
    report.cancelled = cancel_stale(due, now)
    report.digests_claimed = claim_digests(now)
    report.notices_sent = emails.send_owed_notices()
    report.digests_sent = emails.send_owed_digests()
    done = report.as_dict()
    if any(done[key] for key in ("events_delivered", "claimed", "cancelled", "emails_sent", "digests_sent")):
        audit_record(actor=None, action=AuditAction.REMINDERS_SWEPT, data=done)
    logger.info("reminder sweep: %s", done)
    return report
