"""Reads that reach across a case's documents and findings: its timeline, as its reader may see it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from accounts.models import User
from accounts.roles import sees_government_names
from agencies.models import Agency
from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.selectors import TIMELINE_LABELS
from cases.models import CarriedForwardFinding, Closeout, CloseoutDecision, ReviewerAssignment
from cases.policy import Role, Standing, standing
from documents.models import DocumentVersion
from documents.selectors import documents_for
from findings.models import Finding, FindingState, Severity
from findings.selectors import comments_for, findings_for

_GUARDED_TARGETS = {
    "findings.finding": "finding",
    "findings.comment": "comment",
    "documents.document": "document",
    "documents.documentversion": "version",
}


@dataclass(frozen=True)
class SeenOnCase:
    """The ids of a case's findings, comments and documents that one reader may see, when the page
    has already read them through the selectors (``findings_for`` ...): the timeline filters on
    them instead of asking the permission tables again."""

    findings: frozenset[int]
    comments: frozenset[int]
    documents: frozenset[int]


def case_timeline(
    user: Any, case: Any, *, held: Standing | None = None, seen: SeenOnCase | None = None
) -> QuerySet[AuditEvent]:
    """The case's history from the audit log, holding only events about objects ``user`` may see.

    Coordinators read the whole log of the case (it holds no finding or document content).
    ``seen``: the objects of the case ``user`` may see, when the caller has them (one statement
    either way).
    """
    # The actor, and for a firm their agency: a firm reads "DoD", not a reviewer's name
    # (accounts.roles.shown_name); everyone else reads the name.
    actor = "actor" if sees_government_names(user) else "actor__agency_membership__agency"
    events = AuditEvent.objects.filter(case=case, action__in=TIMELINE_LABELS).select_related(actor).order_by("id")
    if Role.COORDINATOR in (held or standing(user, case)).roles:
        return events

    # The log holds ids as text.
    def ids(queryset: QuerySet[Any]) -> QuerySet[Any]:
        text_ids: QuerySet[Any] = queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")
        return text_ids

    def texts(pks: frozenset[int]) -> list[str]:
        return [str(pk) for pk in sorted(pks)]

    findings: Any
    comments: Any
    documents: Any
    if seen is None:
        documents = documents_for(user).filter(case=case)
        findings = ids(findings_for(user).filter(case=case))
        comments = ids(comments_for(user).filter(case=case))
        versions = DocumentVersion.objects.filter(document__in=documents)
        documents = ids(documents)
    else:
        findings, comments, documents = texts(seen.findings), texts(seen.comments), texts(seen.documents)
        versions = DocumentVersion.objects.filter(document_id__in=sorted(seen.documents))
    visible = (
        ~Q(target_type__in=_GUARDED_TARGETS)
        | Q(target_type="findings.finding", target_id__in=findings)
        | Q(target_type="findings.comment", target_id__in=comments)
        | Q(target_type="documents.document", target_id__in=documents)
        | Q(target_type="documents.documentversion", target_id__in=ids(versions))
    )
    return events.filter(visible)


# --- the closeout page: the review it concludes, agency by agency ------------------------------

SEVERITY_ORDER = [value for value, _label in Severity.choices]


@dataclass
class AgencyReview:
    """What one assigned agency did in the review a closeout concludes, as its reader may see it."""

    agency: Agency
    reviewers: list[ReviewerAssignment] = field(default_factory=list)  # on the case now
    earlier_reviewers: list[User] = field(default_factory=list)  # assigned once, taken off since
    findings: list[Finding] = field(default_factory=list)  # released ones the reader may see
    carried: list[CarriedForwardFinding] = field(default_factory=list)
    decision: CloseoutDecision | None = None

    @property
    def never_staffed(self) -> bool:
        """No reviewer of the agency was ever put on the case (the audit log remembers them all)."""
        return not self.reviewers and not self.earlier_reviewers

    @property
    def by_state(self) -> list[tuple[str, int]]:
        counts = Counter(finding.get_state_display() for finding in self.findings)
        return [(label, counts[label]) for _value, label in FindingState.choices if counts[label]]

    @property
    def by_severity(self) -> list[tuple[str, int]]:
        counts = Counter(finding.get_severity_display() for finding in self.findings)
        return [(label, counts[label]) for _value, label in Severity.choices if counts[label]]


def closeout_review(user: Any, closeout: Closeout) -> list[AgencyReview]:
    """Per assigned agency: its reviewers (now and earlier), its released findings ``user`` may
    see (most severe first), what the closeout carries forward of them and why, and its decision
    on this closeout. A fixed number of queries, whatever the number of agencies and findings."""
    case = closeout.case
    reviews = {
        assignment.agency_id: AgencyReview(agency=assignment.agency)
        for assignment in case.agency_assignments.select_related("agency").order_by("agency__short_name")
    }
    for assignment in (
        ReviewerAssignment.objects.filter(case=case)
        .select_related("reviewer")
        .order_by("-is_lead", "reviewer__full_name")
    ):
        if assignment.agency_id in reviews:
            reviews[assignment.agency_id].reviewers.append(assignment)
    by_code = {review.agency.code: review for review in reviews.values()}
    earlier: dict[int, set[int]] = defaultdict(set)
    for event in AuditEvent.objects.filter(case=case, action=AuditAction.CASE_REVIEWERS_ASSIGNED).only("data"):
        review = by_code.get(event.data.get("agency", ""))
        if review is not None:
            earlier[review.agency.pk].update(int(pk) for pk in event.data.get("reviewers", []))
            earlier[review.agency.pk].update(int(pk) for pk in event.data.get("added", []))
    for agency_id, review in reviews.items():
        earlier[agency_id] -= {assignment.reviewer_id for assignment in review.reviewers}
    people = User.objects.in_bulk({pk for pks in earlier.values() for pk in pks})
    for agency_id, pks in earlier.items():
        reviews[agency_id].earlier_reviewers = sorted(
            (people[pk] for pk in pks if pk in people), key=lambda person: person.get_full_name()
        )
    visible = (
        findings_for(user)
        .filter(case=case, released_at__isnull=False)
        .select_related("released_by", "author")
        .order_by("agency_id", "pk")
    )
    findings = {finding.pk: finding for finding in visible}
    for finding in findings.values():
        if finding.agency_id in reviews:
            reviews[finding.agency_id].findings.append(finding)
    for review in reviews.values():
        review.findings.sort(key=lambda finding: (SEVERITY_ORDER.index(finding.severity), finding.pk))
    for item in closeout.carried_forward.order_by("finding_id"):
        seen = findings.get(item.finding_id)
        if seen is not None and seen.agency_id in reviews:
            item.finding = seen
            reviews[seen.agency_id].carried.append(item)
    for decision in closeout.decisions.select_related("supervisor"):
        if decision.agency_id in reviews:
            reviews[decision.agency_id].decision = decision
    return list(reviews.values())
