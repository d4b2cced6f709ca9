"""The rules of the transitions that reach across a case's documents and findings: submitting
(it needs the firm's documents), assigning agencies, and the closeout (it answers for the findings).

They start from the lifecycle table in ``cases.policy`` and add what the documents, findings and
decisions of the one case say.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from agencies.models import AgencyMembership, AgencyRole
from cases.models import CaseAgencyAssignment, CaseState, Closeout, CloseoutDecision, CloseoutState, ReviewCase
from cases.policy import Standing, read_only_refusal, role_refusal, standing, state_refusal, step_refusal
from core.policy import Refusal
from documents.models import DocumentKind
from documents.selectors import firm_document_kinds
from findings.models import Finding, FindingState

# What a submission needs from the firm, in the order the checklist shows it.
REQUIRED_DOCUMENTS = (
    (DocumentKind.SYSTEM_CARD, "a system card"),
    (DocumentKind.ACCESS_INSTRUCTIONS, "access instructions"),
)


# The rule on the access date, stated once (the submit page shows it): an access date in the past
# may be submitted. The firm may already have given evaluators access; the window still closes
# on the sharing date, which must be in the future, at most 30 days after the access date.
ACCESS_DATE_RULE = (
    "The access date may be in the past (evaluators may already have access); the sharing date must be "
    "in the future, at most 30 days after the access date."
)


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # "access_date", "sharing_date", "system_card", "access_instructions"
    label: str  # what it is, in words
    present: bool
    problem: str = ""  # why it does not count yet, when present but not right
    note: str = ""  # what the firm should know, without stopping the submission

    @property
    def ready(self) -> bool:
        return self.present and not self.problem


def submission_checklist(case: ReviewCase, *, today: datetime.date | None = None) -> list[ChecklistItem]:
    """What the case has, and lacks, to be submitted: the dates and the firm's documents."""
    today = today or timezone.localdate()
    present = firm_document_kinds([case.pk])[case.pk]
    sharing_problem = ""
    if case.sharing_date is not None and case.sharing_date <= today:
        sharing_problem = "The sharing date must be in the future to submit the case."
    access_note = ""
    if case.access_date is not None and case.access_date < today and not sharing_problem:
        left = (case.sharing_date - today).days if case.sharing_date else 0
        access_note = f"The access date is past: the window already runs, and the agencies will have {left} days."
    return [
        ChecklistItem("access_date", "an access date", case.access_date is not None, note=access_note),
        ChecklistItem("sharing_date", "a sharing date", case.sharing_date is not None, sharing_problem),
        *(ChecklistItem(kind, label, kind in present) for kind, label in REQUIRED_DOCUMENTS),
    ]


def in_words(items: list[str]) -> str:
    """'a, b and c', as a person lists things."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def case_submit_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    if refusal := step_refusal("case.submit", actor, case, standing_=standing_):
        return refusal
    checklist = submission_checklist(case)
    missing = [item.label for item in checklist if not item.present]
    if missing:
        return Refusal(f"Before submitting {case.reference}, add {in_words(missing)}.", "incomplete")
    for item in checklist:
        if item.problem:
            return Refusal(item.problem, "incomplete")
    return None


def case_assign_agencies_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    return step_refusal("case.assign_agencies", actor, case, standing_=standing_)


# --- closeout ------------------------------------------------------------------------------------


def open_released_findings(case: ReviewCase) -> QuerySet[Finding]:
    """The case's released findings that are neither resolved nor withdrawn."""
    return case.findings.filter(
        released_at__isnull=False, state__in=[FindingState.RELEASED, FindingState.FIRM_RESPONDED]
    )


def open_released_findings_for(user: Any, case: ReviewCase) -> QuerySet[Finding]:
    """The open released findings of ``case`` that ``user`` may see: those a closeout they request
    must carry forward (with a reason) unless they are resolved or withdrawn first."""
    from findings.selectors import findings_for

    return findings_for(user).filter(pk__in=open_released_findings(case).values("pk")).order_by("pk")


def closeout_request_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    return step_refusal("closeout.request", actor, case, standing_=standing_)


def _decide_refusal(actor: Any, closeout: Closeout, standing_: Standing | None) -> Refusal | None:
    case = closeout.case
    held = standing_ or standing(actor, case)
    if refusal := role_refusal("closeout.decide", actor, case, standing_=held) or read_only_refusal(case):
        return refusal
    if closeout.state != CloseoutState.PENDING:
        return Refusal(f"This closeout is {closeout.get_state_display().lower()}; there is nothing to decide.")
    if refusal := state_refusal("closeout.decide", case):
        return refusal
    if closeout.requested_by_id == actor.pk:
        return Refusal("You requested this closeout, so another supervisor must decide it.", "own_request")
    assert held.membership is not None  # a supervisor of an assigned agency
    if closeout.decisions.filter(agency_id=held.membership.agency_id).exists():
        return Refusal(f"{held.membership.agency.short_name} has already decided on this closeout.", "decided")
    return None


def closeout_return_refusal(actor: Any, closeout: Closeout, *, standing_: Standing | None = None) -> Refusal | None:
    return _decide_refusal(actor, closeout, standing_)


def loose_findings(closeout: Closeout, agency_id: int) -> list[int]:
    """An agency's open released findings that the closeout does not carry forward."""
    carried = closeout.carried_forward.values_list("finding_id", flat=True)
    loose = open_released_findings(closeout.case).filter(agency_id=agency_id).exclude(pk__in=carried)
    return list(loose.order_by("pk").values_list("pk", flat=True))


def closeout_approve_refusal(actor: Any, closeout: Closeout, *, standing_: Standing | None = None) -> Refusal | None:
    held = standing_ or standing(actor, closeout.case)
    if refusal := _decide_refusal(actor, closeout, held):
        return refusal
    assert held.membership is not None
    if loose := loose_findings(closeout, held.membership.agency_id):
        names = ", ".join(f"#{pk}" for pk in loose)
        return Refusal(
            f"{held.membership.agency.short_name}'s findings {names} are open and not carried forward: "
            "return the closeout so they can be addressed.",
            "open_findings",
        )
    return None


def deciding_supervisors(closeouts: Iterable[Closeout]) -> dict[int, set[int]]:
    """For each closeout, the people who may decide it now (``closeout_return_refusal`` is None):
    the active supervisors of its assigned agencies that have not decided yet, but not whoever
    requested it. In a fixed number of queries, for the reminder sweep and the notices."""
    pending = {
        closeout.pk: closeout
        for closeout in closeouts
        if closeout.state == CloseoutState.PENDING and closeout.case.state == CaseState.CLOSEOUT_REQUESTED
    }
    if not pending:
        return {}
    case_ids = {closeout.case_id for closeout in pending.values()}
    assigned: dict[int, set[int]] = defaultdict(set)
    for case_id, agency_id in CaseAgencyAssignment.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "agency_id"
    ):
        assigned[case_id].add(agency_id)
    decided: dict[int, set[int]] = defaultdict(set)
    for closeout_id, agency_id in CloseoutDecision.objects.filter(closeout_id__in=list(pending)).values_list(
        "closeout_id", "agency_id"
    ):
        decided[closeout_id].add(agency_id)
    supervisors: dict[int, set[int]] = defaultdict(set)
    agencies = {agency for agencies in assigned.values() for agency in agencies}
    for agency_id, user_id in AgencyMembership.objects.filter(
        agency_id__in=agencies, role=AgencyRole.SUPERVISOR, user__is_active=True
    ).values_list("agency_id", "user_id"):
        supervisors[agency_id].add(user_id)
    deciders: dict[int, set[int]] = {}
    for pk, closeout in pending.items():
        people: set[int] = set()
        for agency_id in assigned[closeout.case_id] - decided[pk]:
            people |= supervisors[agency_id]
        people.discard(closeout.requested_by_id)
        deciders[pk] = people
    return deciders


def closeouts_awaiting_decision_by(user: User) -> QuerySet[Closeout]:
    """The pending closeouts ``user`` may decide now (their dashboard's list): the same rule as
    ``closeout_return_refusal``, as one query."""
    from accounts.roles import agency_membership

    membership = agency_membership(user)
    if membership is None or not membership.is_supervisor:
        return Closeout.objects.none()
    return (
        Closeout.objects.filter(
            state=CloseoutState.PENDING,
            case__state=CaseState.CLOSEOUT_REQUESTED,
            case__agency_assignments__agency_id=membership.agency_id,
        )
        .exclude(decisions__agency_id=membership.agency_id)
        .exclude(requested_by=user)
    )


def closeout_return_reasons_shown_to(reader: Any) -> bool:
    """A supervisor's reason for returning a closeout may speak of one agency's findings: the
    agencies read it, the firm and the program office do not (the closeout page and the API)."""
    from accounts.roles import agency_membership

    return reader is not None and getattr(reader, "is_authenticated", False) and agency_membership(reader) is not None
