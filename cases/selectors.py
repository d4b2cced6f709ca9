"""Reads of models and cases, through the user's object permissions."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OrderBy, OuterRef, Prefetch, QuerySet, prefetch_related_objects

from agencies.models import Agency
from cases.models import AIModel, CaseAgencyAssignment, CaseState, Closeout, ReviewCase
from cases.permissions import VIEW_CASE, VIEW_MODEL
from core.permissions import get_visible_or_404, refuse_access, visible


def cases_for(user: Any, perm: str = VIEW_CASE) -> QuerySet[ReviewCase]:
    """The cases ``user`` may list: their firm's, their assigned agency's, or (coordinators) the
    submitted ones. One query, whatever the number of rows."""
    return visible(user, perm, ReviewCase.objects.select_related("model__firm"))


# The order of every queue and "due" list: fewest days left to the sharing date first (a case
# without one last), then the earliest submission, then the reference.
BY_URGENCY: tuple[OrderBy | str, ...] = (
    F("sharing_date").asc(nulls_last=True),
    F("submitted_at").asc(nulls_last=True),
    "reference",
)


def by_urgency(cases: QuerySet[ReviewCase]) -> QuerySet[ReviewCase]:
    return cases.order_by(*BY_URGENCY)


def _agency_assignments() -> Prefetch[Any]:
    """A case's agency assignments with their agencies, by the agencies' short names."""
    assignments = CaseAgencyAssignment.objects.select_related("agency").order_by("agency__short_name")
    return Prefetch("agency_assignments", queryset=assignments)


def with_agencies(cases: QuerySet[ReviewCase]) -> QuerySet[ReviewCase]:
    """Cases with their assigned agencies prefetched (each says whether the agency has put a
    reviewer on the case: ``staffed``): two queries, whatever the number of rows."""
    return cases.prefetch_related(_agency_assignments())


def fetch_agencies(case: ReviewCase) -> ReviewCase:
    """``with_agencies`` for a case already fetched: one query. The person's standing
    (``cases.policy.standing``) and ``assigned_agencies`` read them then."""
    prefetch_related_objects([case], _agency_assignments())
    return case


def assigned_agencies(case: ReviewCase) -> list[Agency]:
    """The case's assigned agencies by short name: from its assignments when they were fetched
    with it (``with_agencies``, ``fetch_agencies``), else one query."""
    fetched = getattr(case, "_prefetched_objects_cache", {}).get("agency_assignments")
    if fetched is not None:
        return [assignment.agency for assignment in fetched]
    return list(Agency.objects.filter(case_assignments__case=case).order_by("short_name"))


def unstaffed(cases: QuerySet[ReviewCase]) -> QuerySet[ReviewCase]:
    """The cases of ``cases`` in review where an assigned agency has no reviewer yet."""
    return cases.filter(state__in=[CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED]).filter(
        Exists(CaseAgencyAssignment.objects.filter(case=OuterRef("pk"), staffed=False))
    )


def get_case_for(user: Any, pk: Any, perm: str = VIEW_CASE, *, related: tuple[str, ...] = ()) -> ReviewCase:
    """One case, if ``user`` holds ``perm`` on it; 404 for missing and forbidden alike. ``related``:
    more one-to-one rows to fetch in the same statement (a page that shows them)."""
    return get_visible_or_404(user, perm, ReviewCase.objects.select_related("model__firm__group", *related), pk)


def get_closeout_for(user: Any, pk: Any, queryset: QuerySet[Closeout] | None = None) -> Closeout:
    """One closeout, if ``user`` may see its case (the case's permission, in the same statement);
    404 for missing and forbidden alike. ``queryset``: what to fetch with it."""
    closeouts = Closeout.objects.all() if queryset is None else queryset
    try:
        return closeouts.filter(case__in=visible(user, VIEW_CASE, ReviewCase.objects.all()).values("pk")).get(pk=pk)
    except (Closeout.DoesNotExist, ValueError, TypeError):
        raise refuse_access(user, "cases.view_closeout", pk) from None


def models_for(user: Any, perm: str = VIEW_MODEL) -> QuerySet[AIModel]:
    return visible(user, perm, AIModel.objects.select_related("firm"))


def get_model_for(user: Any, pk: Any, perm: str = VIEW_MODEL) -> AIModel:
    return get_visible_or_404(user, perm, AIModel.objects.select_related("firm__group"), pk)
