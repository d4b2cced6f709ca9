"""The review calendar (a month of one's review windows, and one's secret iCalendar feed) and an
agency's workload for its supervisors."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import agency_membership
from core.errors import DomainError
from core.web import paginate
from planning import ics, policy, selectors, services


def _month(value: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _calendar_page(request: HttpRequest, *, new_feed_url: str = "") -> HttpResponse:
    month = selectors.calendar_month_for(request.user, _month(request.GET.get("month")))
    context = {
        "month": month,
        "page": paginate(request, month.windows, selectors.PAGE_ROWS, count=lambda: month.window_count),
        "today": timezone.localdate(),
        "has_feed": selectors.has_calendar_feed(request.user),
        "may_have_feed": policy.calendar_feed_create_refusal(request.user) is None,
        "new_feed_url": new_feed_url,
    }
    return render(request, "planning/calendar.html", context)


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    return _calendar_page(request)


@login_required
@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    try:
        token = services.calendar_feed_create(actor=request.user)
    except DomainError as error:
        if error.code == "forbidden":
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        return redirect("planning:calendar")
    # The address is shown this once: only its hash is kept.
    url = settings.SITE_URL + reverse("planning:feed", args=[token])
    messages.success(request, "Your calendar feed address is ready. Copy it now: it is shown only once.")
    return _calendar_page(request, new_feed_url=url)


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    try:
        services.calendar_feed_revoke(actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your calendar feed address is revoked: calendar applications get nothing from it.")
    return redirect("planning:calendar")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed: public (a calendar application has no session), answering only to its secret, with
    what its owner may see now. Any other address answers "not found"."""
    owner = selectors.feed_owner(token)
    if owner is None:
        raise Http404("No such calendar.")
    body = ics.review_calendar(
        selectors.feed_windows(owner),
        site_url=settings.SITE_URL,
        host=urlsplit(settings.SITE_URL).hostname or "checkpoint",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="checkpoint-review-windows.ics"'
    return response


@login_required
@require_GET
def workload(request: HttpRequest) -> HttpResponse:
    refusal = policy.workload_view_refusal(request.user)
    if refusal is not None:
        raise PermissionDenied(str(refusal))
    membership = agency_membership(request.user)
    assert membership is not None  # a supervisor
    data = selectors.agency_workload(agency_id=membership.agency_id, viewer=request.user)
    # The case list, a page at a time: all the active cases, or (``?show=unassigned``) those
    # without a reviewer of the agency.
    unassigned = request.GET.get("show") == "unassigned"
    cases = selectors.agency_active_cases(agency_id=membership.agency_id, viewer=request.user, unassigned=unassigned)
    page = paginate(
        request, cases, selectors.PAGE_ROWS, count=lambda: data.unassigned_count if unassigned else data.case_count
    )
    return render(
        request,
        "planning/workload.html",
        {
            "agency": membership.agency,
            "workload": data,
            "page": page,
            "show_unassigned": unassigned,
            "today": timezone.localdate(),
        },
    )
