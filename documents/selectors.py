"""Reads of documents and versions, through the user's object permissions. Missing and forbidden
answer alike (404)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from cases.models import ReviewCase
from core.permissions import get_visible_or_404, visible
from documents.models import Document, DocumentVersion
from documents.permissions import VIEW_DOCUMENT


def documents_for(user: Any) -> QuerySet[Document]:
    """The documents ``user`` may read: one query, whatever the number of rows."""
    return visible(user, VIEW_DOCUMENT, Document.objects.select_related("case", "agency"))


def documents_of_case_for(user: Any, case: ReviewCase) -> QuerySet[Document]:
    """The case's documents ``user`` may read, with their latest version number and count."""
    live = Q(versions__retraction__isnull=True)
    return (
        documents_for(user)
        .filter(case=case)
        .select_related("created_by")
        .annotate(latest_number=Max("versions__number", filter=live), version_count=Count("versions", filter=live))
        .filter(version_count__gt=0)  # a document whose every version is retracted leaves the list
        .order_by("kind", "title", "pk")
    )


def firm_document_kinds(case_ids: list[int]) -> dict[int, set[str]]:
    """The kinds of the firm's documentation each case holds (a document with a version that
    counts): metadata the program office may read, in one query."""
    kinds: dict[int, set[str]] = defaultdict(set)
    rows = (
        Document.objects.filter(case_id__in=case_ids, agency__isnull=True, versions__in=live_versions())
        .values_list("case_id", "kind")
        .distinct()
    )
    for case_id, kind in rows:
        kinds[case_id].add(kind)
    return kinds


def live_versions() -> QuerySet[DocumentVersion]:
    """The versions that count, in every list and download: all but the retracted ones."""
    return DocumentVersion.objects.filter(retraction__isnull=True)


def get_document_for(user: Any, pk: Any) -> Document:
    """One document with its versions (newest first) and their uploaders."""
    queryset = Document.objects.select_related(
        "case__model__firm__group", "agency__group", "created_by"
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.select_related(
                # whose they are: a firm reads the agency, not a reviewer's name (accounts.roles.shown_name)
                "uploaded_by__agency_membership__agency",
                "retraction__retracted_by__agency_membership__agency",
            ).order_by("-number"),
        )
    )
    return get_visible_or_404(user, VIEW_DOCUMENT, queryset, pk)


def get_version_for(user: Any, pk: Any) -> DocumentVersion:
    """One version, if ``user`` may read its document."""
    try:
        document_id = DocumentVersion.objects.filter(pk=pk).values_list("document_id", flat=True).first()
    except (ValueError, TypeError):
        document_id = None
    document = get_visible_or_404(user, VIEW_DOCUMENT, Document.objects.select_related("case"), document_id)
    version = DocumentVersion.objects.select_related("uploaded_by").filter(retraction__isnull=True).get(pk=pk)
    version.document = document
    return version
