"""The only way findings, firm responses and comments change (docs/design.md, "Finding").

draft -> released -> firm responded -> resolved | withdrawn; a reviewer may send a response back
(-> released). Reviewers draft; releasing beyond the authoring agency takes a supervisor of that
agency who is not the author (two-person rule). A draft is seen by its authoring agency alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import agency_membership, firm_membership
from agencies.models import AgencyMembership
from audit.services import audit_record
from cases.models import CaseState, ReviewCase
from cases.permissions import CHANGE_CASE
from cases.services import require_agency_member, require_case_perm
from core import audience, permissions
from core.errors import DomainError
from core.events import on_commit_event
from core.locking import lock_and_refresh
from core.models import Visibility
from documents.models import DocumentVersion
from documents.permissions import VIEW_DOCUMENT
from findings.models import (
    Category,
    Comment,
    Finding,
    FindingResponse,
    FindingState,
    ResponseChoice,
    Severity,
    TargetKind,
)
from findings.permissions import VIEW_FINDING

EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "severity",
    "target_kind",
    "target_component",
    "visibility",
    "response_due",
)


def _authoring_member(actor: User, finding: Finding, *, doing: str) -> AgencyMembership:
    membership = require_agency_member(actor, finding.case, doing=doing)
    if membership.agency_id != finding.agency_id:
        raise DomainError(f"Only {finding.agency.short_name} can {doing} this finding.", code="forbidden")
    return membership


def _require_in_review(case: ReviewCase, *, doing: str) -> None:
    if case.state != CaseState.IN_REVIEW:
        raise DomainError(
            f"Case {case.reference} is {case.get_state_display().lower()}; you can {doing} only while it is in review."
        )


def _validate(fields: dict[str, Any]) -> None:
    checks = (
        ("category", Category, "category"),
        ("severity", Severity, "severity"),
        ("target_kind", TargetKind, "target"),
        ("visibility", Visibility, "visibility"),
    )
    for field, choices, label in checks:
        if field in fields and fields[field] not in choices.values:
            raise DomainError(f"{fields[field]!r} is not a {label}. Choose from: {', '.join(choices.labels)}.")
    for field in ("title", "description"):
        if field in fields and not (fields[field] or "").strip():
            raise DomainError(f"A finding needs a {field}.")
    if len(fields.get("title", "")) > 200:
        raise DomainError("A finding's title is at most 200 characters.")
    if fields.get("target_kind") == TargetKind.SAFEGUARD and not (fields.get("target_component") or "").strip():
        raise DomainError("Name the safeguard component (a classifier, a filter, the access system).")
    due = fields.get("response_due")
    if due is not None:
        if not isinstance(due, datetime.date):
            raise DomainError("The response due date must be a date.")
        if due < timezone.localdate():
            raise DomainError("The response due date cannot be in the past.")


def _related_versions(actor: User, case: ReviewCase, versions: Iterable[DocumentVersion]) -> list[DocumentVersion]:
    versions = list(versions)
    if not versions:
        return []
    visible_ids = set(
        permissions.visible(actor, VIEW_DOCUMENT)
        .filter(case=case, versions__in=versions)
        .values_list("versions__pk", flat=True)
    )
    if {v.pk for v in versions} - visible_ids:
        raise DomainError("Findings can only refer to document versions of this case that you can see.")
    return versions


@transaction.atomic
def finding_draft(
    *,
    case: ReviewCase,
    actor: User,
    title: str,
    description: str,
    category: str,
    severity: str,
    target_kind: str = TargetKind.MODEL,
    target_component: str = "",
    visibility: str = Visibility.AGENCY,
    response_due: datetime.date | None = None,
    related_versions: Iterable[DocumentVersion] = (),
) -> Finding:
    """A reviewer of an assigned agency drafts a finding. Only their agency sees the draft."""
    membership = require_agency_member(actor, case, doing="write findings")
    _require_in_review(case, doing="write findings")
    fields = {
        "title": title.strip(),
        "description": description.strip(),
        "category": category,
        "severity": severity,
        "target_kind": target_kind,
        "target_component": (target_component or "").strip() if target_kind == TargetKind.SAFEGUARD else "",
        "visibility": visibility,
        "response_due": response_due,
    }
    _validate(fields)
    versions = _related_versions(actor, case, related_versions)
    finding = Finding.objects.create(case=case, agency=membership.agency, author=actor, **fields)
    finding.related_versions.set(versions)
    audience.sync_finding(finding)
    audit_record(
        actor=actor,
        action="finding.drafted",
        target=finding,
        case=case,
        data={"agency": membership.agency.code, "severity": severity, "visibility": visibility},
    )
    return finding


@transaction.atomic
def finding_edit(
    *, finding: Finding, actor: User, related_versions: Iterable[DocumentVersion] | None = None, **changes: Any
) -> Finding:
    """The authoring agency edits its draft. A released finding is what others read: it is not
    edited (withdraw it and write another)."""
    _authoring_member(actor, finding, doing="edit")
    finding = lock_and_refresh(finding)
    if finding.state != FindingState.DRAFT:
        raise DomainError("Only a draft can be edited; this finding has been released.")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    for field in ("title", "description", "target_component"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    merged = {field: getattr(finding, field) for field in EDITABLE_FIELDS} | changes
    if merged["target_kind"] == TargetKind.MODEL:
        merged["target_component"] = ""
        changes["target_component"] = ""
    _validate(merged if "response_due" in changes else {k: v for k, v in merged.items() if k != "response_due"})
    # Checked before anything is set, so that a refused edit leaves the caller's object as it was.
    versions = None if related_versions is None else _related_versions(actor, finding.case, related_versions)
    changed = [field for field, value in changes.items() if getattr(finding, field) != value]
    for field in changed:
        setattr(finding, field, changes[field])
    if changed:
        finding.save(update_fields=[*changed, "updated_at"])
    if versions is not None and {v.pk for v in versions} != set(finding.related_versions.values_list("pk", flat=True)):
        finding.related_versions.set(versions)
        changed.append("related_versions")
    if changed:
        if actor.pk != finding.author_id:
            finding.editors.add(actor)
        audience.sync_finding(finding)
        audit_record(
            actor=actor, action="finding.edited", target=finding, case=finding.case, data={"fields": sorted(changed)}
        )
    return finding


@transaction.atomic
def finding_release(*, finding: Finding, actor: User) -> Finding:
    """Release a draft at its visibility. Beyond the authoring agency, a supervisor of that agency
    who neither wrote nor edited the draft releases it (two-person rule)."""
    membership = _authoring_member(actor, finding, doing="release")
    finding = lock_and_refresh(finding)
    if finding.state != FindingState.DRAFT:
        raise DomainError("This finding has already been released.")
    _require_in_review(finding.case, doing="release findings")
    if finding.visibility != Visibility.AGENCY:
        if not membership.is_supervisor:
            raise DomainError(
                f"Releasing a finding beyond {membership.agency.short_name} takes a supervisor of the agency."
            )
        if finding.author_id == actor.pk:
            raise DomainError("You wrote this finding: another supervisor of your agency must release it.")
        if finding.editors.filter(pk=actor.pk).exists():
            raise DomainError("You edited this draft: another supervisor of your agency must release it.")
    finding.state = FindingState.RELEASED
    finding.released_at = timezone.now()
    finding.released_by = actor
    finding.save(update_fields=["state", "released_at", "released_by", "updated_at"])
    audience.sync_finding(finding)
    audit_record(
        actor=actor,
        action="finding.released",
        target=finding,
        case=finding.case,
        data={"visibility": finding.visibility, "response_due": finding.response_due},
    )
    on_commit_event("finding.released", case=finding.case, target=finding, actor=actor)
    return finding


@transaction.atomic
def finding_withdraw(*, finding: Finding, actor: User, reason: str = "") -> Finding:
    """The authoring agency withdraws a finding. Once released, it says why."""
    _authoring_member(actor, finding, doing="withdraw")
    finding = lock_and_refresh(finding)
    if finding.state in (FindingState.RESOLVED, FindingState.WITHDRAWN):
        raise DomainError(f"This finding is already {finding.get_state_display().lower()}.")
    reason = (reason or "").strip()
    if finding.is_released and not reason:
        raise DomainError("Say why a released finding is withdrawn: its readers will see the reason.")
    previous = finding.state
    finding.state = FindingState.WITHDRAWN
    finding.withdrawn_at = timezone.now()
    finding.save(update_fields=["state", "withdrawn_at", "updated_at"])
    if reason:
        _add_comment(finding.case, actor, agency_membership(actor).agency, reason, finding.visibility, finding)
    audit_record(
        actor=actor, action="finding.withdrawn", target=finding, case=finding.case, data={"from_state": previous}
    )
    if finding.is_released:
        on_commit_event("finding.withdrawn", case=finding.case, target=finding, actor=actor)
    return finding


@transaction.atomic
def finding_respond(
    *,
    finding: Finding,
    actor: User,
    choice: str,
    text: str,
    documents: Iterable[DocumentVersion] = (),
) -> FindingResponse:
    """The firm answers a finding shared with it. Its answer is its own, voluntary, choice:
    acknowledged, mitigated, disputed or declined."""
    case = finding.case
    message = "Only a liaison of the case's firm can answer its findings."
    if firm_membership(actor) is None:
        raise DomainError(message, code="forbidden")
    require_case_perm(actor, CHANGE_CASE, case, message)
    if not permissions.has(actor, VIEW_FINDING, finding):
        raise DomainError("This finding has not been shared with your firm.", code="forbidden")
    finding = lock_and_refresh(finding)
    if finding.state != FindingState.RELEASED:
        raise DomainError(f"This finding is {finding.get_state_display().lower()}: it is not awaiting your answer.")
    if case.is_read_only:
        raise DomainError(f"Case {case.reference} is {case.get_state_display().lower()}: it is read-only.")
    if choice not in ResponseChoice.values:
        raise DomainError(f"Choose a response: {', '.join(ResponseChoice.labels).lower()}.")
    text = (text or "").strip()
    if not text:
        raise DomainError("Write a few words with your response.")
    versions = _related_versions(actor, case, documents)
    response = FindingResponse.objects.create(finding=finding, responder=actor, choice=choice, text=text)
    response.documents.set(versions)
    finding.state = FindingState.FIRM_RESPONDED
    finding.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="finding.firm_responded", target=finding, case=case, data={"choice": choice})
    on_commit_event("finding.firm_responded", case=case, target=finding, actor=actor)
    return response


@transaction.atomic
def finding_send_back(*, finding: Finding, actor: User, reason: str) -> Finding:
    """A reviewer of the authoring agency sends the firm's response back: the finding is released
    again and awaits a new answer."""
    _authoring_member(actor, finding, doing="send responses back on")
    finding = lock_and_refresh(finding)
    if finding.state != FindingState.FIRM_RESPONDED:
        raise DomainError("Only a finding the firm has answered can have its response sent back.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the response is sent back: the firm will read your reason.")
    response = finding.responses.filter(sent_back_at__isnull=True).order_by("-created_at").first()
    if response is not None:
        response.sent_back_at = timezone.now()
        response.sent_back_by = actor
        response.sent_back_reason = reason
        response.save(update_fields=["sent_back_at", "sent_back_by", "sent_back_reason"])
    finding.state = FindingState.RELEASED
    finding.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="finding.response_sent_back",
        target=finding,
        case=finding.case,
        data={"response": response.pk if response else None},
    )
    on_commit_event("finding.response_sent_back", case=finding.case, target=finding, actor=actor)
    return finding


@transaction.atomic
def finding_resolve(*, finding: Finding, actor: User) -> Finding:
    """The authoring agency resolves a released finding."""
    _authoring_member(actor, finding, doing="resolve")
    finding = lock_and_refresh(finding)
    if finding.state not in (FindingState.RELEASED, FindingState.FIRM_RESPONDED):
        raise DomainError(f"A {finding.get_state_display().lower()} finding cannot be resolved.")
    finding.state = FindingState.RESOLVED
    finding.resolved_at = timezone.now()
    finding.save(update_fields=["state", "resolved_at", "updated_at"])
    audit_record(actor=actor, action="finding.resolved", target=finding, case=finding.case, data={})
    on_commit_event("finding.resolved", case=finding.case, target=finding, actor=actor)
    return finding


def findings_export_record(*, actor: User, filters: dict[str, Any]) -> None:
    """Audit an export of findings, like a download: who, and with which filters (the rows are
    what the person may see, so the filters say which they took)."""
    kept = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    audit_record(actor=actor, action="findings.exported", data={"format": "csv", "filters": kept})


# --- comments --------------------------------------------------------------------------------


def _add_comment(
    case: ReviewCase, actor: User, agency: Any, body: str, visibility: str, finding: Finding | None
) -> Comment:
    comment = Comment.objects.create(
        case=case, finding=finding, author=actor, agency=agency, body=body, visibility=visibility
    )
    audience.sync_comment(comment, finding=finding)
    return comment


@transaction.atomic
def comment_add(
    *,
    case: ReviewCase,
    actor: User,
    body: str,
    visibility: str = Visibility.AGENCY,
    finding: Finding | None = None,
) -> Comment:
    """An annotation on the case or one of its findings. A firm liaison's comment is seen by the
    firm and the assigned agencies; an agency's at the visibility chosen. A comment on a finding
    is never seen by anyone who cannot see the finding."""
    body = (body or "").strip()
    if not body:
        raise DomainError("A comment cannot be empty.")
    if finding is not None and finding.case_id != case.pk:
        raise DomainError("That finding belongs to another case.")
    if visibility not in Visibility.values:
        raise DomainError(f"Choose who may read the comment: {', '.join(Visibility.labels).lower()}.")
    # The permission checks come before anything that would tell an outsider about the case.
    if firm_membership(actor) is not None:
        require_case_perm(actor, CHANGE_CASE, case, "Only liaisons of the case's firm can comment on it.")
        if finding is not None and not permissions.has(actor, VIEW_FINDING, finding):
            raise DomainError("This finding has not been shared with your firm.", code="forbidden")
        agency, visibility = None, Visibility.FIRM
    else:
        membership = require_agency_member(actor, case, doing="comment")
        if finding is not None and not permissions.has(actor, VIEW_FINDING, finding):
            raise DomainError("You cannot see that finding.", code="forbidden")
        if visibility == Visibility.FIRM and not membership.is_supervisor:
            # As for findings: what an agency tells the firm is approved by one of its supervisors.
            raise DomainError(
                f"A comment the firm reads is written by a supervisor of {membership.agency.short_name}: "
                "choose your agency or all assigned agencies, or ask a supervisor."
            )
        agency = membership.agency
    comment = _add_comment(case, actor, agency, body, visibility, finding)
    audit_record(
        actor=actor,
        action="comment.added",
        target=comment,
        case=case,
        data={"finding": finding.pk if finding else None, "visibility": visibility},
    )
    on_commit_event("comment.added", case=case, target=comment, actor=actor)
    return comment
