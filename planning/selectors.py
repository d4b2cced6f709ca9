"""Reads of the planning pages: each person's review windows by month and in their feed, and an
agency's workload. Every case comes through ``cases.selectors.cases_for``: a person's calendar
holds only what they may see."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from agencies.models import AgencyMembership, AgencyRole
from cases.models import CaseState, ReviewCase, ReviewerAssignment
from cases.selectors import cases_for
from planning.models import CalendarFeed
from planning.services import feed_token_hash

# Withdrawn cases have no window to keep; drafts show the window the firm plans.
CALENDAR_STATES = [state for state in CaseState.values if state != CaseState.WITHDRAWN]
# What an agency is working on: assigned and not concluded.
ACTIVE_STATES = [CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED]


def windows_for(user: Any) -> QuerySet[ReviewCase]:
    """The cases with a review window (access and sharing date) that ``user`` may see, soonest first."""
    return (
        cases_for(user)
        .filter(state__in=CALENDAR_STATES, access_date__isnull=False, sharing_date__isnull=False)
        .order_by("access_date", "sharing_date", "reference")
    )


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    opening: list[ReviewCase] = field(default_factory=list)  # access date
    closing: list[ReviewCase] = field(default_factory=list)  # sharing date
    open_windows: int = 0  # windows that include the day


@dataclass
class Month:
    first: datetime.date
    weeks: list[list[Day]]
    cases: list[ReviewCase]  # the windows that touch the month

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.first + datetime.timedelta(days=32)).replace(day=1)


def calendar_month_for(user: Any, month: datetime.date) -> Month:
    """The month of ``month`` (weeks from Sunday) with the windows of ``user`` that touch it: each
    day lists the cases whose window opens or closes then, and counts the windows open. One query."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    cases = list(windows_for(user).filter(access_date__lte=last, sharing_date__gte=first))
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    grid = [[Day(date=day, in_month=day.month == first.month) for day in week] for week in weeks]
    by_date = {day.date: day for week in grid for day in week}
    for case in cases:
        assert case.access_date is not None
        assert case.sharing_date is not None
        if case.access_date in by_date:
            by_date[case.access_date].opening.append(case)
        if case.sharing_date in by_date:
            by_date[case.sharing_date].closing.append(case)
        for day in by_date.values():
            if case.access_date <= day.date <= case.sharing_date:
                day.open_windows += 1
    return Month(first=first, weeks=grid, cases=cases)


def feed_owner(token: str) -> User | None:
    """The active person whose feed address holds ``token``, or None (unknown, revoked, deactivated)."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=feed_token_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def has_calendar_feed(user: Any) -> bool:
    return CalendarFeed.objects.filter(user_id=user.pk).exists()


@dataclass(frozen=True)
class ReviewerLoad:
    reviewer: User
    cases: list[ReviewCase]
    leads: int

    @property
    def nearest(self) -> datetime.date | None:
        dates = [case.sharing_date for case in self.cases if case.sharing_date is not None]
        return min(dates) if dates else None


@dataclass(frozen=True)
class Workload:
    cases: Sequence[ReviewCase]  # each with ``agency_reviewers``: this agency's assignments on it
    unassigned: Sequence[ReviewCase]
    reviewers: list[ReviewerLoad]


def agency_workload(*, agency_id: int, viewer: Any) -> Workload:
    """An agency's active cases (in review, closeout requested) with its reviewers on each, the cases
    none of its reviewers is on, and each member's load (cases, leads, nearest sharing date), the
    busiest first. Three queries."""
    assignments = ReviewerAssignment.objects.filter(agency_id=agency_id).select_related("reviewer")
    cases = list(
        cases_for(viewer)
        .filter(state__in=ACTIVE_STATES, agency_assignments__agency_id=agency_id)
        .prefetch_related(Prefetch("reviewer_assignments", queryset=assignments, to_attr="agency_reviewers"))
        .order_by("sharing_date", "reference")
    )
    members = (
        AgencyMembership.objects.filter(agency_id=agency_id, role=AgencyRole.REVIEWER, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    loads: dict[int, tuple[list[ReviewCase], int]] = {m.user_id: ([], 0) for m in members}
    for case in cases:
        for assignment in case.agency_reviewers:
            held, leads = loads.setdefault(assignment.reviewer_id, ([], 0))
            held.append(case)
            loads[assignment.reviewer_id] = (held, leads + int(assignment.is_lead))
    people = {m.user_id: m.user for m in members}
    for case in cases:
        for assignment in case.agency_reviewers:
            people.setdefault(assignment.reviewer_id, assignment.reviewer)
    reviewers = [ReviewerLoad(reviewer=people[pk], cases=held, leads=leads) for pk, (held, leads) in loads.items()]
    today = timezone.localdate()
    reviewers.sort(key=lambda load: (-len(load.cases), load.nearest or today + datetime.timedelta(days=3650)))
    unassigned = [case for case in cases if not case.agency_reviewers]
    return Workload(cases=cases, unassigned=unassigned, reviewers=reviewers)
