"""Local storage for document files: private folder, private permissions, no public URL."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage


class PrivateDocumentStorage(FileSystemStorage):
    """FileSystemStorage without a URL: documents are only ever served by the permission-checked
    download view, never by a web server or a media URL."""

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Documents have no public URL; they are served by the download view only.")
