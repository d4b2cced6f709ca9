"""The only way tested configurations, the access ledger and sharing attestations change.

Each function checks its rule (``configurations.policy``) and its input, runs in one transaction,
writes its audit event and, where people should learn of it, its notice event. Bad input raises
``DomainError`` and changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import CaseState, ReviewCase
from cases.policy import standing
from configurations import policy
from configurations.models import (
    AccessPeriod,
    AccessVariant,
    AttestationChoice,
    Configuration,
    Interruption,
    InterruptionCause,
    LedgerComment,
    LedgerVisibility,
    SharingAttestation,
)
from configurations.selectors import review_window
from core.errors import DomainError
from core.events import EventVerb, emit
from core.locking import lock_and_refresh
from core.policy import require

CONFIGURATION_FIELDS = (
    "name",
    "snapshot",
    "fingerprint",
    "safeguard_version",
    "access_variant",
    "access_variant_other",
    "access_method",
    "notes",
)
REQUIRED = {
    "name": "a name",
    "snapshot": "a snapshot identifier",
    "safeguard_version": "a safeguard version",
    "access_method": "an access method",
}
REVIEWING = (CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED)


def _clean_configuration(fields: dict[str, Any]) -> dict[str, Any]:
    clean = {field: (fields.get(field) or "").strip() for field in CONFIGURATION_FIELDS}
    for field, words in REQUIRED.items():
        if not clean[field]:
            raise DomainError(f"A tested configuration needs {words}.", field=field)
    for field in ("name", "snapshot", "fingerprint", "safeguard_version", "access_variant_other", "access_method"):
        if len(clean[field]) > 200:
            raise DomainError(f"The {field.replace('_', ' ')} is at most 200 characters.", field=field)
    if clean["access_variant"] not in AccessVariant.values:
        offered = ", ".join(str(label) for label in AccessVariant.labels)
        raise DomainError(f"Choose the way of access from: {offered}.", field="access_variant")
    if clean["access_variant"] == AccessVariant.OTHER:
        if not clean["access_variant_other"]:
            raise DomainError("Describe the way of access when you choose 'Other'.", field="access_variant_other")
    else:
        clean["access_variant_other"] = ""
    return clean


def _tell_reviewers(configuration: Configuration, actor: User) -> None:
    """Agencies reviewing the case hear of a new configuration or version (nobody is assigned before)."""
    if configuration.case.state in REVIEWING:
        emit(EventVerb.CONFIGURATION_CHANGED, case=configuration.case, target=configuration, actor=actor)


@transaction.atomic
def configuration_add(*, case: ReviewCase, actor: User, **fields: Any) -> Configuration:
    """The firm adds a configuration it offers for testing, while the case is open."""
    case = lock_and_refresh(case)
    require(policy.configuration_add_refusal(actor, case))
    unknown = set(fields) - set(CONFIGURATION_FIELDS)
    if unknown:
        raise DomainError(f"These fields are not a configuration's: {', '.join(sorted(unknown))}.")
    clean = _clean_configuration(fields)
    if case.configurations.filter(name=clean["name"], superseded_at__isnull=True).exists():
        raise DomainError(f"{case.reference} already has a configuration named {clean['name']}.", field="name")
    configuration = Configuration.objects.create(case=case, created_by=actor, **clean)
    audit_record(
        actor=actor,
        action=AuditAction.CONFIGURATION_ADDED,
        target=configuration,
        case=case,
        data={"name": configuration.name, "version": 1, "access_variant": configuration.access_variant},
    )
    _tell_reviewers(configuration, actor)
    return configuration


@transaction.atomic
def configuration_revise(*, configuration: Configuration, actor: User, **changes: Any) -> Configuration:
    """The firm changes a configuration. Rows are never edited in place (a finding, a document or a
    ledger entry may name this version): a new version is made, and this one is superseded."""
    lock_and_refresh(configuration.case)
    configuration = lock_and_refresh(configuration)
    require(policy.configuration_revise_refusal(actor, configuration))
    unknown = set(changes) - set(CONFIGURATION_FIELDS)
    if unknown:
        raise DomainError(f"These fields are not a configuration's: {', '.join(sorted(unknown))}.")
    merged = {field: getattr(configuration, field) for field in CONFIGURATION_FIELDS} | changes
    clean = _clean_configuration(merged)
    changed = sorted(field for field in CONFIGURATION_FIELDS if getattr(configuration, field) != clean[field])
    if not changed:
        raise DomainError("Nothing changed: the current version already says this.")
    if (
        "name" in changed
        and configuration.case.configurations.filter(name=clean["name"], superseded_at__isnull=True)
        .exclude(lineage=configuration.lineage)
        .exists()
    ):
        raise DomainError(
            f"{configuration.case.reference} already has a configuration named {clean['name']}.", field="name"
        )
    configuration.superseded_at = timezone.now()
    configuration.save(update_fields=["superseded_at"])
    revised = Configuration.objects.create(
        case=configuration.case,
        lineage=configuration.lineage,
        version=configuration.version + 1,
        created_by=actor,
        **clean,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONFIGURATION_REVISED,
        target=revised,
        case=configuration.case,
        data={"name": revised.name, "version": revised.version, "previous": configuration.pk, "fields": changed},
    )
    _tell_reviewers(revised, actor)
    return revised


# --- the access ledger ------------------------------------------------------------------------


def _ledger_configuration(case: ReviewCase, configuration: Configuration) -> None:
    if configuration.case_id != case.pk:
        raise DomainError("That configuration belongs to another case.", field="configuration")


def _within_window(case: ReviewCase, start: datetime.datetime, end: datetime.datetime | None, what: str) -> None:
    if timezone.is_naive(start) or (end is not None and timezone.is_naive(end)):
        raise DomainError("Times must carry their time zone.")
    if end is not None and end <= start:
        raise DomainError(f"The {what} must end after it starts.", field="ended_at")
    now = timezone.now()
    if start > now or (end is not None and end > now):
        raise DomainError(f"An {what} is recorded once it has happened: it cannot be in the future.")
    window = review_window(case)
    if window is None:
        raise DomainError(f"{case.reference} has no review window yet.")
    opens, closes = window
    if start < opens or (end or start) > closes:
        local = timezone.localtime
        raise DomainError(
            f"The {what} must lie within the review window, {local(opens):%B %-d, %Y} to "
            f"{local(closes):%B %-d, %Y} (the sharing date).",
            field="started_at" if start < opens else "ended_at",
        )


def _visibility(visibility: str) -> str:
    if visibility not in LedgerVisibility.values:
        raise DomainError("Choose who reads the entry: your agency, or all assigned agencies.", field="visibility")
    return visibility


@transaction.atomic
def access_period_record(
    *,
    case: ReviewCase,
    configuration: Configuration,
    actor: User,
    started_at: datetime.datetime,
    ended_at: datetime.datetime | None,
    confirmed_by: str,
    visibility: str = LedgerVisibility.AGENCY,
) -> AccessPeriod:
    """An assigned agency records when it had access to a configuration (``ended_at`` None: it
    continues). The firm reads it, and so do the other agencies at government visibility."""
    held = standing(actor, case)
    require(policy.ledger_record_refusal(actor, case, standing_=held))
    assert held.membership is not None  # the policy asked: a member of an assigned agency
    _ledger_configuration(case, configuration)
    _within_window(case, started_at, ended_at, "access period")
    confirmed_by = (confirmed_by or "").strip()
    if not confirmed_by:
        raise DomainError("Name who confirmed the access.", field="confirmed_by")
    period = AccessPeriod.objects.create(
        configuration=configuration,
        case=case,
        agency=held.membership.agency,
        started_at=started_at,
        ended_at=ended_at,
        confirmed_by=confirmed_by[:200],
        visibility=_visibility(visibility),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_PERIOD_RECORDED,
        target=period,
        case=case,
        data={
            "agency": held.membership.agency.code,
            "configuration": configuration.pk,
            "started_at": started_at.isoformat(),
            "ended_at": ended_at.isoformat() if ended_at else None,
            "visibility": visibility,
        },
    )
    return period


@transaction.atomic
def interruption_record(
    *,
    case: ReviewCase,
    configuration: Configuration,
    actor: User,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
    cause: str,
    note: str = "",
    visibility: str = LedgerVisibility.AGENCY,
) -> Interruption:
    """An assigned agency records a time it lost access to a configuration, and why."""
    held = standing(actor, case)
    require(policy.ledger_record_refusal(actor, case, standing_=held))
    assert held.membership is not None
    _ledger_configuration(case, configuration)
    if cause not in InterruptionCause.values:
        offered = ", ".join(str(label) for label in InterruptionCause.labels)
        raise DomainError(f"Choose the cause from: {offered}.", field="cause")
    _within_window(case, started_at, ended_at, "interruption")
    interruption = Interruption.objects.create(
        configuration=configuration,
        case=case,
        agency=held.membership.agency,
        started_at=started_at,
        ended_at=ended_at,
        cause=cause,
        note=(note or "").strip()[:500],
        visibility=_visibility(visibility),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.ACCESS_INTERRUPTION_RECORDED,
        target=interruption,
        case=case,
        data={
            "agency": held.membership.agency.code,
            "configuration": configuration.pk,
            "cause": cause,
            "hours": round(interruption.hours, 2),
            "visibility": visibility,
        },
    )
    return interruption


@transaction.atomic
def ledger_comment_add(
    *,
    actor: User,
    body: str,
    period: AccessPeriod | None = None,
    interruption: Interruption | None = None,
) -> LedgerComment:
    """A remark on one ledger entry the author can see (the firm sees its configurations' entries)."""
    from configurations.selectors import ledger_entry_visible

    if (period is None) == (interruption is None):
        raise DomainError("A comment is on one ledger entry.")
    entry: AccessPeriod | Interruption = period if period is not None else interruption  # type: ignore[assignment]
    case = entry.case
    held = standing(actor, case)
    require(policy.ledger_comment_refusal(actor, case, standing_=held))
    if not ledger_entry_visible(actor, entry, held=held):
        raise DomainError("You cannot see that ledger entry.", code="forbidden")
    body = (body or "").strip()
    if not body:
        raise DomainError("Write the comment.", field="body")
    comment = LedgerComment.objects.create(period=period, interruption=interruption, author=actor, body=body)
    audit_record(
        actor=actor,
        action=AuditAction.LEDGER_COMMENTED,
        target=comment,
        case=case,
        data={"entry": f"{entry._meta.model_name}#{entry.pk}", "agency": entry.agency.code},
    )
    emit(EventVerb.LEDGER_COMMENTED, case=case, target=comment, actor=actor)
    return comment


# --- the sharing attestation --------------------------------------------------------------------


@transaction.atomic
def sharing_attest(
    *,
    case: ReviewCase,
    actor: User,
    choice: str,
    configuration: Configuration | None = None,
    different_description: str = "",
) -> SharingAttestation:
    """On its sharing date, the firm states which configuration it shares with partners: one it
    had tested, a different one (described), or that it prefers not to say. A neutral record of a
    voluntary choice; when it differs from every tested configuration, the assigned agencies hear."""
    case = lock_and_refresh(case)
    require(policy.case_attest_sharing_refusal(actor, case))
    if choice not in AttestationChoice.values:
        offered = ", ".join(str(label) for label in AttestationChoice.labels)
        raise DomainError(f"Choose one of: {offered}.", field="choice")
    description = (different_description or "").strip()
    if choice == AttestationChoice.TESTED:
        if configuration is None or configuration.case_id != case.pk:
            raise DomainError(
                "Choose which of the case's tested configurations the firm shares.", field="configuration"
            )
        description = ""
    else:
        configuration = None
    if choice == AttestationChoice.DIFFERENT and not description:
        raise DomainError("Describe the configuration the firm shares.", field="different_description")
    if choice == AttestationChoice.PREFER_NOT_TO_SAY:
        description = ""
    attestation = SharingAttestation.objects.create(
        case=case,
        choice=choice,
        configuration=configuration,
        different_description=description,
        attested_by=actor,
    )
    label = str(configuration) if configuration is not None else AttestationChoice(choice).label.lower()
    audit_record(
        actor=actor,
        action=AuditAction.SHARING_ATTESTED,
        target=attestation,
        case=case,
        data={"choice": choice, "configuration": configuration.pk if configuration else None, "label": label},
    )
    emit(EventVerb.SHARING_ATTESTED, case=case, target=attestation, actor=actor)
    return attestation
