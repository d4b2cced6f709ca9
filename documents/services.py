"""The only way documents and their versions are created, and downloads recorded.

An upload is staged (private temp file, sha256, size limit), checked (name, type by content and
extension, text and archive rules, virus scan), and only then stored under a generated name and
recorded, in one transaction. A refusal raises DomainError with a sentence a person understands,
leaves no row, no stored file and no temp file, and is recorded in the audit log *after* the failed
transaction has rolled back, so the record survives. Call these services outside a transaction
(the views do): an outer transaction that rolls back takes the refusal record with it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from agencies.models import Agency
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import ReviewCase
from cases.policy import read_only_refusal, standing
from configurations.models import Configuration
from core.errors import DomainError
from core.locking import lock_and_refresh
from core.models import Visibility
from core.policy import require
from documents import policy
from documents.audience import sync_document
from documents.models import Document, DocumentKind, DocumentVersion, Marking, VersionRetraction
from documents.scanning import scan_file
from documents.upload import StagedFile, stage
from documents.validation import check_file, clean_display_name


def _require_uploader(actor: Any, case: ReviewCase, document: Document | None = None) -> Agency | None:
    """The actor's side for an upload to ``case`` (None: the firm; else their agency), or the
    policy's refusal."""
    held = standing(actor, case)
    if document is None:
        require(policy.document_upload_refusal(actor, case, standing_=held))
    else:
        require(policy.document_add_version_refusal(actor, document, standing_=held))
    return held.membership.agency if held.membership is not None else None


def _require_open(case: ReviewCase) -> None:
    """Checked again under the case's row lock: a case closed while the file was streaming."""
    require(read_only_refusal(case))


# --- recording ---------------------------------------------------------------------------------


def upload_refusal_record(
    *, actor: Any, case: ReviewCase | None, refusal: DomainError, document: Document | None = None
) -> None:
    """Audit one refused upload. Written in its own (autocommit) transaction, after whatever the
    upload did was rolled back. Holds no content and no file name, only the reason."""
    data: dict[str, Any] = {"code": refusal.code, "reason": refusal.message[:300]}
    if document is not None:
        data["document"] = document.pk
    audit_record(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=AuditAction.DOCUMENT_UPLOAD_REFUSED,
        target=document if document is not None else case,
        case=case,
        data=data,
    )


def version_download_record(*, version: DocumentVersion, actor: User) -> None:
    """Audit one download: who, and which version."""
    document = version.document
    audit_record(
        actor=actor,
        action=AuditAction.DOCUMENT_DOWNLOADED,
        target=version,
        case=document.case,
        data={"document": document.pk, "version": version.pk, "number": version.number, "sha256": version.sha256},
    )


# --- storing -----------------------------------------------------------------------------------


class _Stored:
    """The name a file was stored under, so a failure after storing can remove it again."""

    def __init__(self) -> None:
        self.name: str | None = None

    def remove(self) -> None:
        if self.name is not None:
            default_storage.delete(self.name)
            self.name = None


def _generated_name(case: ReviewCase, document: Document) -> str:
    # Never derived from the user's file name.
    return f"cases/{case.pk}/documents/{document.pk}/{uuid.uuid4().hex}"


def _store_version(
    *, document: Document, staged: StagedFile, display_name: str, content_type: str, actor: User, stored: _Stored
) -> DocumentVersion:
    """In the caller's transaction, with the document row locked: number, store, record."""
    latest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
    if latest is not None and latest.sha256 == staged.sha256:
        raise DomainError(
            f"This file is identical to version {latest.number} (same sha256), the latest: nothing would change.",
            code="duplicate",
        )
    number = (latest.number if latest else 0) + 1
    staged.upload.seek(0)
    stored.name = default_storage.save(_generated_name(document.case, document), staged.upload)
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        file=stored.name,
        original_name=display_name,
        sha256=staged.sha256,
        size=staged.size,
        content_type=content_type,
        uploaded_by=actor,
    )


TITLE_MAX = 200  # Document.title's max_length


def _staged_and_checked(upload: File[Any]) -> tuple[StagedFile, str, str]:
    """Stage and check the upload; on refusal nothing of it is left."""
    staged = stage(upload)
    try:
        display_name = clean_display_name(staged.raw_name)
        checked = check_file(Path(staged.path), display_name)
        scan_file(staged.path)
    except BaseException:
        staged.discard()
        raise
    return staged, display_name, checked.content_type


# --- the services --------------------------------------------------------------------------------


def document_create(
    *,
    case: ReviewCase,
    kind: str,
    title: str,
    marking: str,
    upload: File[Any],
    actor: User,
    visibility: str | None = None,
    configuration: Configuration | None = None,
) -> Document:
    """Create a document of ``case`` with ``upload`` as its version 1 (an evaluation names the
    tested ``configuration`` it was made on).

    A firm liaison uploads the firm's documentation (seen by the firm and every assigned agency).
    A reviewer of an assigned agency uploads a working file of their agency, seen by the agency
    (``agency``, the default) or every assigned agency (``government``); ``firm`` also shows it to
    the firm's liaisons and takes a supervisor."""
    staged: StagedFile | None = None
    stored = _Stored()
    try:
        agency = _require_uploader(actor, case)
        kind, title, marking, visibility = _clean_metadata(
            actor=actor, case=case, agency=agency, kind=kind, title=title, marking=marking, visibility=visibility
        )
        if configuration is not None and configuration.case_id != case.pk:
            raise DomainError("That configuration belongs to another case.", code="invalid", field="configuration")
        staged, display_name, content_type = _staged_and_checked(upload)
        with transaction.atomic():
            _require_open(lock_and_refresh(case, fields=["state"]))
            document = Document.objects.create(
                case=case,
                kind=kind,
                title=title,
                marking=marking,
                agency=agency,
                visibility=visibility,
                configuration=configuration,
                created_by=actor,
            )
            version = _store_version(
                document=document,
                staged=staged,
                display_name=display_name,
                content_type=content_type,
                actor=actor,
                stored=stored,
            )
            sync_document(document)
            audit_record(
                actor=actor,
                action=AuditAction.DOCUMENT_CREATED,
                target=document,
                case=case,
                data={
                    "document": document.pk,
                    "version": version.pk,
                    "number": version.number,
                    "kind": kind,
                    "marking": marking,
                    "agency": agency.code if agency else None,
                    "visibility": visibility,
                    "configuration": configuration.pk if configuration is not None else None,
                    "sha256": version.sha256,
                    "size": version.size,
                    "content_type": content_type,
                },
            )
    except DomainError as refusal:
        stored.remove()
        if staged is not None:
            staged.discard()
        upload_refusal_record(actor=actor, case=case, refusal=refusal)
        raise
    except BaseException:
        stored.remove()
        if staged is not None:
            staged.discard()
        raise
    staged.discard()
    return document


def document_add_version(*, document: Document, upload: File[Any], actor: User) -> DocumentVersion:
    """Add ``upload`` as the next version of ``document``. The firm versions its documentation; an
    agency versions its own working files. A file identical to the latest version is refused."""
    staged: StagedFile | None = None
    stored = _Stored()
    case = document.case
    try:
        _require_uploader(actor, case, document)
        staged, display_name, content_type = _staged_and_checked(upload)
        with transaction.atomic():
            _require_open(lock_and_refresh(case, fields=["state"]))
            lock_and_refresh(document)
            version = _store_version(
                document=document,
                staged=staged,
                display_name=display_name,
                content_type=content_type,
                actor=actor,
                stored=stored,
            )
            audit_record(
                actor=actor,
                action=AuditAction.DOCUMENT_VERSION_ADDED,
                target=document,
                case=case,
                data={
                    "document": document.pk,
                    "version": version.pk,
                    "number": version.number,
                    "sha256": version.sha256,
                    "size": version.size,
                    "content_type": content_type,
                },
            )
    except DomainError as refusal:
        stored.remove()
        if staged is not None:
            staged.discard()
        upload_refusal_record(actor=actor, case=case, refusal=refusal, document=document)
        raise
    except BaseException:
        stored.remove()
        if staged is not None:
            staged.discard()
        raise
    staged.discard()
    return version


def _clean_metadata(
    *,
    actor: User,
    case: ReviewCase,
    agency: Agency | None,
    kind: str,
    title: str,
    marking: str,
    visibility: str | None,
) -> tuple[str, str, str, str]:
    if kind not in DocumentKind.values:
        raise DomainError(f"{kind!r} is not a kind of document.", code="invalid")
    if marking not in Marking.values:
        raise DomainError(f"{marking!r} is not a handling marking.", code="invalid")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("A document needs a title.", code="invalid")
    if len(title) > TITLE_MAX:
        raise DomainError("A document title is at most 200 characters.", code="invalid")
    if agency is None:
        if visibility not in (None, Visibility.FIRM):
            raise DomainError("The firm's documentation is always seen by the firm and the assigned agencies.")
        return kind, title, marking, Visibility.FIRM.value
    visibility = visibility or Visibility.AGENCY.value
    require(policy.working_file_refusal(actor, case, kind=kind, visibility=visibility))
    return kind, title, marking, visibility


@transaction.atomic
def document_version_retract(*, version: DocumentVersion, actor: User, reason: str) -> VersionRetraction:
    """Retract a version uploaded by mistake, with a reason. It leaves every list and download; the
    version, its stored file and the audit log's record of its upload stay (immutability kept)."""
    case = lock_and_refresh(version.document.case, fields=["state"])  # the case first, as uploads lock
    document = lock_and_refresh(version.document)
    document.case = case
    version = DocumentVersion.objects.select_related("retraction").get(pk=version.pk)  # as it is now
    version.document = document
    require(policy.document_version_retract_refusal(actor, version))
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("Say why the version is retracted: its readers will see your reason.", field="reason")
    retraction = VersionRetraction.objects.create(version=version, retracted_by=actor, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.DOCUMENT_VERSION_RETRACTED,
        target=version,
        case=document.case,
        data={"document": document.pk, "version": version.pk, "number": version.number, "sha256": version.sha256},
    )
    return retraction
