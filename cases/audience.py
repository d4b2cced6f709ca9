"""Who may read the compartmented objects of a case: documents, findings and comments.

docs/design.md's rules, in one place:
- the firm's own documents and comments: the firm and every assigned agency;
- an agency's finding, comment or working file: while a draft, its authoring agency alone;
  once released, ``agency`` keeps it in the authoring agency, ``government`` opens it to every
  assigned agency, ``firm`` also to the firm's liaisons;
- a comment on a finding is never seen by anyone who cannot see the finding.
Coordinators see none of these (they see case metadata and the audit log).

The documents and findings apps grant their objects to these groups (``documents.audience``,
``findings.audience``); ``workflow.services`` re-scopes a case's objects when its agencies change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group

from core.models import Visibility

if TYPE_CHECKING:
    from agencies.models import Agency
    from cases.models import ReviewCase


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
