"""The Django admin: a read-only window for program coordinators.

Every state change must go through the service function that checks it and writes its audit
event, so the admin never adds, changes or deletes anything, for anyone (superusers included).
The one exception is registering a firm or an agency, offered by a small add form that calls the
service (``ServiceAddFormMixin``). Admin pages are for active staff (program coordinators) only:
the model-level view permissions Django normally asks for are replaced by that one rule.

Findings, finding responses and comments are never registered: their contents are compartmented
per agency and coordinators may not read them. Nor is any document file shown or linked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.roles import is_coordinator
from audit.models import AuditEvent
from core.errors import DomainError


class CoordinatorReadOnlyMixin:
    """View-only for active coordinators; nothing to add, change or delete for anyone."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_coordinator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_coordinator(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(CoordinatorReadOnlyMixin, admin.ModelAdmin):
    actions = None  # no "delete selected", no bulk action of any kind
    list_per_page = 50


class ReadOnlyTabularInline(CoordinatorReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


class ServiceAddFormMixin:
    """An admin add page whose save calls a service (which checks the actor and audits), rather
    than saving a model form. The change and delete pages stay refused."""

    add_form_class: type[forms.Form]
    add_title: str

    def create_with_service(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_coordinator(request.user)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.add_form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                obj = self.create_with_service(request, form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"{obj} was added.", messages.SUCCESS)
                opts = self.model._meta
                return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": self.add_title,
            "subtitle": None,
            "opts": self.model._meta,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/checkpoint/service_add_form.html", context)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "actor_label", "action", "target", "case")
    list_display_links = ("id", "at")
    list_filter = ("action", "target_type", ("at", admin.DateFieldListFilter))
    search_fields = ("action", "actor_label", "case__reference", "=target_id")
    date_hierarchy = "at"
    list_select_related = ("case",)
    # Counting a long log on every page is slow and says little.
    show_full_result_count = False
    ordering = ("-id",)
    fields = (
        "id",
        "at",
        "actor",
        "actor_label",
        "ip",
        "action",
        "target_type",
        "target_id",
        "case",
        "data",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description="target", ordering="target_type")
    def target(self, event: AuditEvent) -> str:
        return f"{event.target_type} #{event.target_id}" if event.target_type else "—"
