"""Who may add documents and versions to a case, now, and at what visibility: one rule per action.

The firm uploads its documentation (always seen by the firm and every assigned agency); an assigned
agency uploads working files of its own, kept in the agency, shared with every assigned agency, or
(a supervisor's call, as for findings) shown to the firm too. Each rule starts from the lifecycle
table (``cases.policy.LIFECYCLE``).
"""

from __future__ import annotations

from typing import Any

from accounts.roles import agency_membership, firm_membership
from cases.models import ReviewCase
from cases.policy import Role, Standing, read_only_refusal, standing, step_refusal
from core.models import Visibility
from core.policy import Refusal, forbidden
from documents.models import Document, DocumentKind, DocumentVersion, Marking, VersionRetraction

# Kinds that are the firm's own documentation: an agency's working file is never one of these, so
# that it cannot stand in for what the firm must provide before submitting.
FIRM_ONLY_KINDS = (DocumentKind.SYSTEM_CARD, DocumentKind.ACCESS_INSTRUCTIONS)


def _held(actor: Any, case: ReviewCase, standing_: Standing | None) -> Standing:
    return standing_ if standing_ is not None else standing(actor, case)


def document_upload_refusal(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> Refusal | None:
    return step_refusal("document.upload", actor, case, standing_=_held(actor, case, standing_))


def document_add_version_refusal(
    actor: Any, document: Document, *, standing_: Standing | None = None
) -> Refusal | None:
    """The firm versions its documentation; an agency versions its own working files."""
    held = _held(actor, document.case, standing_)
    if refusal := step_refusal("document.upload", actor, document.case, standing_=held):
        return refusal
    if document.agency_id is None and Role.FIRM in held.roles:
        return None
    if document.agency_id is not None and document.agency_id == held.agency_id:
        return None
    return forbidden("Only the firm versions its documentation, and only the authoring agency versions a working file.")


def _retraction(version: DocumentVersion) -> VersionRetraction | None:
    """The version's retraction, from the row fetched with it when the caller selected it."""
    try:
        return version.retraction
    except VersionRetraction.DoesNotExist:
        return None


def version_is_live(version: DocumentVersion) -> bool:
    """Does the version count? A retracted one leaves every list and download (its page row says
    only that it was retracted, when, by whom and why): the document page, its download, and the
    API's versions list and download ask this (``selectors.live_versions`` is its query)."""
    return _retraction(version) is None


def document_version_retract_refusal(
    actor: Any, version: DocumentVersion, *, standing_: Standing | None = None
) -> Refusal | None:
    """A version uploaded by mistake is retracted by its uploader, or by a supervisor of the agency
    whose working file it is, or by an admin of the firm whose documentation it is; while the case
    is open, and once."""
    document = version.document
    case = document.case
    held = _held(actor, case, standing_)
    if not held.roles:
        return forbidden("You cannot see this document.")
    if refusal := read_only_refusal(case):
        return refusal
    if _retraction(version) is not None:
        return Refusal(f"Version {version.number} of {document.title} is already retracted.", "retracted")
    if version.uploaded_by_id == actor.pk:
        return None
    if document.agency_id is not None and held.membership is not None:
        if held.membership.agency_id == document.agency_id and held.membership.is_supervisor:
            return None
    if document.agency_id is None and Role.FIRM in held.roles:
        membership = firm_membership(actor)
        if membership is not None and membership.is_admin:
            return None
    return forbidden(
        "A version is retracted by whoever uploaded it, a supervisor of the agency whose working file it is, "
        "or an admin of the firm whose document it is."
    )


def initial_marking(actor: Any) -> str:
    """The marking an upload form starts with: an agency member's working file carries their
    agency's marking; the firm's documentation starts as PROPRIETARY. The uploader may change it."""
    membership = agency_membership(actor)
    if membership is not None and membership.agency.working_file_marking in Marking.values:
        return membership.agency.working_file_marking
    return Marking.PROPRIETARY


def visibility_choices(actor: Any, case: ReviewCase, *, standing_: Standing | None = None) -> list[tuple[str, str]]:
    """The visibilities the person may give a new working file (none for the firm: its documents
    are always seen by the firm and the assigned agencies). Showing one to the firm takes a
    supervisor of the agency, as releasing a finding to the firm does (two-person rule)."""
    held = _held(actor, case, standing_)
    if held.membership is None:
        return []
    choices = [
        (Visibility.AGENCY.value, Visibility.AGENCY.label),
        (Visibility.GOVERNMENT.value, Visibility.GOVERNMENT.label),
    ]
    if held.membership.is_supervisor:
        choices.append((Visibility.FIRM.value, Visibility.FIRM.label))
    return choices


def working_file_refusal(
    actor: Any, case: ReviewCase, *, kind: str, visibility: str, standing_: Standing | None = None
) -> Refusal | None:
    """Whether an agency's working file may be of ``kind`` and seen at ``visibility``."""
    if kind in FIRM_ONLY_KINDS:
        return Refusal(
            "System cards and access instructions come from the firm; upload a working file as an evaluation "
            "report, a red-team report or another kind.",
            "invalid",
        )
    allowed = [value for value, _label in visibility_choices(actor, case, standing_=standing_)]
    if visibility not in allowed:
        if visibility == Visibility.FIRM:
            return forbidden("Showing a working file to the firm takes a supervisor of your agency (two-person rule).")
        return Refusal(f"{visibility!r} is not a visibility.", "invalid")
    return None
