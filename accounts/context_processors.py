"""What every page's header shows: the user's organisation and role, and their navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.roles import agency_membership, firm_membership, is_coordinator, role_label


def _nav_for(user: Any) -> list[tuple[str, str]]:
    items = [("Dashboard", "home")]
    if firm_membership(user):
        items += [
            ("Cases", "cases:list"),
            ("Models", "cases:model_list"),
            ("Findings", "findings:list"),
            ("Calendar", "planning:calendar"),
        ]
        if firm_membership(user).is_admin:
            items.append(("Invitations", "invitations:list"))
    elif membership := agency_membership(user):
        items += [("Cases", "cases:list"), ("Findings", "findings:list"), ("Calendar", "planning:calendar")]
        if membership.is_supervisor:
            items += [("Workload", "planning:workload"), ("Invitations", "invitations:list")]
            items.append(("Metrics", "metrics:dashboard"))  # their agency's (metrics.policy)
    elif is_coordinator(user):
        items += [
            ("Triage", "cases:triage"),
            ("Cases", "cases:list"),
            ("Calendar", "planning:calendar"),
            ("Firms", "firms:list"),
            ("Agencies", "agencies:list"),
            ("Invitations", "invitations:list"),
            ("Accounts", "invitations:accounts"),
            ("Metrics", "metrics:dashboard"),
            ("Audit log", "audit:list"),
        ]
    return items


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_nav": [], "portal_role": ""}
    nav = []
    for label, name in _nav_for(user):
        try:
            url = reverse(name)
        except NoReverseMatch:  # a part of the portal that is not installed
            continue
        nav.append({"label": label, "url": url, "current": False})
    # The current section is the longest link the path starts with ("/" only for the dashboard).
    matches = [
        item
        for item in nav
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["current"] = True
    try:
        notifications_url = reverse("notifications:list")
    except NoReverseMatch:
        notifications_url = ""
    return {"portal_nav": nav, "portal_role": role_label(user), "notifications_url": notifications_url}
