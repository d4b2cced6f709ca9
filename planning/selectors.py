"""Reads of the planning pages: each person's review windows by month and in their feed, and an
agency's workload. Every case comes through ``cases.selectors.cases_for``: a person's calendar
holds only what they may see.

Both pages are bounded: at program scale a reviewer has a thousand windows in a month and a
supervisor's agency thousands of active cases. What is counted is counted in SQL; what is named
is a first page (a day names its first few windows, the lists show a page at a time)."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import User
from agencies.models import AgencyRole
from cases.models import REVIEW_WINDOW_MAX, CaseAgencyAssignment, CaseState, ReviewCase, ReviewerAssignment
from cases.permissions import VIEW_CASE
from cases.selectors import cases_for
from core.db import custom_plans
from core.permissions import held
from planning.models import CalendarFeed
from planning.services import feed_token_hash

# Withdrawn cases have no window to keep; drafts show the window the firm plans.
CALENDAR_STATES = [state for state in CaseState.values if state != CaseState.WITHDRAWN]
# What an agency is working on: assigned and not concluded.
ACTIVE_STATES = [CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED]
# How many windows a calendar day names of those that open (and of those that reach their sharing
# date) that day; the rest are counted ("and 12 more") and listed below the month.
DAY_NAMES = 3
# How many of an agency's cases without a reviewer the workload names above its case list.
UNASSIGNED_NAMED = 10
# The rows of a page of the month's windows and of the workload's cases.
PAGE_ROWS = 25


def windows_for(user: Any) -> QuerySet[ReviewCase]:
    """The cases with a review window (access and sharing date) that ``user`` may see, soonest first."""
    return (
        cases_for(user)
        .filter(state__in=CALENDAR_STATES, access_date__isnull=False, sharing_date__isnull=False)
        .order_by("access_date", "sharing_date", "reference")
    )


def feed_windows(user: Any) -> Iterator[tuple[int, str, datetime.date | None, datetime.date | None]]:
    """(pk, reference, access date, sharing date) of every window of ``user``, for the feed: plain
    tuples, no case instance or joined firm per row."""
    return (
        windows_for(user)
        .select_related(None)
        .values_list("pk", "reference", "access_date", "sharing_date")
        .iterator(chunk_size=2000)
    )


@dataclass(frozen=True)
class WindowRef:
    pk: int
    reference: str


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    opening: list[WindowRef] = field(default_factory=list)  # access date: the first DAY_NAMES
    closing: list[WindowRef] = field(default_factory=list)  # sharing date: the first DAY_NAMES
    opening_count: int = 0
    closing_count: int = 0
    open_windows: int = 0  # windows that include the day

    @property
    def opening_more(self) -> int:
        return self.opening_count - len(self.opening)

    @property
    def closing_more(self) -> int:
        return self.closing_count - len(self.closing)


@dataclass
class Month:
    first: datetime.date
    weeks: list[list[Day]]
    windows: QuerySet[ReviewCase]  # the windows that touch the month, in calendar order
    window_count: int

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.first + datetime.timedelta(days=32)).replace(day=1)


def _month_windows(user: Any, first: datetime.date, last: datetime.date) -> QuerySet[ReviewCase]:
    # A window touches the month when it opens by its last day and reaches its sharing date from
    # its first; a window is at most 30 days long, so its sharing date is also at most 30 days
    # after the month: a range of the sharing-date index, not every window the reader may see.
    return windows_for(user).filter(
        access_date__lte=last, sharing_date__gte=first, sharing_date__lte=last + REVIEW_WINDOW_MAX
    )


def _first_by_day(windows: QuerySet[ReviewCase], column: str) -> QuerySet[Any]:
    """For each date of ``column`` among ``windows``: its first DAY_NAMES windows by reference, each
    with how many windows have that date (``on_day``)."""
    return (
        windows.select_related(None)
        .order_by()
        .annotate(
            rank=Window(RowNumber(), partition_by=[F(column)], order_by=[F("reference").asc()]),
            on_day=Window(Count("pk"), partition_by=[F(column)]),
        )
        .filter(rank__lte=DAY_NAMES)
        .values_list("pk", "reference", column, "on_day")
        .order_by(column, "reference")
    )


def calendar_month_for(user: Any, month: datetime.date) -> Month:
    """The month of ``month`` (weeks from Sunday) with the windows of ``user`` that touch it: each
    day names the first windows that open or close then and counts them all and the windows open;
    ``windows`` lists them all (to be paged). Two queries, whatever the number of windows."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    windows = _month_windows(user, first, last)
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    grid = [[Day(date=day, in_month=day.month == first.month) for day in week] for week in weeks]
    by_date = {day.date: day for week in grid for day in week}
    opened: dict[datetime.date, int] = {}  # windows by access date (all of them, also before the grid)
    closed: dict[datetime.date, int] = {}  # and by sharing date
    for pk, reference, date, on_day in _first_by_day(windows, "access_date"):
        opened[date] = on_day
        if date in by_date:
            by_date[date].opening.append(WindowRef(pk, reference))
            by_date[date].opening_count = on_day
    for pk, reference, date, on_day in _first_by_day(windows, "sharing_date"):
        closed[date] = on_day
        if date in by_date:
            by_date[date].closing.append(WindowRef(pk, reference))
            by_date[date].closing_count = on_day
    # A window is open on a day when it opened by then and has not closed before it.
    for day in by_date.values():
        day.open_windows = sum(n for date, n in opened.items() if date <= day.date) - sum(
            n for date, n in closed.items() if date < day.date
        )
    table = windows.select_related(None).only("pk", "reference", "state", "access_date", "sharing_date")
    return Month(first=first, weeks=grid, windows=table, window_count=sum(opened.values()))


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
    cases: int
    leads: int
    nearest: datetime.date | None  # the nearest sharing date of their cases


@dataclass(frozen=True)
class Workload:
    case_count: int  # the agency's active cases
    unassigned_count: int  # of which none of its reviewers is on
    unassigned: list[ReviewCase]  # the first UNASSIGNED_NAMED of them, the nearest sharing date first
    reviewers: list[ReviewerLoad]


def agency_active_cases(*, agency_id: int, viewer: Any, unassigned: bool = False) -> QuerySet[ReviewCase]:
    """An agency's active cases (in review, closeout requested) that ``viewer`` may see, the nearest
    sharing date first, each with ``agency_reviewers``: the agency's assignments on it (prefetched
    for the rows read). ``unassigned``: only those none of its reviewers is on."""
    where = Q(agency_assignments__agency_id=agency_id)
    if unassigned:
        # Kept by case_assign_reviewers: whether the agency has a reviewer on the case.
        where &= Q(agency_assignments__staffed=False)
    assignments = (
        ReviewerAssignment.objects.filter(agency_id=agency_id)
        .select_related("reviewer")
        .only("case_id", "is_lead", "reviewer__full_name", "reviewer__email")
        .order_by("-is_lead", "reviewer__full_name", "reviewer__email")
    )
    return (
        cases_for(viewer)
        .select_related(None)
        .filter(where, state__in=ACTIVE_STATES)
        .only("pk", "reference", "state", "sharing_date")
        .prefetch_related(Prefetch("reviewer_assignments", queryset=assignments, to_attr="agency_reviewers"))
        .order_by("sharing_date", "reference")
    )


def agency_workload(*, agency_id: int, viewer: Any) -> Workload:
    """How many active cases the agency has (in review, closeout requested) and how many have none of
    its reviewers, the first of those, and each reviewer's load (cases, leads, nearest sharing date,
    counted in SQL), the busiest first: every active reviewer of the agency, and anyone else still on
    one of its cases. Four queries, whatever the number of cases, each planned for this agency
    (core.db.custom_plans: a plan made once for any agency loops over a large one's cases)."""
    with custom_plans():
        return _agency_workload(agency_id=agency_id, viewer=viewer)


def _agency_workload(*, agency_id: int, viewer: Any) -> Workload:
    active = cases_for(viewer).select_related(None).filter(state__in=ACTIVE_STATES)
    counts = active.filter(agency_assignments__agency_id=agency_id).aggregate(
        cases=Count("pk"), unassigned=Count("pk", filter=Q(agency_assignments__staffed=False))
    )
    unassigned = list(
        agency_active_cases(agency_id=agency_id, viewer=viewer, unassigned=True).prefetch_related(None)[
            :UNASSIGNED_NAMED
        ]
    )
    # The agency's assignments on those cases, grouped by reviewer. Every input is read from a
    # covering index in case order (the agency's reviewer and case assignments, the active cases
    # with their sharing date, the reader's grants), so PostgreSQL merges them without reading a
    # table: about 5 ms for the 8,700 assignments of 4,400 cases, and the counts above 2.5 ms.
    on_active_case = ReviewerAssignment.objects.filter(
        held(viewer, VIEW_CASE, outer="case_id"),
        Exists(CaseAgencyAssignment.objects.filter(case_id=OuterRef("case_id"), agency_id=agency_id)),
        agency_id=agency_id,
        case__state__in=ACTIVE_STATES,
    )
    loads = {
        row["reviewer_id"]: row
        for row in on_active_case.values("reviewer_id")
        # Counted by case: the assignment's own key is not in the covering index.
        .annotate(cases=Count("case"), leads=Count("case", filter=Q(is_lead=True)), nearest=Min("case__sharing_date"))
        .order_by()
    }
    people = User.objects.filter(
        Q(
            agency_membership__agency_id=agency_id,
            agency_membership__role=AgencyRole.REVIEWER,
            is_active=True,
        )
        | Q(pk__in=list(loads))
    ).order_by("full_name", "email")
    reviewers = [
        ReviewerLoad(
            reviewer=person,
            cases=loads.get(person.pk, {}).get("cases", 0),
            leads=loads.get(person.pk, {}).get("leads", 0),
            nearest=loads.get(person.pk, {}).get("nearest"),
        )
        for person in people
    ]
    far = timezone.localdate() + datetime.timedelta(days=3650)
    reviewers.sort(key=lambda load: (-load.cases, load.nearest or far))  # stable: then by name
    return Workload(
        case_count=counts["cases"],
        unassigned_count=counts["unassigned"],
        unassigned=unassigned,
        reviewers=reviewers,
    )
