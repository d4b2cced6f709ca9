"""The program office's pages for agencies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import coordinator_object, coordinator_required
from agencies.forms import AgencyForm
from agencies.models import Agency, AgencyMembership
from agencies.services import agency_create
from cases.models import CaseAgencyAssignment
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
    # Each count is its own subquery: joining members and assignments would multiply them.
    agencies = Agency.objects.annotate(
        member_count=_count(AgencyMembership.objects.filter(agency=OuterRef("pk"))),
        case_count=_count(CaseAgencyAssignment.objects.filter(agency=OuterRef("pk"))),
    ).order_by("short_name")
    return render(request, "agencies/agency_list.html", {"agencies": agencies, "form": form})


def _count(rows: Any) -> Coalesce:
    counted = rows.order_by().values("agency").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@coordinator_object
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    members = agency.memberships.select_related("user").order_by("role", "user__email")
    return render(request, "agencies/agency_detail.html", {"agency": agency, "members": members})
