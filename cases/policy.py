"""Who may do what to a model or a case, now: the lifecycle on one screen, and one rule per action.

``LIFECYCLE`` is the table of docs/design.md's case lifecycle: for every action on a case (and on its
documents, findings, comments and closeouts), the case states in which it may happen and who does
it. Every policy function of the portal starts from it (``step_refusal``), then adds what the one
object says (a finding's state, a closeout's decisions, the documents a submission needs). The
services raise the answer; the pages, dashboards, API and reminder sweep ask the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.roles import agency_membership, firm_membership, is_coordinator
from agencies.models import AgencyMembership
from cases.models import AIModel, CaseAgencyAssignment, CaseState, ReviewCase
from cases.permissions import CHANGE_MODEL, VIEW_CASE
from core import permissions
from core.policy import Refusal, forbidden

if TYPE_CHECKING:
    from accounts.models import User


class Role(StrEnum):
    """What a person is to one case."""

    FIRM = "firm"  # a liaison of the case's firm
    REVIEWER = "reviewer"  # a member (reviewer or supervisor) of an agency assigned to the case
    SUPERVISOR = "supervisor"  # a supervisor of an agency assigned to the case
    COORDINATOR = "coordinator"  # the program office


@dataclass(frozen=True)
class Step:
    states: tuple[CaseState, ...]
    roles: frozenset[Role]
    doing: str  # "submit a case": what the refusals say one can or cannot do


_S = CaseState
OPEN = (_S.DRAFT, _S.SUBMITTED, _S.IN_REVIEW, _S.CLOSEOUT_REQUESTED)
REVIEWING = (_S.IN_REVIEW, _S.CLOSEOUT_REQUESTED)
# A case the firm offered for review and did not withdraw: on its sharing date the firm may attest
# what it shares (a case concluded before its window ended included).
SHARED = (_S.SUBMITTED, _S.IN_REVIEW, _S.CLOSEOUT_REQUESTED, _S.CLOSED)
FIRM = frozenset({Role.FIRM})
AGENCY = frozenset({Role.REVIEWER, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})
PROGRAM_OFFICE = frozenset({Role.COORDINATOR})

# fmt: off
# action                        states                               who              doing
LIFECYCLE: dict[str, Step] = {
    "case.edit":                Step(OPEN,                           FIRM,            "edit it"),
    "case.submit":              Step((_S.DRAFT,),                    FIRM,            "submit it"),
    "case.move_sharing_date":   Step(OPEN,                           FIRM,            "move its sharing date"),
    "case.withdraw":            Step(OPEN,                           FIRM,            "withdraw it"),
    "case.assign_agencies":     Step((_S.SUBMITTED, _S.IN_REVIEW),   PROGRAM_OFFICE,  "assign agencies"),
    "case.assign_reviewers":    Step(REVIEWING,                      SUPERVISORS,     "assign reviewers"),
    "document.upload":          Step(OPEN,                           FIRM | AGENCY,   "upload documents"),
    "finding.draft":            Step((_S.IN_REVIEW,),                AGENCY,          "write findings"),
    "finding.edit":             Step(REVIEWING,                      AGENCY,          "edit findings"),
    "finding.release":          Step((_S.IN_REVIEW,),                AGENCY,          "release findings"),
    "finding.request_release":  Step((_S.IN_REVIEW,),                AGENCY,          "ask for a release"),
    "finding.withdraw":         Step(REVIEWING,                      AGENCY,          "withdraw findings"),
    "finding.resolve":          Step(REVIEWING,                      AGENCY,          "resolve findings"),
    "finding.send_back":        Step(REVIEWING,                      AGENCY,          "send responses back"),
    "finding.respond":          Step(REVIEWING,                      FIRM,            "answer its findings"),
    "comment.add":              Step(OPEN,                           FIRM | AGENCY,   "comment"),
    "closeout.request":         Step((_S.IN_REVIEW,),                AGENCY,          "request a closeout"),
    "closeout.decide":          Step((_S.CLOSEOUT_REQUESTED,),       SUPERVISORS,     "decide a closeout"),
    "configuration.add":        Step(OPEN,                           FIRM,            "add tested configurations"),
    "configuration.revise":     Step(OPEN,                           FIRM,            "change tested configurations"),
    "ledger.record":            Step(REVIEWING,                      AGENCY,          "record access"),
    "ledger.comment":           Step(REVIEWING,                      FIRM | AGENCY,   "comment on the access ledger"),
    "case.attest_sharing":      Step(SHARED,                         FIRM,            "attest what it shares"),
}
# fmt: on

# What someone whose role it is not is told, by who does the action.
WHO = {
    FIRM: "Only a liaison of the case's firm can {doing}.",
    AGENCY: "Only reviewers of an agency assigned to {case} can {doing}.",
    SUPERVISORS: "Only a supervisor of an agency assigned to {case} can {doing}.",
    PROGRAM_OFFICE: "Only a program coordinator can {doing}.",
    FIRM | AGENCY: "Only the firm's liaisons and the assigned agencies' reviewers can {doing} on {case}.",
}


@dataclass(frozen=True)
class Standing:
    """Who a person is to one case: their roles there, and their agency when it is assigned."""

    roles: frozenset[Role]
    membership: AgencyMembership | None = None  # the person's agency membership, when that agency is assigned

    @property
    def agency_id(self) -> int | None:
        return self.membership.agency_id if self.membership else None


NO_STANDING = Standing(frozenset())


def standing(actor: Any, case: ReviewCase, *, seen: bool = False) -> Standing:
    """The person's roles on ``case``: none unless they may see it at all. Two indexed queries at
    most (the case permission, and the agency assignment for agency members); ``seen`` skips the
    first when the caller fetched the case through ``cases.selectors.get_case_for`` already."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active or case.pk is None:
        return NO_STANDING
    if not seen and not permissions.has(actor, VIEW_CASE, case):
        return NO_STANDING
    roles: set[Role] = set()
    membership = None
    if (firm := firm_membership(actor)) is not None and firm.firm_id == case.model.firm_id:
        roles.add(Role.FIRM)
    elif (agency := agency_membership(actor)) is not None:
        if _assigned(case, agency.agency_id):
            membership = agency
            roles.add(Role.REVIEWER)
            if agency.is_supervisor:
                roles.add(Role.SUPERVISOR)
    elif is_coordinator(actor):
        roles.add(Role.COORDINATOR)
    return Standing(frozenset(roles), membership)


def _assigned(case: ReviewCase, agency_id: int) -> bool:
    """Is the agency assigned to the case? Read from the case's agency assignments when the caller
    fetched them already in this request (a page that lists them), else one indexed query."""
    fetched = getattr(case, "_prefetched_objects_cache", {}).get("agency_assignments")
    if fetched is not None:
        return any(assignment.agency_id == agency_id for assignment in fetched)
    return CaseAgencyAssignment.objects.filter(case=case, agency_id=agency_id).exists()


def _state_label(case: ReviewCase) -> str:
    return case.get_state_display().lower()


def read_only_refusal(case: ReviewCase) -> Refusal | None:
    if case.is_read_only:
        return Refusal(f"Case {case.reference} is {_state_label(case)}: it is read-only.", "read_only")
    return None


def role_refusal(action: str, actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    """The table's answer on who: is ``action`` on ``case`` the person's to do at all?"""
    step = LIFECYCLE[action]
    held = (standing_ or standing(actor, case)).roles
    if not held & step.roles:
        return forbidden(WHO[step.roles].format(case=case.reference, doing=step.doing))
    return None


def state_refusal(action: str, case: ReviewCase) -> Refusal | None:
    """The table's answer on when: may ``action`` happen in the case's state?"""
    step = LIFECYCLE[action]
    if case.state in step.states:
        return None
    if refusal := read_only_refusal(case):
        return refusal
    allowed = " or ".join(CaseState(s).label.lower() for s in step.states)
    return Refusal(f"Case {case.reference} is {_state_label(case)}; you can {step.doing} only when it is {allowed}.")


def step_refusal(action: str, actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    """The table's answer for ``action`` on ``case``: the person's role, then the case's state."""
    return role_refusal(action, actor, case, standing_=standing_) or state_refusal(action, case)


# --- models ------------------------------------------------------------------------------------


def model_register_refusal(actor: Any) -> Refusal | None:
    if firm_membership(actor) is None:
        return forbidden("Only a firm liaison can register a model.")
    return None


def model_frozen_refusal(model: AIModel) -> Refusal | None:
    """Once one of its cases has been submitted, a model is part of that review's record: every
    role reads its name, version and description on the case, so they never change afterwards
    (a firm registers a new version instead)."""
    submitted = model.cases.exclude(state=CaseState.DRAFT).order_by("reference").values_list("reference", flat=True)
    references = list(submitted[:3])
    if not references:
        return None
    return Refusal(
        f"{model} has been submitted for review ({', '.join(references)}), so what reviewers read of it is "
        "frozen. Register a new version to change it.",
        "frozen",
    )


def model_edit_refusal(actor: Any, model: AIModel) -> Refusal | None:
    if not permissions.has(actor, CHANGE_MODEL, model):
        return forbidden("Only a liaison of the model's firm can edit it.")
    return model_frozen_refusal(model)


def case_create_refusal(actor: Any, model: AIModel) -> Refusal | None:
    if not permissions.has(actor, CHANGE_MODEL, model):
        return forbidden("Only a liaison of the model's firm can open a case for it.")
    return None


# --- cases -------------------------------------------------------------------------------------


def case_edit_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    return step_refusal("case.edit", actor, case, standing_=standing_)


def case_move_sharing_date_refusal(
    actor: Any, case: ReviewCase, *, standing_: Standing | None = None
) -> Refusal | None:
    return step_refusal("case.move_sharing_date", actor, case, standing_=standing_)


def case_withdraw_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    return step_refusal("case.withdraw", actor, case, standing_=standing_)


def case_assign_reviewers_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    return step_refusal("case.assign_reviewers", actor, case, standing_=standing_)


def assignable_reviewers(actor: Any) -> QuerySet[User]:
    """Whom a supervisor may put on a case: the active members of their own agency (nobody, for
    anyone else). The assign page offers exactly these, the service refuses anyone else, and the
    API resolves the ids it is sent among them only, so that an id names no other account."""
    from accounts.models import User

    membership = agency_membership(actor)
    if membership is None:
        return User.objects.none()
    return User.objects.filter(agency_membership__agency_id=membership.agency_id, is_active=True).order_by(
        "full_name", "email"
    )


def staffing_shown_to(reader: Any) -> bool:
    """Whether agencies have put reviewers on cases is the government's and the program office's to
    read and filter on ("no reviewer" flags, the case list's Reviewers filter); not a firm's, and
    not without a reader."""
    if reader is None or not getattr(reader, "is_authenticated", False) or not reader.is_active:
        return False
    return firm_membership(reader) is None


def operational_detail_shown_to(reader: Any) -> bool:
    """The firm's operational detail (a case's safeguard configuration and how evaluators get
    access; a tested configuration's safeguard version, access method, fingerprint and notes) is
    for the firm and the reviewing agencies: coordinators see case metadata, not contents. The case
    page, the configurations page and the API ask this; without a reader it is withheld."""
    if reader is None or not getattr(reader, "is_authenticated", False) or not reader.is_active:
        return False
    return not is_coordinator(reader)
