from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.admin import ReadOnlyAdmin, ReadOnlyTabularInline
from documents.models import Document, DocumentVersion

# Metadata only: coordinators may not read document contents, so the stored file is neither
# shown nor linked (a FileField shown read-only would render a link to its URL).
VERSION_FIELDS = ("number", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")


class DocumentVersionInline(ReadOnlyTabularInline):
    model = DocumentVersion
    fields = VERSION_FIELDS
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "case", "kind", "marking", "agency", "visibility", "created_at")
    list_filter = ("kind", "marking", "visibility", "agency")
    search_fields = ("title", "case__reference")
    list_select_related = ("case", "agency")
    fields = ("case", "title", "kind", "marking", "agency", "visibility", "created_by", "created_at")
    readonly_fields = fields
    inlines = [DocumentVersionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        # Documents of a draft are the firm's own until the case is submitted.
        return super().get_queryset(request).exclude(case__state="draft")


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("document", "number", "case", "size", "sha256", "uploaded_by", "uploaded_at")
    search_fields = ("document__title", "document__case__reference", "=sha256")
    list_select_related = ("document__case", "uploaded_by")
    fields = ("document", *VERSION_FIELDS)
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DocumentVersion]:
        return super().get_queryset(request).exclude(document__case__state="draft")

    @admin.display(description="case", ordering="document__case__reference")
    def case(self, version: DocumentVersion) -> str:
        return version.document.case.reference
