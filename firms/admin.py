from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from audit.admin import ReadOnlyAdmin, ReadOnlyTabularInline, ServiceAddFormMixin
from firms.models import Firm, FirmMembership
from firms.services import firm_create


class FirmCreateForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="The firm's name as it should appear on its cases.")


class FirmMembershipInline(ReadOnlyTabularInline):
    model = FirmMembership
    fields = ("user", "is_admin", "created_at")
    readonly_fields = fields


@admin.register(Firm)
class FirmAdmin(ServiceAddFormMixin, ReadOnlyAdmin):
    list_display = ("name", "slug", "liaisons", "created_at")
    search_fields = ("name", "slug")
    fields = ("name", "slug", "created_at")
    readonly_fields = fields
    inlines = [FirmMembershipInline]

    add_form_class = FirmCreateForm
    add_title = "Register a firm"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(liaison_count=Count("memberships"))

    @admin.display(description="liaisons", ordering="liaison_count")
    def liaisons(self, firm: Firm) -> int:
        return firm.liaison_count

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Firm:
        return firm_create(name=data["name"], actor=request.user)


@admin.register(FirmMembership)
class FirmMembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "firm", "is_admin", "created_at")
    list_filter = ("is_admin", "firm")
    search_fields = ("user__email", "user__full_name", "firm__name")
    list_select_related = ("user", "firm")
    fields = ("user", "firm", "is_admin", "created_at")
    readonly_fields = fields
