"""Receiving a file: a streaming upload handler for HTTP requests, and staging for any other
``File``. Either way the bytes go in chunks to a private temp file in DOCUMENT_UPLOAD_TEMP_DIR, the
sha256 is computed on the way, and the maximum size is enforced on the way (an oversize request is
abandoned as soon as it passes the limit). Memory stays flat whatever the size. A temp file is
removed on every failure; on success the storage moves it into place (a rename when the temp folder
and the storage root share a filesystem).
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat

from core.errors import DomainError
from documents.validation import CHUNK, temp_dir

# The form's own fields (title, marking, CSRF token, multipart headers) next to the file.
FORM_OVERHEAD_BYTES = 1024 * 1024
FILE_FIELD = "file"


def too_large_error() -> DomainError:
    return DomainError(
        f"The file is larger than {filesizeformat(settings.DOCUMENT_MAX_UPLOAD_BYTES)}, the most the portal "
        "accepts. Split it (for example into a ZIP of parts) or ask the program office.",
        code="too_large",
    )


class HashedUpload(UploadedFile):
    """An upload held in a private temp file, with the sha256 of its bytes. Closing it removes the
    temp file (unless the storage has already moved it into place)."""

    def __init__(self, name: str, content_type: str | None, charset: str | None, content_type_extra: Any) -> None:
        handle = tempfile.NamedTemporaryFile(prefix="upload-", suffix=".part", dir=temp_dir())  # noqa: SIM115
        super().__init__(handle, name, content_type, 0, charset, content_type_extra)
        self.sha256 = ""

    def temporary_file_path(self) -> str:
        assert self.file is not None
        return str(self.file.name)

    def close(self) -> None:
        # Once the storage has moved the file into place there is no temp file left to remove.
        with contextlib.suppress(FileNotFoundError):
            if self.file is not None:
                self.file.close()


class DocumentUploadHandler(FileUploadHandler):
    """Streams the one file of a document upload to a temp file, hashing it and enforcing the
    maximum size as the bytes arrive. A refusal is kept in ``refusal`` for the view to report."""

    # Django's multipart parser copies each chunk a few times while it looks for the boundary:
    # 256 KiB chunks stay in cache and measured fastest here (64 KiB to 16 MiB tried).
    chunk_size = 256 * 1024

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_bytes = int(settings.DOCUMENT_MAX_UPLOAD_BYTES)
        self.refusal: DomainError | None = None
        # ``file`` is set only once a file part starts: Django's parser closes ``handler.file`` when
        # it stops an upload, and must not find a None there.
        self.files_seen = 0
        self._hash = hashlib.sha256()
        self._size = 0

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.files_seen += 1
        if field_name != FILE_FIELD or self.files_seen > 1:
            self.refusal = DomainError("Upload one file at a time, in the form's file field.", code="multiple")
            self.discard()
            raise StopUpload(connection_reset=True)
        if content_length is not None and content_length > self.max_bytes:
            self.refusal = too_large_error()
            raise StopUpload(connection_reset=True)
        self.file = HashedUpload(file_name, content_type, charset, content_type_extra)
        self._hash = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._size += len(raw_data)
        if self._size > self.max_bytes:
            # Stop reading at once: the rest of an oversize body is never read or written.
            self.refusal = too_large_error()
            self.discard()
            raise StopUpload(connection_reset=True)
        self._hash.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> HashedUpload | None:
        if getattr(self, "file", None) is None:
            return None
        self.file.flush()
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self._hash.hexdigest()
        return self.file

    def upload_interrupted(self) -> None:
        # The body ended before the file's closing boundary: a cut-off request.
        self.refusal = DomainError(
            "The upload was cut off before the whole file arrived. Nothing was kept; try again.", code="cut_off"
        )
        self.discard()

    def discard(self) -> None:
        upload = getattr(self, "file", None)
        if upload is not None:
            upload.close()


@dataclass
class ReceivedUpload:
    """What a request brought: its one file, or the reason it was refused while streaming."""

    file: HashedUpload | None = None
    refusal: DomainError | None = None
    handler: DocumentUploadHandler | None = field(default=None, repr=False)

    def discard(self) -> None:
        if self.handler is not None:
            self.handler.discard()
        if self.file is not None:
            self.file.close()


def declared_too_large(request: HttpRequest) -> bool:
    """Refuse before reading a byte when the request says it is larger than any allowed upload."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > int(settings.DOCUMENT_MAX_UPLOAD_BYTES) + FORM_OVERHEAD_BYTES


def receive_upload(request: HttpRequest) -> ReceivedUpload:
    """Parse a multipart POST with the streaming handler. Call it before anything reads
    ``request.POST`` (the view is csrf_exempt and checks the token itself after this)."""
    handler = DocumentUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        files = request.FILES
    except (UnreadablePostError, MultiPartParserError, SuspiciousOperation, OSError):
        # A connection that failed mid-body, a malformed body, or one past Django's field limits.
        handler.discard()
        return ReceivedUpload(
            refusal=DomainError(
                "The upload was cut off or malformed before the whole file arrived. Nothing was kept; try again.",
                code="cut_off",
            ),
            handler=handler,
        )
    if handler.refusal is not None:
        handler.discard()
        return ReceivedUpload(refusal=handler.refusal, handler=handler)
    upload = files.get(FILE_FIELD)
    return ReceivedUpload(file=upload if isinstance(upload, HashedUpload) else None, handler=handler)


# --- Staging any File (services are also called by demo data, tests and other views) -----------


@dataclass
class StagedFile:
    """An upload's bytes in a private temp file, with their size and sha256."""

    upload: HashedUpload
    size: int
    sha256: str
    raw_name: str

    @property
    def path(self) -> str:
        return self.upload.temporary_file_path()

    def discard(self) -> None:
        self.upload.close()


def stage(upload: File) -> StagedFile:
    """Bring ``upload`` into a private temp file (already there when it came through the handler),
    enforcing the size limits. Raises DomainError; leaves no temp file behind when it does."""
    max_bytes = int(settings.DOCUMENT_MAX_UPLOAD_BYTES)
    raw_name = upload.name or ""
    if isinstance(upload, HashedUpload) and upload.sha256:
        staged = StagedFile(upload=upload, size=upload.size or 0, sha256=upload.sha256, raw_name=raw_name)
    else:
        target = HashedUpload(raw_name, getattr(upload, "content_type", None), None, None)
        digest = hashlib.sha256()
        size = 0
        try:
            if hasattr(upload, "seek"):
                upload.seek(0)
            for chunk in upload.chunks(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise too_large_error()
                digest.update(chunk)
                target.write(chunk)
            target.flush()
            target.seek(0)
        except BaseException:
            target.close()
            raise
        target.size = size
        target.sha256 = digest.hexdigest()
        staged = StagedFile(upload=target, size=size, sha256=target.sha256, raw_name=raw_name)
    if staged.size > max_bytes:
        staged.discard()
        raise too_large_error()
    if staged.size == 0:
        staged.discard()
        raise DomainError("The file is empty. Choose the file again; an empty file cannot be a document.", code="empty")
    return staged
