"""Who may read a document: its audience (``cases.audience``) holds ``view_document`` on it."""

from __future__ import annotations

from cases.audience import audience
from core import permissions
from documents.models import Document
from documents.permissions import VIEW_DOCUMENT


def sync_document(document: Document) -> None:
    groups = audience(case=document.case, agency=document.agency, visibility=document.visibility)
    permissions.sync(VIEW_DOCUMENT, document, groups)
