"""The program's metrics, computed from the cases its reader may see (``cases_for``), in a fixed
number of queries whatever the number of cases.

- A coordinator reads the whole program; a supervisor the cases assigned to their agency, and
  their agency's findings only (``findings_for``). The program office reads no finding, so its
  finding figures count only findings outside any agency's compartment (released at the
  ``government`` or ``firm`` level): no agency's own work is counted where another may read it.
- Durations are in days (one decimal); each month is a calendar month in the program's time zone.
- No figure is broken down by firm: the program is voluntary, and nobody ranks its firms.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from agencies.models import Agency
from cases.models import CaseAgencyAssignment, CaseState, Closeout, CloseoutState, ReviewCase
from cases.selectors import cases_for
from core.models import Visibility
from core.permissions import GROUP_IDS_ATTRIBUTE
from findings.models import Category, Finding, FindingResponse, FindingState, Severity
from findings.selectors import findings_for
from metrics.charts import bar_chart
from metrics.policy import metrics_scope

DAY = 86400.0


@dataclass
class Figure:
    """One figure: its chart's bars and its data table (the CSV holds the same table)."""

    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Any]]
    labels: list[str] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)
    unit: str = ""
    summary: str = ""

    def table_body(self) -> SafeString:
        """The data table's rows (the month or the item heads each row), written here: a template
        loop over every cell took two thirds of the page's time."""
        return mark_safe(  # noqa: S308 - every cell is escaped  # nosec B308 B703
            "".join(
                f'<tr><th scope="row">{conditional_escape(localize(row[0]))}</th>'
                + "".join(f"<td>{conditional_escape(localize(cell))}</td>" for cell in row[1:])
                + "</tr>"
                for row in self.rows
            )
        )

    def chart(self) -> SafeString:
        return bar_chart(
            key=self.key,
            title=self.title,
            description=self.description,
            labels=self.labels,
            values=self.values,
            unit=self.unit,
        )


@dataclass
class Metrics:
    scope: str  # "the program" or the agency's name
    months: list[str]
    figures: list[Figure]
    as_of: datetime.datetime | None = None  # when the figures were computed (a snapshot's time)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _month(moment: datetime.datetime | datetime.date, tz: datetime.tzinfo | None = None) -> str:
    if isinstance(moment, datetime.datetime):
        # timezone.localtime, with the zone read once per figure rather than once per row
        moment = moment.astimezone(tz or timezone.get_current_timezone()).date()
    return f"{moment.year:04d}-{moment.month:02d}"


def month_labels(today: datetime.date, count: int) -> list[str]:
    year, month = today.year, today.month
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def _days(start: datetime.datetime, end: datetime.datetime) -> float:
    return round((end - start).total_seconds() / DAY, 1)


def _duration_figure(
    key: str, title: str, what: str, samples: Iterable[tuple[str, float]], months: list[str]
) -> Figure:
    """A duration by month (of the start): count, median and mean days; the chart draws the medians."""
    by_month: dict[str, list[float]] = defaultdict(list)
    for month, days in samples:
        if month in months and days >= 0:
            by_month[month].append(days)
    rows, medians = [], []
    for month in months:
        values = by_month.get(month, [])
        median = round(statistics.median(values), 1) if values else None
        mean = round(statistics.fmean(values), 1) if values else None
        rows.append([month, len(values), median if median is not None else "", mean if mean is not None else ""])
        medians.append(median)
    everything = [d for month in months for d in by_month.get(month, [])]
    summary = (
        f"Median {round(statistics.median(everything), 1)} days over {len(everything)} cases."
        if everything
        else "No case in the period."
    )
    return Figure(
        key=key,
        title=title,
        description=f"Median days {what}, by month, over the last {len(months)} months. {summary}",
        columns=["month", "cases", "median days", "mean days"],
        rows=rows,
        labels=months,
        values=medians,
        unit=" d",
        summary=summary,
    )


def _scoped_findings(reader: Any, agency: Agency | None, cases: QuerySet[ReviewCase]) -> QuerySet[Finding]:
    if agency is not None:
        return findings_for(reader).filter(agency=agency, released_at__isnull=False)
    return Finding.objects.filter(
        case__in=cases.values("pk"),
        released_at__isnull=False,
        visibility__in=[Visibility.GOVERNMENT, Visibility.FIRM],
    )


def program_metrics(user: Any, *, today: datetime.date | None = None, months: int = 12) -> Metrics:
    """Every figure of the metrics page for ``user`` (ask ``metrics_view_refusal`` first), computed
    now. The page reads them computed ahead (``metrics.services.metrics_current``)."""
    return scope_metrics(user, agency=metrics_scope(user), today=today, months=months)


class ScopeReader:
    """The reader of one scope's figures: the members of one group (the program coordinators', or
    an agency's), whose grants are every member's (each person is in their organisation's group
    only), so the figures computed for it are those each member reads."""

    is_authenticated = True
    is_active = True
    pk = None

    def __init__(self, group_id: int) -> None:
        setattr(self, GROUP_IDS_ATTRIBUTE, [group_id])


def scope_metrics(
    reader: Any, *, agency: Agency | None, today: datetime.date | None = None, months: int = 12
) -> Metrics:
    """Every figure for ``agency``'s supervisors (None: the program office), over what ``reader``
    may see."""
    today = today or timezone.localdate()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    labels = month_labels(today, months)
    cases = cases_for(reader).exclude(state=CaseState.DRAFT)
    case_rows: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in cases.values("pk", "submitted_at", "sharing_date", "closed_at", "state").order_by()
    }
    findings = _scoped_findings(reader, agency, cases)
    figures: list[Figure] = []

    # Submission to triage (for a supervisor: to their agency's assignment).
    assignments = CaseAgencyAssignment.objects.filter(case__in=cases.values("pk"))
    if agency is not None:
        assignments = assignments.filter(agency=agency)
    triaged = dict(assignments.values("case").annotate(first=Min("assigned_at")).values_list("case", "first"))
    figures.append(
        _duration_figure(
            "triage",
            "Days from submission to triage",
            "from a case's submission to its agencies' assignment"
            if agency is None
            else "from submission to your agency's assignment",
            (
                (_month(row["submitted_at"], tz), _days(row["submitted_at"], triaged[pk]))
                for pk, row in case_rows.items()
                if row["submitted_at"] and pk in triaged
            ),
            labels,
        )
    )

    # Submission to the first released finding; and the first one shared with the firm (for the
    # next figure) in the same pass over the findings.
    first_finding: dict[int, datetime.datetime] = {}
    first_shared: dict[int, datetime.datetime] = {}
    for case_pk, first, shared in (
        findings.order_by()
        .values("case")
        .annotate(first=Min("released_at"), shared=Min("released_at", filter=Q(visibility=Visibility.FIRM)))
        .values_list("case", "first", "shared")
    ):
        first_finding[case_pk] = first
        if shared is not None:
            first_shared[case_pk] = shared
    figures.append(
        _duration_figure(
            "first-finding",
            "Days from submission to the first finding",
            "from a case's submission to its first released finding",
            (
                (_month(case_rows[pk]["submitted_at"], tz), _days(case_rows[pk]["submitted_at"], first))
                for pk, first in first_finding.items()
                if pk in case_rows and case_rows[pk]["submitted_at"]
            ),
            labels,
        )
    )

    # The first finding shared with the firm to the firm's first response.
    firm_findings = findings.filter(visibility=Visibility.FIRM)
    first_response = dict(
        FindingResponse.objects.filter(finding__in=firm_findings.values("pk"))
        .values("finding__case")
        .annotate(first=Min("created_at"))
        .values_list("finding__case", "first")
    )
    figures.append(
        _duration_figure(
            "first-response",
            "Days from the first finding shared with the firm to its first response",
            "from the first finding shared with the firm to the firm's first response "
            "(a response is the firm's voluntary choice)",
            (
                (_month(first_shared[pk], tz), _days(first_shared[pk], answered))
                for pk, answered in first_response.items()
                if pk in first_shared
            ),
            labels,
        )
    )

    # Reviews concluded before the sharing date, by month of closing.
    closed: list[dict[str, Any]] = [
        row for row in case_rows.values() if row["state"] == CaseState.CLOSED and row["closed_at"]
    ]
    before: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in closed:
        month = _month(row["closed_at"], tz)
        total[month] += 1
        if row["closed_at"].astimezone(tz).date() <= row["sharing_date"]:
            before[month] += 1
    shares = [round(100.0 * before[m] / total[m], 1) if total[m] else None for m in labels]
    all_closed = sum(total[m] for m in labels)
    all_before = sum(before[m] for m in labels)
    summary = (
        f"{all_before} of {all_closed} reviews ({round(100.0 * all_before / all_closed)}%) "
        "concluded by the sharing date."
        if all_closed
        else "No review concluded in the period."
    )
    figures.append(
        Figure(
            key="concluded-before-sharing",
            title="Reviews concluded before the sharing date",
            description="Share of the reviews closed each month that closed on or before the firm's sharing "
            f"date. {summary}",
            columns=["month", "reviews closed", "closed by the sharing date", "share %"],
            rows=[[m, total[m], before[m], s if s is not None else ""] for m, s in zip(labels, shares, strict=True)],
            labels=labels,
            values=shares,
            unit="%",
            summary=summary,
        )
    )

    # Closeouts: latency (request to closing) and the return rate, by month of the decision.
    closeouts: list[dict[str, Any]] = [
        dict(row)
        for row in Closeout.objects.filter(case__in=cases.values("pk"), decided_at__isnull=False).values(
            "requested_at", "decided_at", "state"
        )
    ]
    figures.append(
        _duration_figure(
            "closeout-latency",
            "Days from closeout request to closing",
            "from a closeout's request to the case's closing",
            (
                (_month(row["requested_at"], tz), _days(row["requested_at"], row["decided_at"]))
                for row in closeouts
                if row["state"] == CloseoutState.APPROVED
            ),
            labels,
        )
    )
    decided: Counter[str] = Counter()
    returned: Counter[str] = Counter()
    for row in closeouts:
        month = _month(row["decided_at"], tz)
        decided[month] += 1
        if row["state"] == CloseoutState.RETURNED:
            returned[month] += 1
    rates = [round(100.0 * returned[m] / decided[m], 1) if decided[m] else None for m in labels]
    all_decided, all_returned = sum(decided[m] for m in labels), sum(returned[m] for m in labels)
    summary = (
        f"{all_returned} of {all_decided} closeouts decided were returned "
        f"({round(100.0 * all_returned / all_decided)}%)."
        if all_decided
        else "No closeout decided in the period."
    )
    figures.append(
        Figure(
            key="closeout-returns",
            title="Closeouts returned",
            description=f"Share of the closeouts decided each month that were returned to the reviewers. {summary}",
            columns=["month", "closeouts decided", "returned", "return rate %"],
            rows=[[m, decided[m], returned[m], r if r is not None else ""] for m, r in zip(labels, rates, strict=True)],
            labels=labels,
            values=rates,
            unit="%",
            summary=summary,
        )
    )

    # Findings by category and by severity, by month of release: counted by the database.
    first_month = datetime.datetime(int(labels[0][:4]), int(labels[0][5:]), 1, tzinfo=tz)
    released: Counter[tuple[str, str, str]] = Counter()
    for released_month, category, severity, number in (
        findings.filter(released_at__gte=first_month)
        .order_by()
        .values_list(TruncMonth("released_at", tzinfo=tz), "category", "severity")
        .annotate(number=Count("pk"))
    ):
        released[(_month(released_month, tz), category, severity)] += number
    for key, title, choices, index in (
        ("findings-by-category", "Findings by category", Category.choices, 1),
        ("findings-by-severity", "Findings by severity", Severity.choices, 2),
    ):
        counts: Counter[tuple[str, str]] = Counter()
        for grouped, number in released.items():
            counts[(grouped[0], grouped[index])] += number
        totals = [sum(counts[(m, value)] for m in labels) for value, _label in choices]
        figures.append(
            Figure(
                key=key,
                title=title,
                description=(
                    f"Findings released in the last {len(labels)} months, by {key.rsplit('-', 1)[-1]}: "
                    + ", ".join(f"{label} {n}" for (_v, label), n in zip(choices, totals, strict=True))
                    + ". The table gives each month."
                ),
                columns=["month", *[str(label) for _value, label in choices]],
                rows=[[m, *[counts[(m, value)] for value, _label in choices]] for m in labels],
                labels=[str(label) for _value, label in choices],
                values=[float(n) for n in totals],
                summary=f"{sum(totals)} findings released in the period.",
            )
        )

    # What is overdue now. The two counts over cases are one statement.
    late = cases.order_by().aggregate(
        past_sharing=Count(
            "pk", filter=Q(state__in=[CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED], sharing_date__lt=today)
        ),
        awaiting_triage=Count(
            "pk", filter=Q(state=CaseState.SUBMITTED, submitted_at__lt=now - datetime.timedelta(days=1))
        ),
    )
    overdue = [
        (
            "Firm responses past their due date",
            findings.filter(state=FindingState.RELEASED, visibility=Visibility.FIRM, response_due__lt=today).count(),
        ),
        ("Open reviews past their sharing date", late["past_sharing"]),
        (
            "Closeouts awaiting a decision for more than 5 days",
            Closeout.objects.filter(
                case__in=cases.values("pk"),
                state=CloseoutState.PENDING,
                requested_at__lt=now - datetime.timedelta(days=5),
            )
            .exclude(decisions__agency=agency)
            .count()
            if agency is not None
            else Closeout.objects.filter(
                case__in=cases.values("pk"),
                state=CloseoutState.PENDING,
                requested_at__lt=now - datetime.timedelta(days=5),
            ).count(),
        ),
    ]
    if agency is None:
        overdue.append(
            (
                "Cases awaiting triage for more than a day",
                late["awaiting_triage"],
            )
        )
    figures.append(
        Figure(
            key="overdue",
            title="Overdue now",
            description="What the reminders are chasing today: "
            + "; ".join(f"{label}: {n}" for label, n in overdue)
            + ".",
            columns=["what", "count"],
            rows=[[label, n] for label, n in overdue],
            labels=[label for label, _n in overdue],
            values=[float(n) for _label, n in overdue],
            summary=f"{sum(n for _label, n in overdue)} overdue items.",
        )
    )
    return Metrics(scope="the program" if agency is None else agency.name, months=labels, figures=figures)
