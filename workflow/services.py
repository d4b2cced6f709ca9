"""The transitions of a case that reach into its documents and findings: submitting it (the
firm's documents must be there), assigning its agencies (every document, finding and comment is
re-scoped to the new audience), and concluding the review (the closeout answers for the findings).

They sit above ``cases``, ``documents`` and ``findings`` so that those apps never import each other
upward. Each function asks its rule in ``workflow.policy``, runs in one transaction, writes its
AuditEvent and queues its notices after commit; a refusal raises DomainError and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import (
    CarriedForwardFinding,
    CaseAgencyAssignment,
    CaseState,
    Closeout,
    CloseoutDecision,
    CloseoutState,
    Decision,
    ReviewCase,
)
from cases.permissions import REVIEW_CASE, VIEW_CASE
from cases.policy import standing
from cases.services import make_read_only, validate_window
from core import permissions
from core.errors import DomainError
from core.events import EventVerb, emit
from core.locking import lock_and_refresh
from core.policy import require
from documents.audience import sync_document
from findings.audience import sync_comment, sync_finding
from records.services import closeout_records_store
from workflow import policy


def _rescope(case: ReviewCase) -> None:
    """Re-scope every compartmented object of the case to its audience (after its agencies changed)."""
    for document in case.documents.select_related("agency__group", "case__model__firm__group"):
        sync_document(document)
    for finding in case.findings.select_related("agency__group", "case__model__firm__group"):
        sync_finding(finding)
    for comment in case.comments.filter(finding__isnull=True).select_related(
        "agency__group", "case__model__firm__group"
    ):
        sync_comment(comment)


@transaction.atomic
def case_submit(*, case: ReviewCase, actor: User) -> ReviewCase:
    """The firm submits its draft for triage by the program office."""
    # The model first, as ai_model_edit locks it: an edit and a submission never cross.
    lock_and_refresh(case.model)
    case = lock_and_refresh(case)
    require(policy.case_submit_refusal(actor, case))
    validate_window(case.access_date, case.sharing_date)
    case.state = CaseState.SUBMITTED
    case.submitted_at = timezone.now()
    case.save(update_fields=["state", "submitted_at", "updated_at"])
    permissions.grant(VIEW_CASE, [permissions.coordinators_group()], [case])
    audit_record(actor=actor, action=AuditAction.CASE_SUBMITTED, target=case, case=case, data={"state": case.state})
    emit(EventVerb.CASE_SUBMITTED, case=case, target=case, actor=actor)
    return case


@transaction.atomic
def case_assign_agencies(*, case: ReviewCase, agencies: Iterable[Agency], actor: User) -> ReviewCase:
    """A coordinator sets which agencies review the case; the first assignment starts the review."""
    case = lock_and_refresh(case)
    require(policy.case_assign_agencies_refusal(actor, case))
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
    _rescope(case)
    update = ["updated_at"]
    if case.state == CaseState.SUBMITTED:
        case.state = CaseState.IN_REVIEW
        update.append("state")
    case.save(update_fields=update)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_AGENCIES_ASSIGNED,
        target=case,
        case=case,
        data={
            "added": sorted(a.code for a in added),
            "removed": sorted(a.code for a in removed),
            "state": case.state,
        },
    )
    for agency in added:
        emit(EventVerb.CASE_AGENCY_ASSIGNED, case=case, target=agency, actor=actor)
    return case


# --- closeout ---------------------------------------------------------------------------------


@transaction.atomic
def closeout_request(
    *, case: ReviewCase, actor: User, summary: str, carried_forward: Mapping[int, str] | None = None
) -> Closeout:
    """A reviewer of an assigned agency asks to conclude the review.

    Every released finding the requester can see must be resolved or withdrawn, or carried
    forward with a reason (a firm may decline to act; the closeout records it). Each agency's
    supervisor answers for their own agency's findings when they decide.
    """
    case = lock_and_refresh(case)
    require(policy.closeout_request_refusal(actor, case))
    summary = (summary or "").strip()
    if not summary:
        raise DomainError("Write a summary of the review for the closeout.")
    reasons = {int(pk): (text or "").strip() for pk, text in (carried_forward or {}).items()}
    open_findings = list(policy.open_released_findings_for(actor, case))
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
        action=AuditAction.CLOSEOUT_REQUESTED,
        target=closeout,
        case=case,
        data={"closeout": closeout.pk, "carried_forward": sorted(open_ids)},
    )
    emit(EventVerb.CLOSEOUT_REQUESTED, case=case, target=closeout, actor=actor)
    return closeout


@transaction.atomic
def closeout_decide(
    *, closeout: Closeout, actor: User, approve: bool, reason: str = "", statement: str = ""
) -> CloseoutDecision:
    """A supervisor of an assigned agency approves the closeout for their agency with the agency's
    own statement on the review, or returns it with a reason. The case closes when every assigned
    agency has approved. The person who asked for the closeout cannot decide it."""
    case = lock_and_refresh(closeout.case)
    closeout = Closeout.objects.select_for_update().select_related("case").get(pk=closeout.pk)
    closeout.case = case
    held = standing(actor, case)
    refusal = policy.closeout_approve_refusal if approve else policy.closeout_return_refusal
    require(refusal(actor, closeout, standing_=held))
    assert held.membership is not None  # the policy asked: a supervisor of an assigned agency
    agency = held.membership.agency
    reason = (reason or "").strip()
    statement = (statement or "").strip()
    if not approve and not reason:
        raise DomainError("Say why the closeout is returned: the reviewers will see your reason.", field="reason")
    if approve and not statement:
        raise DomainError(
            f"Write {agency.short_name}'s statement on the review: the firm and the other agencies read it.",
            field="statement",
        )
    decision = CloseoutDecision.objects.create(
        closeout=closeout,
        agency=agency,
        supervisor=actor,
        decision=Decision.APPROVED if approve else Decision.RETURNED,
        reason=reason,
        statement=statement if approve else "",
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
            make_read_only(case)
            outcome = "closed"
    audit_record(
        actor=actor,
        action=AuditAction.CLOSEOUT_APPROVED if approve else AuditAction.CLOSEOUT_RETURNED,
        target=closeout,
        case=case,
        data={"closeout": closeout.pk, "agency": agency.code, "outcome": outcome},
    )
    emit(EventVerb.CLOSEOUT_DECIDED, case=case, target=decision, actor=actor)
    if outcome == "closed":
        audit_record(
            actor=actor,
            action=AuditAction.CASE_CLOSED,
            target=case,
            case=case,
            data={"closeout": closeout.pk, "record": "Review concluded. This is not a permission to deploy."},
        )
        # The records of the review, one per audience, frozen with the closing (records.services).
        closeout_records_store(case=case, closeout=closeout, actor=actor)
        emit(EventVerb.CASE_CLOSED, case=case, target=case, actor=actor)
    return decision
