"""The only way models, cases and closeouts change (docs/design.md, "Case lifecycle").

Each function checks the actor's right and the preconditions, runs in one transaction, writes its
AuditEvent and queues its notices after commit. A refusal raises DomainError with a sentence a
person understands, and leaves the database as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.roles import agency_membership, firm_membership, is_coordinator
from agencies.models import Agency, AgencyMembership
from audit.services import audit_record
from cases.models import (
    REVIEW_WINDOW_MAX,
    AIModel,
    CarriedForwardFinding,
    CaseAgencyAssignment,
    CaseState,
    Closeout,
    CloseoutDecision,
    CloseoutState,
    Decision,
    Modality,
    ReferenceCounter,
    ReviewCase,
    ReviewerAssignment,
)
from cases.permissions import CHANGE_CASE, CHANGE_MODEL, REVIEW_CASE, VIEW_CASE, VIEW_MODEL
from core import audience, permissions
from core.errors import DomainError
from core.events import on_commit_event
from core.locking import lock_and_refresh
from documents.models import DocumentKind

# Fields a firm may edit on its case with case_edit. The dates move only through
# case_move_sharing_date once the case is submitted (audited, with a reason).
DESCRIPTIVE_FIELDS = ("trusted_partners", "model_snapshot", "safeguard_configuration", "evaluator_access")
DATE_FIELDS = ("access_date", "sharing_date")


def program_today() -> datetime.date:
    """Today in the program's time zone (America/New_York)."""
    return timezone.localdate()


# --- checks shared by the services -----------------------------------------------------------


def _require_perm(actor: User, perm: str, obj: Any, message: str) -> None:
    if not permissions.has(actor, perm, obj):
        raise DomainError(message, code="forbidden")


def require_open(case: ReviewCase) -> None:
    if case.is_read_only:
        raise DomainError(f"Case {case.reference} is {case.get_state_display().lower()}: it is read-only.")


def require_case_perm(actor: User, perm: str, case: ReviewCase, message: str) -> None:
    """``actor`` holds ``perm`` on the case, or is refused. Closing or withdrawing a case revokes
    the change and review rights, so someone who can still see the case is told the real reason
    (it is read-only) rather than that they have no right; others learn nothing about it."""
    if permissions.has(actor, perm, case):
        return
    if permissions.has(actor, VIEW_CASE, case):
        case.refresh_from_db(fields=["state"])
        require_open(case)
    raise DomainError(message, code="forbidden")


def _require_state(case: ReviewCase, *states: str, doing: str) -> None:
    if case.state not in states:
        allowed = " or ".join(CaseState(s).label.lower() for s in states)
        raise DomainError(
            f"Case {case.reference} is {case.get_state_display().lower()}; you can {doing} only when it is {allowed}."
        )


def validate_window(access_date: datetime.date | None, sharing_date: datetime.date | None) -> None:
    """0 < sharing_date - access_date <= 30 days, when both are known."""
    if access_date is None or sharing_date is None:
        return
    if sharing_date <= access_date:
        raise DomainError("The sharing date must be after the access date.")
    if sharing_date - access_date > REVIEW_WINDOW_MAX:
        days = (sharing_date - access_date).days
        raise DomainError(
            f"The review window would be {days} days; the sharing date must be at most "
            f"{REVIEW_WINDOW_MAX.days} days after the access date."
        )


def require_agency_member(actor: User, case: ReviewCase, *, doing: str) -> AgencyMembership:
    """The actor's agency membership, if their agency is assigned to the case and it is open."""
    message = f"Only reviewers of an agency assigned to {case.reference} can {doing}."
    membership = agency_membership(actor)
    if membership is None:
        raise DomainError(message, code="forbidden")
    require_case_perm(actor, REVIEW_CASE, case, message)
    require_open(case)
    return membership


# --- models ----------------------------------------------------------------------------------


def _clean_modalities(modalities: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(modalities))
    unknown = [m for m in cleaned if m not in Modality.values]
    if unknown:
        raise DomainError(f"Unknown modality: {', '.join(unknown)}. Choose from {', '.join(Modality.values)}.")
    return cleaned


@transaction.atomic
def ai_model_register(
    *,
    actor: User,
    name: str,
    version: str,
    description: str = "",
    modalities: Iterable[str] = (),
    intended_partners: str = "",
) -> AIModel:
    """A firm liaison registers a model version of their firm."""
    membership = firm_membership(actor)
    if membership is None:
        raise DomainError("Only a firm liaison can register a model.", code="forbidden")
    name, version = name.strip(), version.strip()
    if not name or not version:
        raise DomainError("A model needs a name and a version.")
    if AIModel.objects.filter(firm=membership.firm, name__iexact=name, version__iexact=version).exists():
        raise DomainError(f"{name} {version} is already registered for {membership.firm.name}.")
    model = AIModel.objects.create(
        firm=membership.firm,
        name=name,
        version=version,
        description=description.strip(),
        modalities=_clean_modalities(modalities),
        intended_partners=intended_partners.strip(),
        created_by=actor,
    )
    permissions.grant(VIEW_MODEL, [membership.firm.group], [model])
    permissions.grant(CHANGE_MODEL, [membership.firm.group], [model])
    audit_record(actor=actor, action="model.registered", target=model, data={"firm": membership.firm_id})
    return model


def model_frozen_reason(model: AIModel) -> str | None:
    """Why ``model`` can no longer be edited, or None. Once one of its cases has been submitted,
    the model is part of that review's record: every role reads its name, version and description
    on the case, so they never change afterwards (a firm registers a new version instead)."""
    submitted = model.cases.exclude(state=CaseState.DRAFT).order_by("reference").values_list("reference", flat=True)
    references = list(submitted[:3])
    if not references:
        return None
    return (
        f"{model} has been submitted for review ({', '.join(references)}), so what reviewers read of it is "
        "frozen. Register a new version to change it."
    )


@transaction.atomic
def ai_model_edit(*, model: AIModel, actor: User, **changes: Any) -> AIModel:
    """A liaison edits a model of their firm while none of its cases has been submitted. Each
    draft case of the model gets the change on its own audit trail."""
    _require_perm(actor, CHANGE_MODEL, model, "Only a liaison of the model's firm can edit it.")
    model = lock_and_refresh(model)
    frozen = model_frozen_reason(model)
    if frozen:
        raise DomainError(frozen)
    allowed = {"name", "version", "description", "modalities", "intended_partners"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    if "modalities" in changes:
        changes["modalities"] = _clean_modalities(changes["modalities"])
    for field in ("name", "version"):
        if field in changes:
            changes[field] = str(changes[field]).strip()
            if not changes[field]:
                raise DomainError(f"A model needs a {field}.")
    name, version = changes.get("name", model.name), changes.get("version", model.version)
    clash = AIModel.objects.filter(firm_id=model.firm_id, name__iexact=name, version__iexact=version)
    if clash.exclude(pk=model.pk).exists():
        raise DomainError(f"{name} {version} is already registered for your firm.")
    changed = [field for field, value in changes.items() if getattr(model, field) != value]
    for field in changed:
        setattr(model, field, changes[field])
    if changed:
        model.save(update_fields=changed)
        data = {"fields": sorted(changed), "model": str(model)}
        drafts = list(model.cases.order_by("pk"))  # all drafts: the model is not frozen
        for case in drafts or [None]:
            audit_record(actor=actor, action="model.edited", target=model, case=case, data=data)
    return model


# --- cases -----------------------------------------------------------------------------------


def _next_reference() -> str:
    """CP-<year>-<nnnn>: unique and gap-free per year, even under concurrent creation.

    The year's counter row is created if missing (a concurrent creator waits on the unique key),
    then locked and incremented in the caller's transaction: a rolled-back case rolls its number
    back too, so no number is skipped.
    """
    year = program_today().year
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year, last_number=0)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    return f"CP-{year}-{counter.last_number:04d}"


@transaction.atomic
def case_create(
    *,
    model: AIModel,
    actor: User,
    access_date: datetime.date | None = None,
    sharing_date: datetime.date | None = None,
    trusted_partners: str = "",
    model_snapshot: str = "",
    safeguard_configuration: str = "",
    evaluator_access: str = "",
) -> ReviewCase:
    """A firm liaison opens a draft review case for one of their firm's models."""
    _require_perm(actor, CHANGE_MODEL, model, "Only a liaison of the model's firm can open a case for it.")
    validate_window(access_date, sharing_date)
    case = ReviewCase.objects.create(
        model=model,
        reference=_next_reference(),
        access_date=access_date,
        sharing_date=sharing_date,
        trusted_partners=trusted_partners.strip(),
        model_snapshot=model_snapshot.strip(),
        safeguard_configuration=safeguard_configuration.strip(),
        evaluator_access=evaluator_access.strip(),
        created_by=actor,
    )
    firm_group = model.firm.group
    permissions.grant(VIEW_CASE, [firm_group], [case])
    permissions.grant(CHANGE_CASE, [firm_group], [case])
    audit_record(
        actor=actor,
        action="case.created",
        target=case,
        case=case,
        data={"reference": case.reference, "model": model.pk, "access_date": access_date, "sharing_date": sharing_date},
    )
    return case


@transaction.atomic
def case_edit(*, case: ReviewCase, actor: User, **changes: Any) -> ReviewCase:
    """The firm edits its case. Dates are editable while the case is a draft; afterwards the
    sharing date moves only through case_move_sharing_date."""
    require_case_perm(actor, CHANGE_CASE, case, "Only a liaison of the case's firm can edit it.")
    case = lock_and_refresh(case)
    require_open(case)
    allowed = DESCRIPTIVE_FIELDS + (DATE_FIELDS if case.state == CaseState.DRAFT else ())
    unknown = set(changes) - set(allowed)
    if unknown:
        if set(unknown) & set(DATE_FIELDS):
            raise DomainError(
                "Once a case is submitted its access date is fixed and its sharing date moves only "
                "through 'Move the sharing date', with a reason."
            )
        raise DomainError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    for field in DESCRIPTIVE_FIELDS:
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    validate_window(changes.get("access_date", case.access_date), changes.get("sharing_date", case.sharing_date))
    changed = [field for field, value in changes.items() if getattr(case, field) != value]
    if not changed:
        return case
    before = {field: getattr(case, field) for field in changed if field in DATE_FIELDS}
    for field in changed:
        setattr(case, field, changes[field])
    case.save(update_fields=[*changed, "updated_at"])
    data: dict[str, Any] = {"fields": sorted(changed)}
    for field, old in before.items():
        data[field] = {"from": old, "to": getattr(case, field)}
    audit_record(actor=actor, action="case.edited", target=case, case=case, data=data)
    return case


def _missing_documents(case: ReviewCase) -> list[str]:
    present = set(
        case.documents.filter(agency__isnull=True, versions__isnull=False).values_list("kind", flat=True).distinct()
    )
    required = ((DocumentKind.SYSTEM_CARD, "a system card"), (DocumentKind.ACCESS_INSTRUCTIONS, "access instructions"))
    return [wanted for kind, wanted in required if kind not in present]


@transaction.atomic
def case_submit(*, case: ReviewCase, actor: User) -> ReviewCase:
    """The firm submits its draft for triage by the program office."""
    require_case_perm(actor, CHANGE_CASE, case, "Only a liaison of the case's firm can submit it.")
    # The model first, as ai_model_edit locks it: an edit and a submission never cross.
    lock_and_refresh(case.model)
    case = lock_and_refresh(case)
    _require_state(case, CaseState.DRAFT, doing="submit a case")
    problems = []
    if case.access_date is None:
        problems.append("an access date")
    if case.sharing_date is None:
        problems.append("a sharing date")
    elif case.sharing_date <= program_today():
        raise DomainError("The sharing date must be in the future to submit the case.")
    problems += _missing_documents(case)
    if problems:
        raise DomainError(f"Before submitting {case.reference}, add {', '.join(problems)}.")
    validate_window(case.access_date, case.sharing_date)
    case.state = CaseState.SUBMITTED
    case.submitted_at = timezone.now()
    case.save(update_fields=["state", "submitted_at", "updated_at"])
    permissions.grant(VIEW_CASE, [permissions.coordinators_group()], [case])
    audit_record(actor=actor, action="case.submitted", target=case, case=case, data={"state": case.state})
    on_commit_event("case.submitted", case=case, target=case, actor=actor)
    return case


@transaction.atomic
def case_assign_agencies(*, case: ReviewCase, agencies: Iterable[Agency], actor: User) -> ReviewCase:
    """A coordinator sets which agencies review the case; the first assignment starts the review."""
    if not is_coordinator(actor):
        raise DomainError("Only a program coordinator can assign agencies.", code="forbidden")
    case = lock_and_refresh(case)
    require_open(case)
    _require_state(case, CaseState.SUBMITTED, CaseState.IN_REVIEW, doing="assign agencies")
    wanted = {agency.pk: agency for agency in agencies}
    if not wanted:
        raise DomainError("Assign at least one agency.")
    current = {a.agency_id: a for a in case.agency_assignments.select_related("agency__group")}
    removed = [current[pk].agency for pk in current.keys() - wanted.keys()]
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    for agency in removed:
        if case.findings.filter(agency=agency).exists() or case.documents.filter(agency=agency).exists():
            raise DomainError(
                f"{agency.short_name} has findings or working files on {case.reference} and cannot be unassigned."
            )
    if not added and not removed:
        return case
    CaseAgencyAssignment.objects.bulk_create(
        [CaseAgencyAssignment(case=case, agency=agency, assigned_by=actor) for agency in added]
    )
    if removed:
        removed_groups = [agency.group for agency in removed]
        case.agency_assignments.filter(agency__in=removed).delete()
        case.reviewer_assignments.filter(agency__in=removed).delete()
        permissions.revoke(VIEW_CASE, [case], removed_groups)
        permissions.revoke(REVIEW_CASE, [case], removed_groups)
    added_groups = [agency.group for agency in added]
    permissions.grant(VIEW_CASE, added_groups, [case])
    permissions.grant(REVIEW_CASE, added_groups, [case])
    audience.sync_case(case)
    update = ["updated_at"]
    if case.state == CaseState.SUBMITTED:
        case.state = CaseState.IN_REVIEW
        update.append("state")
    case.save(update_fields=update)
    audit_record(
        actor=actor,
        action="case.agencies_assigned",
        target=case,
        case=case,
        data={
            "added": sorted(a.code for a in added),
            "removed": sorted(a.code for a in removed),
            "state": case.state,
        },
    )
    for agency in added:
        on_commit_event("case.agency_assigned", case=case, target=agency, actor=actor)
    return case


@transaction.atomic
def case_assign_reviewers(
    *, case: ReviewCase, reviewers: Iterable[User], actor: User, lead: User | None = None
) -> ReviewCase:
    """A supervisor sets their own agency's reviewers on the case (and its lead reviewer)."""
    membership = agency_membership(actor)
    if membership is None or not membership.is_supervisor:
        raise DomainError("Only an agency supervisor can assign reviewers.", code="forbidden")
    require_case_perm(actor, REVIEW_CASE, case, f"Your agency is not assigned to {case.reference}.")
    case = lock_and_refresh(case)
    _require_state(case, CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED, doing="assign reviewers")
    agency = membership.agency
    team = {user.pk: user for user in reviewers}
    members = set(
        AgencyMembership.objects.filter(agency=agency, user__in=team, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    outsiders = [team[pk] for pk in team.keys() - members]
    if outsiders:
        raise DomainError(
            f"Only active members of {agency.short_name} can be assigned: {', '.join(u.email for u in outsiders)}."
        )
    if lead is not None and lead.pk not in team:
        raise DomainError("The lead reviewer must be one of the assigned reviewers.")
    before = set(case.reviewer_assignments.filter(agency=agency).values_list("reviewer_id", flat=True))
    case.reviewer_assignments.filter(agency=agency).delete()
    ReviewerAssignment.objects.bulk_create(
        [
            ReviewerAssignment(
                case=case,
                reviewer=user,
                agency=agency,
                is_lead=lead is not None and user.pk == lead.pk,
                assigned_by=actor,
            )
            for user in team.values()
        ]
    )
    audit_record(
        actor=actor,
        action="case.reviewers_assigned",
        target=case,
        case=case,
        data={
            "agency": agency.code,
            "reviewers": sorted(team),
            "added": sorted(team.keys() - before),
            "removed": sorted(before - team.keys()),
            "lead": lead.pk if lead else None,
        },
    )
    for pk in sorted(team.keys() - before):
        on_commit_event("case.reviewer_assigned", case=case, target=team[pk], actor=actor)
    return case


@transaction.atomic
def case_move_sharing_date(
    *, case: ReviewCase, new_sharing_date: datetime.date, reason: str, actor: User
) -> ReviewCase:
    """The firm moves its planned sharing date; the review window's deadline (and its reminders)
    move with it."""
    require_case_perm(actor, CHANGE_CASE, case, "Only a liaison of the case's firm can move its sharing date.")
    case = lock_and_refresh(case)
    require_open(case)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the sharing date moves: the reason is kept in the case record.")
    if new_sharing_date == case.sharing_date:
        raise DomainError("That is already the sharing date.")
    if new_sharing_date < program_today():
        raise DomainError("The new sharing date cannot be in the past.")
    validate_window(case.access_date, new_sharing_date)
    old = case.sharing_date
    case.sharing_date = new_sharing_date
    case.save(update_fields=["sharing_date", "updated_at"])
    audit_record(
        actor=actor,
        action="case.sharing_date_moved",
        target=case,
        case=case,
        data={"from": old, "to": new_sharing_date, "reason": reason},
    )
    if case.state != CaseState.DRAFT:
        on_commit_event("case.sharing_date_moved", case=case, target=case, actor=actor)
    return case


def _make_read_only(case: ReviewCase) -> None:
    permissions.revoke(CHANGE_CASE, [case])
    permissions.revoke(REVIEW_CASE, [case])


@transaction.atomic
def case_withdraw(*, case: ReviewCase, actor: User, reason: str = "") -> ReviewCase:
    """The firm withdraws its case, at any time before closeout. The review is voluntary."""
    require_case_perm(actor, CHANGE_CASE, case, "Only a liaison of the case's firm can withdraw it.")
    case = lock_and_refresh(case)
    require_open(case)
    _require_state(
        case,
        CaseState.DRAFT,
        CaseState.SUBMITTED,
        CaseState.IN_REVIEW,
        CaseState.CLOSEOUT_REQUESTED,
        doing="withdraw a case",
    )
    previous = case.state
    case.state = CaseState.WITHDRAWN
    case.withdrawn_at = timezone.now()
    case.withdrawal_reason = (reason or "").strip()
    case.save(update_fields=["state", "withdrawn_at", "withdrawal_reason", "updated_at"])
    case.closeouts.filter(state=CloseoutState.PENDING).update(state=CloseoutState.CANCELLED, decided_at=timezone.now())
    _make_read_only(case)
    audit_record(actor=actor, action="case.withdrawn", target=case, case=case, data={"from_state": previous})
    if previous != CaseState.DRAFT:
        on_commit_event("case.withdrawn", case=case, target=case, actor=actor)
    return case


# --- closeout --------------------------------------------------------------------------------


def _open_released_findings(case: ReviewCase) -> Any:
    from findings.models import FindingState

    return case.findings.filter(
        released_at__isnull=False, state__in=[FindingState.RELEASED, FindingState.FIRM_RESPONDED]
    )


@transaction.atomic
def closeout_request(
    *, case: ReviewCase, actor: User, summary: str, carried_forward: Mapping[int, str] | None = None
) -> Closeout:
    """A reviewer of an assigned agency asks to conclude the review.

    Every released finding the requester can see must be resolved or withdrawn, or carried
    forward with a reason (a firm may decline to act; the closeout records it). Each agency's
    supervisor answers for their own agency's findings when they decide.
    """
    from findings.selectors import findings_for

    require_agency_member(actor, case, doing="request a closeout")
    case = lock_and_refresh(case)
    _require_state(case, CaseState.IN_REVIEW, doing="request a closeout")
    summary = (summary or "").strip()
    if not summary:
        raise DomainError("Write a summary of the review for the closeout.")
    reasons = {int(pk): (text or "").strip() for pk, text in (carried_forward or {}).items()}
    open_findings = list(findings_for(actor).filter(pk__in=_open_released_findings(case).values("pk")))
    open_ids = {finding.pk for finding in open_findings}
    strays = set(reasons) - open_ids
    if strays:
        raise DomainError("Only open released findings of this case can be carried forward.")
    unexplained = [f for f in open_findings if not reasons.get(f.pk)]
    if unexplained:
        names = ", ".join(f"#{f.pk}" for f in unexplained)
        raise DomainError(
            f"Findings {names} are still open: resolve or withdraw them, or carry them forward with a reason."
        )
    closeout = Closeout.objects.create(case=case, requested_by=actor, summary=summary)
    CarriedForwardFinding.objects.bulk_create(
        [CarriedForwardFinding(closeout=closeout, finding=f, reason=reasons[f.pk]) for f in open_findings]
    )
    case.state = CaseState.CLOSEOUT_REQUESTED
    case.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="closeout.requested",
        target=closeout,
        case=case,
        data={"closeout": closeout.pk, "carried_forward": sorted(open_ids)},
    )
    on_commit_event("closeout.requested", case=case, target=closeout, actor=actor)
    return closeout


@transaction.atomic
def closeout_decide(*, closeout: Closeout, actor: User, approve: bool, reason: str = "") -> CloseoutDecision:
    """A supervisor of an assigned agency approves the closeout for their agency, or returns it
    with a reason. The case closes when every assigned agency has approved. The person who asked
    for the closeout cannot decide it."""
    membership = require_agency_member(actor, closeout.case, doing="decide a closeout")
    if not membership.is_supervisor:
        raise DomainError("Only a supervisor can approve or return a closeout.", code="forbidden")
    case = lock_and_refresh(closeout.case)
    closeout = Closeout.objects.select_for_update().get(pk=closeout.pk)
    if closeout.state != CloseoutState.PENDING or case.state != CaseState.CLOSEOUT_REQUESTED:
        raise DomainError(f"This closeout is {closeout.get_state_display().lower()}; there is nothing to decide.")
    if closeout.requested_by_id == actor.pk:
        raise DomainError("You requested this closeout, so another supervisor must decide it.")
    agency = membership.agency
    if closeout.decisions.filter(agency=agency).exists():
        raise DomainError(f"{agency.short_name} has already decided on this closeout.")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("Say why the closeout is returned: the reviewers will see your reason.")
    if approve:
        carried = set(closeout.carried_forward.values_list("finding_id", flat=True))
        loose = _open_released_findings(case).filter(agency=agency).exclude(pk__in=carried)
        if loose.exists():
            names = ", ".join(f"#{pk}" for pk in loose.values_list("pk", flat=True))
            raise DomainError(
                f"{agency.short_name}'s findings {names} are open and not carried forward: "
                "return the closeout so they can be addressed."
            )
    decision = CloseoutDecision.objects.create(
        closeout=closeout,
        agency=agency,
        supervisor=actor,
        decision=Decision.APPROVED if approve else Decision.RETURNED,
        reason=reason,
    )
    now = timezone.now()
    if not approve:
        closeout.state = CloseoutState.RETURNED
        closeout.decided_at = now
        closeout.save(update_fields=["state", "decided_at"])
        case.state = CaseState.IN_REVIEW
        case.save(update_fields=["state", "updated_at"])
        outcome = "returned"
    else:
        assigned = set(case.agency_assignments.values_list("agency_id", flat=True))
        approved = set(closeout.decisions.filter(decision=Decision.APPROVED).values_list("agency_id", flat=True))
        outcome = "approved"
        if assigned <= approved:
            closeout.state = CloseoutState.APPROVED
            closeout.decided_at = now
            closeout.save(update_fields=["state", "decided_at"])
            case.state = CaseState.CLOSED
            case.closed_at = now
            case.save(update_fields=["state", "closed_at", "updated_at"])
            _make_read_only(case)
            outcome = "closed"
    audit_record(
        actor=actor,
        action=f"closeout.{'approved' if approve else 'returned'}",
        target=closeout,
        case=case,
        data={"closeout": closeout.pk, "agency": agency.code, "outcome": outcome},
    )
    on_commit_event("closeout.decided", case=case, target=decision, actor=actor)
    if outcome == "closed":
        audit_record(
            actor=actor,
            action="case.closed",
            target=case,
            case=case,
            data={"closeout": closeout.pk, "record": "Review concluded. This is not a permission to deploy."},
        )
        on_commit_event("case.closed", case=case, target=case, actor=actor)
    return decision
