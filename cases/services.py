"""The only way models and cases change (docs/design.md, "Case lifecycle"), apart from the transitions
that reach into a case's documents and findings (submission, agency assignment, closeout), which
``workflow.services`` owns.

Each function asks its rule in ``cases.policy``, runs in one transaction, writes its AuditEvent and
queues its notices after commit. A refusal raises DomainError with a sentence a person
understands, and leaves the database as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.roles import firm_membership
from audit.actions import AuditAction
from audit.services import audit_record
from cases import policy
from cases.models import (
    REVIEW_WINDOW_MAX,
    AIModel,
    CaseAgencyAssignment,
    CaseState,
    CloseoutState,
    Modality,
    ReferenceCounter,
    ReviewCase,
    ReviewerAssignment,
)
from cases.permissions import CHANGE_CASE, CHANGE_MODEL, REVIEW_CASE, VIEW_CASE, VIEW_MODEL
from core import permissions
from core.errors import DomainError
from core.events import EventVerb, emit
from core.locking import lock_and_refresh
from core.policy import require

# Fields a firm may edit on its case with case_edit. The dates move only through
# case_move_sharing_date once the case is submitted (audited, with a reason).
DESCRIPTIVE_FIELDS = ("trusted_partners", "model_snapshot", "safeguard_configuration", "evaluator_access")
DATE_FIELDS = ("access_date", "sharing_date")


def program_today() -> datetime.date:
    """Today in the program's time zone (America/New_York)."""
    return timezone.localdate()


# --- checks shared by the services -----------------------------------------------------------


def validate_window(access_date: datetime.date | None, sharing_date: datetime.date | None) -> None:
    """0 < sharing_date - access_date <= 30 days, when both are known."""
    if access_date is None or sharing_date is None:
        return
    if sharing_date <= access_date:
        raise DomainError("The sharing date must be after the access date.", field="sharing_date")
    if sharing_date - access_date > REVIEW_WINDOW_MAX:
        days = (sharing_date - access_date).days
        raise DomainError(
            f"The review window would be {days} days; the sharing date must be at most "
            f"{REVIEW_WINDOW_MAX.days} days after the access date.",
            field="sharing_date",
        )


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
    require(policy.model_register_refusal(actor))
    membership = firm_membership(actor)
    assert membership is not None  # the policy asked
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
    audit_record(actor=actor, action=AuditAction.MODEL_REGISTERED, target=model, data={"firm": membership.firm_id})
    return model


@transaction.atomic
def ai_model_edit(*, model: AIModel, actor: User, **changes: Any) -> AIModel:
    """A liaison edits a model of their firm while none of its cases has been submitted. Each
    draft case of the model gets the change on its own audit trail."""
    model = lock_and_refresh(model)
    require(policy.model_edit_refusal(actor, model))
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
        drafts: list[ReviewCase | None] = list(model.cases.order_by("pk"))  # all drafts: not frozen
        for case in drafts or [None]:
            audit_record(actor=actor, action=AuditAction.MODEL_EDITED, target=model, case=case, data=data)
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
    require(policy.case_create_refusal(actor, model))
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
        action=AuditAction.CASE_CREATED,
        target=case,
        case=case,
        data={"reference": case.reference, "model": model.pk, "access_date": access_date, "sharing_date": sharing_date},
    )
    return case


@transaction.atomic
def case_edit(*, case: ReviewCase, actor: User, **changes: Any) -> ReviewCase:
    """The firm edits its case. Dates are editable while the case is a draft; afterwards the
    sharing date moves only through case_move_sharing_date."""
    case = lock_and_refresh(case)
    require(policy.case_edit_refusal(actor, case))
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
    audit_record(actor=actor, action=AuditAction.CASE_EDITED, target=case, case=case, data=data)
    return case


@transaction.atomic
def case_assign_reviewers(
    *, case: ReviewCase, reviewers: Iterable[User], actor: User, lead: User | None = None
) -> ReviewCase:
    """A supervisor sets their own agency's reviewers on the case (and its lead reviewer)."""
    case = lock_and_refresh(case)
    standing = policy.standing(actor, case)
    require(policy.case_assign_reviewers_refusal(actor, case, standing_=standing))
    assert standing.membership is not None  # the policy asked: a supervisor of an assigned agency
    agency = standing.membership.agency
    team = {user.pk: user for user in reviewers}
    members = set(policy.assignable_reviewers(actor).filter(pk__in=team).values_list("pk", flat=True))
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
    CaseAgencyAssignment.objects.filter(case=case, agency=agency).update(staffed=bool(team))
    audit_record(
        actor=actor,
        action=AuditAction.CASE_REVIEWERS_ASSIGNED,
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
        emit(EventVerb.CASE_REVIEWER_ASSIGNED, case=case, target=team[pk], actor=actor)
    return case


@transaction.atomic
def case_move_sharing_date(
    *, case: ReviewCase, new_sharing_date: datetime.date, reason: str, actor: User
) -> ReviewCase:
    """The firm moves its planned sharing date; the review window's deadline (and its reminders)
    move with it."""
    case = lock_and_refresh(case)
    require(policy.case_move_sharing_date_refusal(actor, case))
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
        action=AuditAction.CASE_SHARING_DATE_MOVED,
        target=case,
        case=case,
        data={"from": old, "to": new_sharing_date, "reason": reason},
    )
    if case.state != CaseState.DRAFT:
        emit(EventVerb.CASE_SHARING_DATE_MOVED, case=case, target=case, actor=actor)
    return case


def make_read_only(case: ReviewCase) -> None:
    """A closed or withdrawn case: nobody changes or reviews it any more (docs/design.md)."""
    permissions.revoke(CHANGE_CASE, [case])
    permissions.revoke(REVIEW_CASE, [case])


@transaction.atomic
def case_withdraw(*, case: ReviewCase, actor: User, reason: str = "") -> ReviewCase:
    """The firm withdraws its case, at any time before closeout. The review is voluntary."""
    case = lock_and_refresh(case)
    require(policy.case_withdraw_refusal(actor, case))
    previous = case.state
    case.state = CaseState.WITHDRAWN
    case.withdrawn_at = timezone.now()
    case.withdrawal_reason = (reason or "").strip()
    case.save(update_fields=["state", "withdrawn_at", "withdrawal_reason", "updated_at"])
    case.closeouts.filter(state=CloseoutState.PENDING).update(state=CloseoutState.CANCELLED, decided_at=timezone.now())
    make_read_only(case)
    audit_record(actor=actor, action=AuditAction.CASE_WITHDRAWN, target=case, case=case, data={"from_state": previous})
    if previous != CaseState.DRAFT:
        emit(EventVerb.CASE_WITHDRAWN, case=case, target=case, actor=actor)
    return case
