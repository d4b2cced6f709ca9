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
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import ReviewCase
from cases.policy import standing
from configurations.models import Configuration
from core import permissions
from core.errors import DomainError
from core.events import EventVerb, emit
from core.locking import lock_and_refresh
from core.models import Visibility
from core.policy import require
from documents.models import DocumentVersion
from documents.permissions import VIEW_DOCUMENT
from findings import policy
from findings.audience import sync_comment, sync_finding
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


def _validate(fields: dict[str, Any]) -> None:
    checks = (
        ("category", Category, "category"),
        ("severity", Severity, "severity"),
        ("target_kind", TargetKind, "target"),
        ("visibility", Visibility, "visibility"),
    )
    for field, choices, label in checks:
        if field in fields and fields[field] not in choices.values:
            offered = ", ".join(str(choice) for choice in choices.labels)
            raise DomainError(f"{fields[field]!r} is not a {label}. Choose from: {offered}.")
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
        .filter(case=case, versions__in=versions, versions__retraction__isnull=True)
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
    configuration: Configuration | None,
) -> Finding:
    """A reviewer of an assigned agency drafts a finding, on a tested configuration of the case.
    Only their agency sees the draft."""
    held = standing(actor, case)
    require(policy.finding_draft_refusal(actor, case, standing_=held))
    _check_configuration(case, configuration)
    membership = held.membership
    assert membership is not None  # the policy asked: a member of an assigned agency
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
    finding = Finding.objects.create(
        case=case, agency=membership.agency, author=actor, configuration=configuration, **fields
    )
    finding.related_versions.set(versions)
    sync_finding(finding)
    audit_record(
        actor=actor,
        action=AuditAction.FINDING_DRAFTED,
        target=finding,
        case=case,
        data={
            "agency": membership.agency.code,
            "severity": severity,
            "visibility": visibility,
            "configuration": configuration.pk if configuration else None,
        },
    )
    return finding


def _check_configuration(case: ReviewCase, configuration: Configuration | None) -> None:
    if configuration is None:
        raise DomainError("Choose the tested configuration the finding was made on.", field="configuration")
    if configuration.case_id != case.pk:
        raise DomainError("That configuration belongs to another case.", field="configuration")


@transaction.atomic
def finding_edit(
    *,
    finding: Finding,
    actor: User,
    related_versions: Iterable[DocumentVersion] | None = None,
    configuration: Configuration | None = None,
    **changes: Any,
) -> Finding:
    """The authoring agency edits its draft. A released finding is what others read: it is not
    edited (withdraw it and write another)."""
    finding = lock_and_refresh(finding)
    require(policy.finding_edit_refusal(actor, finding))
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
    if configuration is not None:
        _check_configuration(finding.case, configuration)
        changes["configuration"] = configuration
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
        sync_finding(finding)
        audit_record(
            actor=actor,
            action=AuditAction.FINDING_EDITED,
            target=finding,
            case=finding.case,
            data={"fields": sorted(changed)},
        )
    return finding


@transaction.atomic
def finding_release(*, finding: Finding, actor: User) -> Finding:
    """Release a draft at its visibility. Beyond the authoring agency, a supervisor of that agency
    who neither wrote nor edited the draft releases it (two-person rule)."""
    finding = lock_and_refresh(finding)
    require(policy.finding_release_refusal(actor, finding))
    finding.state = FindingState.RELEASED
    finding.released_at = timezone.now()
    finding.released_by = actor
    finding.save(update_fields=["state", "released_at", "released_by", "updated_at"])
    sync_finding(finding)
    audit_record(
        actor=actor,
        action=AuditAction.FINDING_RELEASED,
        target=finding,
        case=finding.case,
        data={"visibility": finding.visibility, "response_due": finding.response_due},
    )
    emit(EventVerb.FINDING_RELEASED, case=finding.case, target=finding, actor=actor)
    return finding


@transaction.atomic
def finding_request_release(*, finding: Finding, actor: User) -> Finding:
    """Ask the authoring agency's supervisors to release a draft beyond the agency that the actor
    cannot release themselves (they are not a supervisor, or they wrote or edited it). The
    supervisors who may release it are told, and find it on their dashboard."""
    finding = lock_and_refresh(finding)
    require(policy.finding_request_release_refusal(actor, finding))
    finding.release_requested_at = timezone.now()
    finding.release_requested_by = actor
    finding.save(update_fields=["release_requested_at", "release_requested_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.FINDING_RELEASE_REQUESTED,
        target=finding,
        case=finding.case,
        data={"visibility": finding.visibility},
    )
    emit(EventVerb.FINDING_RELEASE_REQUESTED, case=finding.case, target=finding, actor=actor)
    return finding


@transaction.atomic
def finding_withdraw(*, finding: Finding, actor: User, reason: str = "") -> Finding:
    """The authoring agency withdraws a finding. Once released, it says why."""
    finding = lock_and_refresh(finding)
    require(policy.finding_withdraw_refusal(actor, finding))
    reason = (reason or "").strip()
    if finding.is_released and not reason:
        raise DomainError("Say why a released finding is withdrawn: its readers will see the reason.")
    previous = finding.state
    finding.state = FindingState.WITHDRAWN
    finding.withdrawn_at = timezone.now()
    finding.save(update_fields=["state", "withdrawn_at", "updated_at"])
    if reason:
        _add_comment(finding.case, actor, finding.agency, reason, finding.visibility, finding)
    audit_record(
        actor=actor,
        action=AuditAction.FINDING_WITHDRAWN,
        target=finding,
        case=finding.case,
        data={"from_state": previous},
    )
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
    finding = lock_and_refresh(finding)
    require(policy.finding_respond_refusal(actor, finding))
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
    audit_record(
        actor=actor, action=AuditAction.FINDING_FIRM_RESPONDED, target=finding, case=case, data={"choice": choice}
    )
    emit(EventVerb.FINDING_FIRM_RESPONDED, case=case, target=finding, actor=actor)
    return response


@transaction.atomic
def finding_send_back(*, finding: Finding, actor: User, reason: str) -> Finding:
    """A reviewer of the authoring agency sends the firm's response back: the finding is released
    again and awaits a new answer."""
    finding = lock_and_refresh(finding)
    require(policy.finding_send_back_refusal(actor, finding))
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
        action=AuditAction.FINDING_RESPONSE_SENT_BACK,
        target=finding,
        case=finding.case,
        data={"response": response.pk if response else None},
    )
    emit(EventVerb.FINDING_RESPONSE_SENT_BACK, case=finding.case, target=finding, actor=actor)
    return finding


@transaction.atomic
def finding_resolve(*, finding: Finding, actor: User, note: str) -> Finding:
    """The authoring agency resolves a released finding, saying how (its readers see the note)."""
    finding = lock_and_refresh(finding)
    require(policy.finding_resolve_refusal(actor, finding))
    note = (note or "").strip()
    if not note:
        raise DomainError("Say how the finding was resolved: its readers will see your note.", field="note")
    finding.state = FindingState.RESOLVED
    finding.resolved_at = timezone.now()
    finding.resolution_note = note
    finding.save(update_fields=["state", "resolved_at", "resolution_note", "updated_at"])
    audit_record(actor=actor, action=AuditAction.FINDING_RESOLVED, target=finding, case=finding.case, data={})
    return finding


def findings_export_record(*, actor: User, filters: dict[str, Any]) -> None:
    """Audit an export of findings, like a download: who, and with which filters (the rows are
    what the person may see, so the filters say which they took)."""
    kept = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    audit_record(actor=actor, action=AuditAction.FINDINGS_EXPORTED, data={"format": "csv", "filters": kept})


# --- comments --------------------------------------------------------------------------------


def _add_comment(
    case: ReviewCase, actor: User, agency: Any, body: str, visibility: str, finding: Finding | None
) -> Comment:
    comment = Comment.objects.create(
        case=case, finding=finding, author=actor, agency=agency, body=body, visibility=visibility
    )
    sync_comment(comment, finding=finding)
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
    held = standing(actor, case)
    require(policy.comment_add_refusal(actor, case, finding=finding, visibility=visibility, standing_=held))
    body = (body or "").strip()
    if not body:
        raise DomainError("A comment cannot be empty.")
    if held.membership is None:  # the firm's comments are read by the firm and the assigned agencies
        agency, visibility = None, Visibility.FIRM
    elif visibility not in Visibility.values:
        raise DomainError(f"Choose who may read the comment: {', '.join(Visibility.labels).lower()}.")
    else:
        agency = held.membership.agency
    comment = _add_comment(case, actor, agency, body, visibility, finding)
    audit_record(
        actor=actor,
        action=AuditAction.COMMENT_ADDED,
        target=comment,
        case=case,
        data={"finding": finding.pk if finding else None, "visibility": visibility},
    )
    return comment
