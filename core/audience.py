"""Who may read the compartmented objects of a case: documents, findings and comments.

docs/design.md's rules, in one place:
- the firm's own documents and comments: the firm and every assigned agency;
- an agency's finding, comment or working file: while a draft, its authoring agency alone;
  once released, ``agency`` keeps it in the authoring agency, ``government`` opens it to every
  assigned agency, ``firm`` also to the firm's liaisons;
- a comment on a finding is never seen by anyone who cannot see the finding.
Coordinators see none of these (they see case metadata and the audit log).

The services that create, release or re-scope these objects, and those that change which
agencies are assigned to a case, call the ``sync_*`` functions below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group

from core import permissions
from core.models import Visibility
from documents.permissions import VIEW_DOCUMENT
from findings.permissions import VIEW_COMMENT, VIEW_FINDING

if TYPE_CHECKING:
    from agencies.models import Agency
    from cases.models import ReviewCase
    from documents.models import Document
    from findings.models import Comment, Finding


def _assigned_agency_groups(case: ReviewCase) -> set[Group]:
    return set(Group.objects.filter(agency__case_assignments__case=case))


def audience(*, case: ReviewCase, agency: Agency | None, visibility: str, released: bool = True) -> set[Group]:
    """The groups that may read an object of ``case`` written by ``agency`` (None: by the firm)."""
    firm_group = case.model.firm.group
    if agency is None:
        return {firm_group} | _assigned_agency_groups(case)
    if not released or visibility == Visibility.AGENCY:
        return {agency.group}
    groups = {agency.group} | _assigned_agency_groups(case)
    if visibility == Visibility.FIRM:
        groups.add(firm_group)
    return groups


def sync_document(document: Document) -> None:
    groups = audience(case=document.case, agency=document.agency, visibility=document.visibility)
    permissions.sync(VIEW_DOCUMENT, document, groups)


def finding_audience(finding: Finding) -> set[Group]:
    return audience(
        case=finding.case, agency=finding.agency, visibility=finding.visibility, released=finding.is_released
    )


def sync_finding(finding: Finding) -> None:
    """Grant the finding to its audience, and re-scope the comments on it."""
    permissions.sync(VIEW_FINDING, finding, finding_audience(finding))
    for comment in finding.comments.select_related("agency__group", "case__model__firm__group"):
        sync_comment(comment, finding=finding)


def sync_comment(comment: Comment, *, finding: Finding | None = None) -> None:
    groups = audience(case=comment.case, agency=comment.agency, visibility=comment.visibility)
    finding = finding or comment.finding
    if finding is not None:
        groups &= finding_audience(finding)
    permissions.sync(VIEW_COMMENT, comment, groups)


def sync_case(case: ReviewCase) -> None:
    """Re-scope every compartmented object of the case (after its agencies changed)."""
    for document in case.documents.select_related("agency__group", "case__model__firm__group"):
        sync_document(document)
    for finding in case.findings.select_related("agency__group", "case__model__firm__group"):
        sync_finding(finding)
    for comment in case.comments.filter(finding__isnull=True).select_related(
        "agency__group", "case__model__firm__group"
    ):
        sync_comment(comment)
