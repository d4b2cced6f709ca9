from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from agencies.models import Agency, AgencyMembership
from agencies.services import agency_create
from audit.admin import ReadOnlyAdmin, ReadOnlyTabularInline, ServiceAddFormMixin


class AgencyCreateForm(forms.Form):
    code = forms.SlugField(max_length=20, help_text="Short code, e.g. nist.")
    name = forms.CharField(max_length=200)
    short_name = forms.CharField(max_length=40)


class AgencyMembershipInline(ReadOnlyTabularInline):
    model = AgencyMembership
    fields = ("user", "role", "created_at")
    readonly_fields = fields


@admin.register(Agency)
class AgencyAdmin(ServiceAddFormMixin, ReadOnlyAdmin):
    list_display = ("short_name", "name", "code", "members", "created_at")
    search_fields = ("short_name", "name", "code")
    fields = ("code", "name", "short_name", "created_at")
    readonly_fields = fields
    inlines = [AgencyMembershipInline]

    add_form_class = AgencyCreateForm
    add_title = "Add an agency"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="members", ordering="member_count")
    def members(self, agency: Agency) -> int:
        return agency.member_count

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Agency:
        return agency_create(code=data["code"], name=data["name"], short_name=data["short_name"], actor=request.user)


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "agency", "role", "created_at")
    list_filter = ("role", "agency")
    search_fields = ("user__email", "user__full_name", "agency__short_name")
    list_select_related = ("user", "agency")
    fields = ("user", "agency", "role", "created_at")
    readonly_fields = fields
