"""The program office's pages for agencies."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import coordinator_object, coordinator_required
from agencies.forms import AgencyForm
from agencies.models import Agency
from agencies.services import agency_create
from core.web import attempt


@coordinator_required
@require_http_methods(["GET", "POST"])
def agency_list(request: HttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency = attempt(request, lambda: agency_create(actor=request.user, **form.cleaned_data), form=form)
        if agency is not None:
            messages.success(request, f"{agency.name} is added. Invite its first supervisor.")
            return redirect("agencies:detail", pk=agency.pk)
    agencies = Agency.objects.annotate(
        member_count=Count("memberships", distinct=True), case_count=Count("case_assignments", distinct=True)
    ).order_by("short_name")
    return render(request, "agencies/agency_list.html", {"agencies": agencies, "form": form})


@coordinator_object
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    members = agency.memberships.select_related("user").order_by("role", "user__email")
    return render(request, "agencies/agency_detail.html", {"agency": agency, "members": members})
