"""The audit log, for program coordinators."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import coordinator_required
from audit.selectors import audit_log
from audit.services import verify_chain
from cases.selectors import cases_for
from core import forms as cp
from core.web import paginate


class AuditFilterForm(cp.Form):
    action = forms.CharField(required=False, help_text="For example case.submitted, or a prefix such as finding.")
    actor = forms.CharField(required=False, label="Actor email")
    case = forms.CharField(required=False, label="Case reference")


@coordinator_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = audit_log()
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"].strip())
        if data["case"]:
            events = events.filter(case__reference__iexact=data["case"].strip())
    # A row links its case only if the reader may open it (a draft is the firm's own): no link of
    # ours leads to "Page not found".
    events = events.annotate(case_openable=Exists(cases_for(request.user).filter(pk=OuterRef("case_id"))))
    page = paginate(request, events, per_page=50)
    return render(request, "audit/audit_list.html", {"form": form, "page": page})


@coordinator_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    problem = verify_chain()
    if problem is None:
        messages.success(request, "The audit chain is intact: no event was altered or removed.")
    else:
        messages.error(request, problem.message)
    return redirect("audit:list")
