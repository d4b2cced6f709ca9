from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.admin import ReadOnlyAdmin, ReadOnlyTabularInline
from cases.models import AIModel, CaseAgencyAssignment, Closeout, CloseoutDecision, ReviewCase, ReviewerAssignment


@admin.register(AIModel)
class AIModelAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "firm", "created_by", "created_at")
    list_filter = ("firm",)
    search_fields = ("name", "version", "firm__name")
    list_select_related = ("firm", "created_by")
    fields = ("firm", "name", "version", "description", "modalities", "intended_partners", "created_by", "created_at")
    readonly_fields = fields


class AgencyAssignmentInline(ReadOnlyTabularInline):
    model = CaseAgencyAssignment
    verbose_name = "assigned agency"
    verbose_name_plural = "assigned agencies"
    fields = ("agency", "assigned_by", "assigned_at")
    readonly_fields = fields
    show_change_link = False


class ReviewerAssignmentInline(ReadOnlyTabularInline):
    model = ReviewerAssignment
    verbose_name = "assigned reviewer"
    verbose_name_plural = "assigned reviewers"
    fields = ("reviewer", "agency", "is_lead", "assigned_by", "assigned_at")
    readonly_fields = fields
    show_change_link = False


class CloseoutInline(ReadOnlyTabularInline):
    model = Closeout
    fields = ("state", "requested_by", "requested_at", "decided_at")
    readonly_fields = fields


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "firm", "model", "state", "access_date", "sharing_date", "agencies")
    list_filter = ("state", "model__firm", "assigned_agencies")
    search_fields = ("reference",)
    list_select_related = ("model__firm",)
    date_hierarchy = "sharing_date"
    # Case metadata only. How evaluators reach the model and the safeguard configuration are
    # the firm's operational detail for the assigned agencies, not for the program office.
    fields = (
        "reference",
        "firm",
        "model",
        "state",
        "access_date",
        "sharing_date",
        "trusted_partners",
        "model_snapshot",
        "created_by",
        "created_at",
        "submitted_at",
        "closed_at",
        "withdrawn_at",
        "withdrawal_reason",
    )
    readonly_fields = fields
    inlines = [AgencyAssignmentInline, ReviewerAssignmentInline, CloseoutInline]

    def get_queryset(self, request: HttpRequest):
        # A draft is the firm's own until it is submitted (as on the portal's pages).
        return super().get_queryset(request).exclude(state="draft").prefetch_related("assigned_agencies")

    @admin.display(description="firm", ordering="model__firm__name")
    def firm(self, case: ReviewCase) -> str:
        return case.model.firm.name

    @admin.display(description="assigned agencies")
    def agencies(self, case: ReviewCase) -> str:
        return ", ".join(agency.short_name for agency in case.assigned_agencies.all()) or "—"


class CloseoutDecisionInline(ReadOnlyTabularInline):
    model = CloseoutDecision
    fields = ("agency", "supervisor", "decision", "reason", "decided_at")
    readonly_fields = fields


@admin.register(Closeout)
class CloseoutAdmin(ReadOnlyAdmin):
    list_display = ("case", "state", "requested_by", "requested_at", "decided_at")
    list_filter = ("state",)
    search_fields = ("case__reference",)
    list_select_related = ("case", "requested_by")
    fields = ("case", "state", "requested_by", "requested_at", "summary", "decided_at")
    readonly_fields = fields
    inlines = [CloseoutDecisionInline]


@admin.register(CloseoutDecision)
class CloseoutDecisionAdmin(ReadOnlyAdmin):
    list_display = ("closeout", "agency", "decision", "supervisor", "decided_at")
    list_filter = ("decision", "agency")
    search_fields = ("closeout__case__reference",)
    list_select_related = ("closeout__case", "agency", "supervisor")
    fields = ("closeout", "agency", "supervisor", "decision", "reason", "decided_at")
    readonly_fields = fields
