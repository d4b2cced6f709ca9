"""The program office's pages for firms."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import coordinator_object, coordinator_required
from core.web import attempt, paginate
from firms.forms import FirmForm
from firms.models import Firm
from firms.services import firm_create


@coordinator_required
@require_http_methods(["GET", "POST"])
def firm_list(request: HttpRequest) -> HttpResponse:
    form = FirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        firm = attempt(request, lambda: firm_create(name=form.cleaned_data["name"], actor=request.user), form=form)
        if firm is not None:
            messages.success(request, f"{firm.name} is registered. Invite its first firm admin.")
            return redirect("firms:detail", pk=firm.pk)
    firms = Firm.objects.annotate(
        liaisons=Count("memberships", distinct=True), model_count=Count("models", distinct=True)
    )
    return render(request, "firms/firm_list.html", {"page": paginate(request, firms.order_by("name")), "form": form})


@coordinator_object
def firm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    firm = get_object_or_404(Firm, pk=pk)
    members = firm.memberships.select_related("user").order_by("user__email")
    return render(request, "firms/firm_detail.html", {"firm": firm, "members": members})
