"""Reads of tested configurations, the access ledger and the sharing attestation, as a reader may
see them. Everything here hangs off a case: whoever may not see the case sees nothing of it
(another firm, an unassigned agency); within it, an agency sees its own ledger entries and the
other agencies' entries recorded at government visibility; the firm sees every entry on its
configurations; coordinators, who follow access problems, see the whole ledger (it holds no
finding or document content)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Q, QuerySet, Value
from django.utils import timezone

from agencies.models import Agency
from cases.models import ReviewCase
from cases.policy import Role, Standing, standing
from configurations import access
from configurations.models import (
    AccessPeriod,
    Configuration,
    Interruption,
    LedgerComment,
    LedgerVisibility,
    SharingAttestation,
)


def program_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=ZoneInfo(settings.PROGRAM_TIME_ZONE))


def review_window(case: ReviewCase) -> access.Interval | None:
    """The review window as moments: from the access date's midnight to the sharing date's
    midnight, in the program's time zone."""
    if case.access_date is None or case.sharing_date is None:
        return None
    return program_midnight(case.access_date), program_midnight(case.sharing_date)


def configurations_for(user: Any, case: ReviewCase, *, held: Standing | None = None) -> QuerySet[Configuration]:
    """Every version of the case's configurations, for anyone who may see the case."""
    held = held if held is not None else standing(user, case)
    if not held.roles:
        return Configuration.objects.none()
    return Configuration.objects.filter(case=case).order_by("name", "lineage", "-version")


def current_configurations(case: ReviewCase) -> QuerySet[Configuration]:
    """The case's configurations as they stand (their current versions): what a form offers."""
    return Configuration.objects.filter(case=case, superseded_at__isnull=True).order_by("name")


def _ledger_filter(held: Standing) -> Q | None:
    """Which entries of the case the reader sees (None: none at all)."""
    if Role.FIRM in held.roles or Role.COORDINATOR in held.roles:
        return Q()
    if held.membership is not None:
        return Q(agency_id=held.membership.agency_id) | Q(visibility=LedgerVisibility.GOVERNMENT)
    return None


def access_periods_for(user: Any, case: ReviewCase, *, held: Standing | None = None) -> QuerySet[AccessPeriod]:
    held = held if held is not None else standing(user, case)
    rule = _ledger_filter(held)
    if rule is None:
        return AccessPeriod.objects.none()
    return AccessPeriod.objects.filter(rule, case=case).select_related("agency", "configuration", "recorded_by")


def interruptions_for(user: Any, case: ReviewCase, *, held: Standing | None = None) -> QuerySet[Interruption]:
    held = held if held is not None else standing(user, case)
    rule = _ledger_filter(held)
    if rule is None:
        return Interruption.objects.none()
    return Interruption.objects.filter(rule, case=case).select_related("agency", "configuration", "recorded_by")


def ledger_entry_visible(user: Any, entry: AccessPeriod | Interruption, *, held: Standing | None = None) -> bool:
    held = held if held is not None else standing(user, entry.case)
    rule = _ledger_filter(held)
    return rule is not None and type(entry).objects.filter(rule, pk=entry.pk).exists()


def get_ledger_entry_for(user: Any, kind: str, pk: Any) -> AccessPeriod | Interruption:
    """One ledger entry the user may see; 404 for missing and forbidden alike."""
    from django.http import Http404

    model: type[AccessPeriod] | type[Interruption] = AccessPeriod if kind == "period" else Interruption
    entry = model.objects.select_related("case__model__firm", "agency").filter(pk=pk).first()
    if entry is None or not ledger_entry_visible(user, entry):
        raise Http404
    return entry


def ledger_comments(periods: list[AccessPeriod], interruptions: list[Interruption]) -> dict[str, list[LedgerComment]]:
    """The comments on the given entries, keyed ``period-<pk>`` / ``interruption-<pk>`` (one query)."""
    comments = LedgerComment.objects.filter(
        Q(period__in=[p.pk for p in periods]) | Q(interruption__in=[i.pk for i in interruptions])
    ).select_related("author")
    result: dict[str, list[LedgerComment]] = defaultdict(list)
    for comment in comments:
        key = f"period-{comment.period_id}" if comment.period_id else f"interruption-{comment.interruption_id}"
        result[key].append(comment)
    return result


@dataclass
class AgencyAccess:
    """One agency's effective access on a case, as a reader sees it."""

    agency: Agency
    effective: datetime.timedelta
    intervals: list[access.Interval]
    interruptions: list[access.Interval] = field(default_factory=list)

    @property
    def days(self) -> float:
        return access.in_days(self.effective)


@dataclass
class AccessSummary:
    """Effective access per agency beside the days left to the sharing date, and what the timeline
    chart draws."""

    window: access.Interval | None
    days_left: int | None
    window_days: int | None
    agencies: list[AgencyAccess]


class _Entry(NamedTuple):
    """What the summary reads of a ledger entry."""

    agency_id: int
    configuration_id: int | None
    started_at: datetime.datetime
    ended_at: Any  # None while an access period continues (an interruption always has an end)


def _summary(
    case: ReviewCase,
    periods: Sequence[AccessPeriod | _Entry],
    interruptions: Sequence[Interruption | _Entry],
    agencies: list[Agency],
    now: datetime.datetime,
) -> AccessSummary:
    window = review_window(case)
    days_left = (case.sharing_date - timezone.localdate(now)).days if case.sharing_date else None
    window_days = (case.sharing_date - case.access_date).days if case.sharing_date and case.access_date else None
    rows = []
    if window is not None:
        for agency in agencies:
            mine = [
                access.Period(p.configuration_id, p.started_at, p.ended_at) for p in periods if p.agency_id == agency.pk
            ]
            cuts = [
                access.Cut(i.configuration_id, i.started_at, i.ended_at)
                for i in interruptions
                if i.agency_id == agency.pk
            ]
            intervals = access.effective_intervals(mine, cuts, window=window, now=now)
            lost = access.clip(
                access.merge((access.utc(c.start), access.utc(c.end)) for c in cuts),
                access.utc(window[0]),
                min(access.utc(window[1]), access.utc(now)),
            )
            rows.append(AgencyAccess(agency, access.total(intervals), intervals, lost))
    return AccessSummary(window, days_left, window_days, rows)


def access_summary_for(
    user: Any,
    case: ReviewCase,
    *,
    held: Standing | None = None,
    now: datetime.datetime | None = None,
    agencies: list[Agency] | None = None,
) -> AccessSummary:
    """Effective access per assigned agency, computed from the ledger entries ``user`` may see
    (so nothing another agency kept to itself shows, not even as a number)."""
    held = held if held is not None else standing(user, case)
    periods: list[_Entry] = []
    interruptions: list[_Entry] = []
    if _ledger_filter(held) is not None:
        # Both kinds of entry in one statement, their times and agencies only (the summary names no
        # configuration or recorder).
        def entries(queryset: QuerySet[Any], kind: str) -> QuerySet[Any]:
            kinded: QuerySet[Any] = (
                queryset.select_related(None)
                .order_by()
                .annotate(kind=Value(kind, output_field=CharField()))
                .values_list("agency_id", "configuration_id", "started_at", "ended_at", "kind")
            )
            return kinded

        rows = (
            entries(access_periods_for(user, case, held=held), "period")
            .union(entries(interruptions_for(user, case, held=held), "cut"), all=True)
            .order_by("started_at")
        )
        for *fields, kind in rows:
            (periods if kind == "period" else interruptions).append(_Entry(*fields))
    if agencies is None:
        agencies = [a.agency for a in case.agency_assignments.select_related("agency")]
    agencies = sorted(agencies, key=lambda agency: agency.short_name)
    if _ledger_filter(held) is None:
        agencies = []
    return _summary(case, periods, interruptions, agencies, now or timezone.now())


def effective_access_days(
    cases: list[ReviewCase], *, now: datetime.datetime | None = None, keeping_only: bool = False
) -> dict[int, dict[int, float]]:
    """Effective access days per case and assigned agency, from the whole ledger (the reminder
    sweep's and the closeout record's reading; pages use ``access_summary_for``). Three queries.
    ``keeping_only``: only the agencies that keep a ledger on the case (recorded any entry)."""
    now = now or timezone.now()
    ids = [case.pk for case in cases]
    periods: dict[int, list[AccessPeriod]] = defaultdict(list)
    cuts: dict[int, list[Interruption]] = defaultdict(list)
    for period in AccessPeriod.objects.filter(case_id__in=ids):
        periods[period.case_id].append(period)
    for interruption in Interruption.objects.filter(case_id__in=ids):
        cuts[interruption.case_id].append(interruption)
    assigned: dict[int, list[Agency]] = defaultdict(list)
    from cases.models import CaseAgencyAssignment

    for assignment in CaseAgencyAssignment.objects.filter(case_id__in=ids).select_related("agency"):
        assigned[assignment.case_id].append(assignment.agency)
    result: dict[int, dict[int, float]] = {}
    for case in cases:
        agencies = assigned[case.pk]
        if keeping_only:
            keeping = {p.agency_id for p in periods[case.pk]} | {i.agency_id for i in cuts[case.pk]}
            agencies = [agency for agency in agencies if agency.pk in keeping]
        summary = _summary(case, periods[case.pk], cuts[case.pk], agencies, now)
        result[case.pk] = {row.agency.pk: row.days for row in summary.agencies}
    return result


def attestation_of(case: ReviewCase) -> SharingAttestation | None:
    """The firm's sharing attestation on the case, if it made one (seen by all who see the case)."""
    return SharingAttestation.objects.filter(case=case).select_related("configuration", "attested_by").first()


@dataclass
class RecordOfTesting:
    """What the closeout record says of what was tested and for how long (the record calls
    ``record_of_testing``)."""

    configurations: list[Configuration]
    effective_days: dict[str, float]  # agency short name -> effective access days
    attestation: SharingAttestation | None


def record_of_testing(case: ReviewCase, *, agency_ids: list[int] | None = None) -> RecordOfTesting:
    """The configurations (every version), the effective access days of the assigned agencies
    (``agency_ids`` narrows them for an agency's own record) and the attestation, for the
    closeout record. Reads the whole ledger: its caller decides the audience."""
    days = effective_access_days([case])[case.pk]
    names = dict(Agency.objects.filter(pk__in=list(days)).values_list("pk", "short_name"))
    shown = {names[pk]: value for pk, value in days.items() if agency_ids is None or pk in agency_ids}
    configurations = list(Configuration.objects.filter(case=case).order_by("name", "version"))
    return RecordOfTesting(configurations, shown, attestation_of(case))
