"""Who may read a finding or a comment: its audience (``cases.audience``) holds the view
permission on it, and a comment on a finding is never read by anyone who cannot read the finding."""

from __future__ import annotations

from django.contrib.auth.models import Group

from cases.audience import audience
from core import permissions
from findings.models import Comment, Finding
from findings.permissions import VIEW_COMMENT, VIEW_FINDING


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
