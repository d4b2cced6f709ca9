"""The role dashboards: each person lands on what is due for them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import agency_membership, firm_membership, is_coordinator
from cases.models import OPEN_STATES, CaseState, Closeout, CloseoutState
from cases.selectors import by_urgency, cases_for, unstaffed, with_agencies
from configurations.selectors import effective_access_days
from core.models import Visibility
from findings.models import FindingState
from findings.policy import findings_awaiting_release_by
from findings.selectors import findings_for
from workflow.policy import closeouts_awaiting_decision_by

# Each list shows the first rows only, with a link to the whole list: a dashboard costs the same
# whatever the size of the program.
DASHBOARD_ROWS = 10


def _cases(user: Any) -> Any:
    return with_agencies(cases_for(user))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"title": "Dashboard"}
    if membership := firm_membership(user):
        context["role"] = "liaison"
        context["firm"] = membership.firm
        context["is_admin"] = membership.is_admin
        context["open_cases"] = by_urgency(_cases(user).filter(state__in=OPEN_STATES))[:DASHBOARD_ROWS]
        context["awaiting_firm"] = (
            findings_for(user)
            .filter(state=FindingState.RELEASED, visibility=Visibility.FIRM)
            .order_by("response_due", "pk")[:DASHBOARD_ROWS]
        )
    elif membership := agency_membership(user):
        context["role"] = "agency"
        context["agency"] = membership.agency
        context["is_supervisor"] = membership.is_supervisor
        active = _cases(user).filter(state__in=[CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED])
        my_cases = list(by_urgency(active.filter(reviewer_assignments__reviewer=user))[:DASHBOARD_ROWS])
        agency_cases = list(by_urgency(active)[:DASHBOARD_ROWS])
        # Effective access days of the reader's own agency, beside the days left: its own ledger
        # entries, all of which it may read.
        days = effective_access_days([*my_cases, *agency_cases])
        for case in [*my_cases, *agency_cases]:
            case.effective_days = days.get(case.pk, {}).get(membership.agency_id, 0.0)
        context["my_cases"], context["agency_cases"] = my_cases, agency_cases
        if membership.is_supervisor:
            context["closeouts"] = (
                closeouts_awaiting_decision_by(user)
                .select_related("case__model", "requested_by")
                .order_by("requested_at")[:DASHBOARD_ROWS]
            )
            # Drafts this supervisor may release beyond the agency, those someone asked for first.
            context["drafts_to_release"] = (
                findings_awaiting_release_by(user, findings_for(user))
                # what the list shows, and no more joins for the planner to order
                .select_related(None)
                .select_related("case", "release_requested_by")
                .order_by(F("release_requested_at").asc(nulls_last=True), "created_at")[:DASHBOARD_ROWS]
            )
    elif is_coordinator(user):
        context["role"] = "coordinator"
        visible = _cases(user)
        context["triage"] = by_urgency(visible.filter(state=CaseState.SUBMITTED))[:DASHBOARD_ROWS]
        # Cases in review where an assigned agency has not put a reviewer on them yet.
        context["unstaffed"] = by_urgency(unstaffed(visible))[:DASHBOARD_ROWS]
        counts = dict(visible.order_by().values_list("state").annotate(n=Count("pk")))
        context["counts"] = [(label, counts.get(value, 0)) for value, label in CaseState.choices if value != "draft"]
        context["closeouts"] = (
            Closeout.objects.filter(state=CloseoutState.PENDING, case__in=visible.values("pk"))
            .select_related("case__model", "requested_by")
            .order_by("requested_at")[:DASHBOARD_ROWS]
        )
    else:
        context["role"] = "none"
    return render(request, "dashboard/home.html", context)
