"""Reads for closeout records: who may download which record, and what a record holds.

A record holds what its audience may see, read from the object permissions that audience's groups
hold (``core.permissions.held_by_every``): the firm's group for the firm; every assigned agency's
group at once for the government; one agency's group for that agency. So a record never holds more
than the portal shows the same people, and the rules of ``cases.audience`` are not written twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from agencies.models import Agency
from audit.actions import AuditAction
from audit.models import AuditEvent
from cases.models import CarriedForwardFinding, Closeout, CloseoutDecision, Decision, ReviewCase
from cases.policy import Role
from cases.selectors import assigned_agencies, fetch_agencies, get_case_for
from core.permissions import get_visible_or_404, held_by_every, visible
from documents.models import Document, Marking
from documents.permissions import VIEW_DOCUMENT
from documents.selectors import live_versions
from findings.models import Finding, FindingResponse, FindingState
from findings.permissions import VIEW_FINDING
from records.models import Audience, CloseoutRecord
from records.permissions import VIEW_RECORD

DEFAULT_MARKING = "PROPRIETARY AND CONFIDENTIAL REVIEW MATERIAL"


def records_for(user: Any) -> QuerySet[CloseoutRecord]:
    return visible(user, VIEW_RECORD, CloseoutRecord.objects.select_related("case", "agency"))


def get_record_for(user: Any, pk: Any) -> CloseoutRecord:
    return get_visible_or_404(user, VIEW_RECORD, CloseoutRecord.objects.select_related("case", "agency"), pk)


def record_audiences(case: ReviewCase) -> list[tuple[str, Agency | None]]:
    """The firm, the government, then each assigned agency by name."""
    agencies = Agency.objects.filter(case_assignments__case=case).select_related("group").order_by("short_name")
    return [(Audience.FIRM, None), (Audience.GOVERNMENT, None)] + [(Audience.AGENCY, a) for a in agencies]


def audience_groups(case: ReviewCase, audience: str, agency: Agency | None) -> list[Group]:
    """The groups whose common view is the audience's (what the record may hold)."""
    if audience == Audience.FIRM:
        return [case.model.firm.group]
    if audience == Audience.AGENCY:
        assert agency is not None
        return [agency.group]
    return list(Group.objects.filter(agency__case_assignments__case=case).order_by("pk"))


def reader_groups(case: ReviewCase, audience: str, agency: Agency | None) -> list[Group]:
    """Who may download the record: the firm's is read by the firm and every assigned agency (it
    holds nothing the agencies cannot see); the government's by every assigned agency; an agency's
    by that agency alone."""
    assigned = list(Group.objects.filter(agency__case_assignments__case=case))
    if audience == Audience.FIRM:
        return [case.model.firm.group, *assigned]
    if audience == Audience.GOVERNMENT:
        return assigned
    assert agency is not None
    return [agency.group]


@dataclass(frozen=True)
class DateMove:
    at: datetime
    by: str
    old: str
    new: str
    reason: str


@dataclass
class RecordContent:
    """Everything a record (or an interim report) shows, as its audience may see it."""

    case: ReviewCase
    audience: str
    agency: Agency | None
    groups: list[Group]
    closeout: Closeout | None
    interim: bool
    made_at: datetime
    agencies: list[Agency] = field(default_factory=list)
    date_moves: list[DateMove] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    carried_forward: list[CarriedForwardFinding] = field(default_factory=list)
    decisions: list[CloseoutDecision] = field(default_factory=list)

    @property
    def audience_label(self) -> str:
        if self.audience == Audience.AGENCY and self.agency is not None:
            return f"{self.agency.name} ({self.agency.short_name}) only"
        return str(Audience(self.audience).label)

    @property
    def marking(self) -> str:
        """The handling marking of every page: the markings of the documents it lists, or the
        portal's own."""
        markings = sorted({d.marking for d in self.documents if d.marking != Marking.PROPRIETARY})
        return " / ".join(["PROPRIETARY", *markings]) if markings else DEFAULT_MARKING

    @property
    def css_marking(self) -> str:
        """The marking as a CSS string's content for the page margins: capitals and a few signs only."""
        return re.sub(r"[^A-Z0-9 /()-]", "", self.marking.upper())


def record_content(
    case: ReviewCase, audience: str, agency: Agency | None, *, closeout: Closeout | None, interim: bool
) -> RecordContent:
    groups = audience_groups(case, audience, agency)
    content = RecordContent(
        case=case,
        audience=audience,
        agency=agency,
        groups=groups,
        closeout=closeout,
        interim=interim,
        made_at=timezone.now(),
        agencies=assigned_agencies(case),
    )
    content.date_moves = [
        DateMove(
            at=event.at,
            by=event.actor.get_full_name() if event.actor else "Checkpoint",
            old=str(event.data.get("from", "")),
            new=str(event.data.get("to", "")),
            reason=str(event.data.get("reason", "")),
        )
        for event in AuditEvent.objects.filter(case=case, action=AuditAction.CASE_SHARING_DATE_MOVED)
        .select_related("actor")
        .order_by("id")
    ]
    # Retracted versions (uploaded by mistake) are in no list and no record; a document left
    # with none is not listed either.
    content.documents = list(
        held_by_every(VIEW_DOCUMENT, Document.objects.filter(case=case), groups)
        .filter(Exists(live_versions().filter(document=OuterRef("pk"))))
        .select_related("agency")
        .prefetch_related(
            Prefetch("versions", queryset=live_versions().select_related("uploaded_by").order_by("number"))
        )
        .order_by("kind", "title", "pk")
    )
    findings = (
        held_by_every(VIEW_FINDING, Finding.objects.filter(case=case), groups)
        .exclude(state=FindingState.DRAFT)  # a draft was never issued: no record holds it
        .select_related("agency")
        .prefetch_related(
            Prefetch("responses", queryset=FindingResponse.objects.select_related("responder").order_by("created_at"))
        )
        .order_by("agency__short_name", "pk")
    )
    content.findings = list(findings)
    if closeout is not None:
        seen = {finding.pk for finding in content.findings}
        content.carried_forward = [
            row
            for row in closeout.carried_forward.select_related("finding__agency").order_by("finding_id")
            if row.finding_id in seen
        ]
        content.decisions = list(
            closeout.decisions.filter(decision=Decision.APPROVED)
            .select_related("agency", "supervisor")
            .order_by("agency__short_name")
        )
    return content


def interim_case_for(user: Any, pk: Any) -> ReviewCase:
    """An open case for its interim report, 404 for what ``user`` may not see, with its agency
    assignments in one more statement: the reader's standing and the report's list of agencies
    both read them."""
    return fetch_agencies(get_case_for(user, pk))


def interim_audience(standing_roles: Any, membership: Any) -> tuple[str, Agency | None]:
    """The audience an open case's interim report is drawn for, for a reader of the case: the
    firm's liaisons read the firm's view; an assigned agency's members their agency's."""
    if Role.FIRM in standing_roles:
        return Audience.FIRM, None
    return Audience.AGENCY, membership.agency


def interim_report_content(case: ReviewCase, audience: str, agency: Agency | None) -> RecordContent:
    """What an open case's record would hold now, marked interim (drawn on demand, never stored)."""
    closeout = case.closeouts.order_by("-requested_at").first()
    return record_content(case, audience, agency, closeout=closeout, interim=True)
