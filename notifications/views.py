"""The notifications page and the email preference. A person reaches only their own
notifications: another person's answers 404, like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.web import attempt, paginate
from notifications import services
from notifications.forms import PreferenceForm
from notifications.models import Notification
from notifications.selectors import email_mode_for, get_notification_for, notifications_for, openable, unread_count

# Where a notice about each kind of object leads; the page there applies the reader's permissions.
TARGET_PAGES = {
    "findings.finding": "findings:detail",
    "cases.closeout": "cases:closeout",
    "cases.reviewcase": "cases:detail",
}


def target_url(notification: Notification) -> str:
    candidates = [(TARGET_PAGES.get(notification.target_type), notification.target_id)]
    candidates.append(("cases:detail", notification.case_id))
    for name, pk in candidates:
        if name and pk:
            try:
                return reverse(name, args=[pk])
            except NoReverseMatch:
                continue
    return reverse("notifications:list")


def _back(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("notifications:list")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    inbox = notifications_for(request.user)
    page = paginate(request, inbox)
    unread = unread_count(request.user)
    # The header's count is the same number: given here, the context processor's is never read.
    context = {
        "page": page,
        "unread": unread,
        "unread_notifications": unread,
        "openable": openable(request.user, page.object_list),
    }
    return render(request, "notifications/list.html", context)


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The link in an email and in the list: mark the notice read, go to what it is about."""
    notification = get_notification_for(request.user, pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    if notification.pk not in openable(request.user, [notification]):
        # Not a link to "Page not found": what it was about is no longer shared with the reader.
        messages.info(request, "What this notice was about is no longer open to you.")
        return redirect("notifications:list")
    return redirect(target_url(notification))


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for(request.user, pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    return _back(request)


@login_required
@require_POST
def clear(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for(request.user, pk)
    if attempt(request, lambda: services.notification_clear(notification=notification, actor=request.user)):
        messages.success(request, "The notification is cleared.")
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return _back(request)


@login_required
@require_POST
def clear_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_clear_read(actor=request.user)
    if count:
        messages.success(request, f"{count} read notification{'s' if count != 1 else ''} cleared.")
    else:
        messages.info(request, "There were no read notifications to clear.")
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST or None, initial={"email_mode": email_mode_for(request.user)})
    if request.method == "POST" and form.is_valid():
        email_mode = form.cleaned_data["email_mode"]
        if attempt(
            request, lambda: services.notification_preference_set(actor=request.user, email_mode=email_mode), form=form
        ):
            messages.success(request, "Your email preference is saved.")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
