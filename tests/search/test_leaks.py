"""The search leak test: a marker planted in every searchable field of each firm's items and each
agency's ``agency`` items of the demo; every demo user searches for every marker. A hit appears
only where docs/design.md ("Who sees what") lets its reader see the object, and the counts shown
are the rows shown."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pytest
from django.test import TestCase

from accounts.models import User
from agencies.models import Agency, AgencyMembership
from cases.models import CaseState, ReviewCase
from demo.data import ACCOUNTS
from documents.models import Document, DocumentVersion
from firms.models import Firm, FirmMembership
from search.selectors import Filters, Kind, search_for
from tests import builders


@dataclass(frozen=True)
class Plant:
    marker: str
    kind: str  # search.selectors.Kind
    pk: int
    case: ReviewCase
    firm: Firm
    agency: Agency | None  # the owning agency of an ``agency`` item; None for the firm's items


def _plant_firm(firm: Firm, case: ReviewCase, liaison: User) -> list[Plant]:
    name = re.sub(r"\W", "", firm.name.lower())

    def marker(field: str) -> str:
        return f"zq{name}{field}q"

    plants: list[Plant] = []
    model = case.model
    type(model).objects.filter(pk=model.pk).update(
        name=f"Model {marker('modelname')}", intended_partners=f"Partners {marker('intended')}"
    )
    ReviewCase.objects.filter(pk=case.pk).update(
        trusted_partners=f"Shared with {marker('partners')}", model_snapshot=f"snap-{marker('snapshot')}"
    )
    for field in ("partners", "snapshot"):
        plants.append(Plant(marker(field), Kind.CASE, case.pk, case, firm, None))
    for field in ("modelname", "intended"):  # every case of the model (a model may be submitted again)
        plants += [Plant(marker(field), Kind.CASE, other.pk, other, firm, None) for other in model.cases.all()]
    document = builders.attach_document(case, liaison, "other")
    Document.objects.filter(pk=document.pk).update(title=f"Notes {marker('doctitle')}")
    DocumentVersion.objects.filter(document=document).update(original_name=f"{marker('filename')}-v1.pdf")
    plants += [
        Plant(marker("doctitle"), Kind.DOCUMENT, document.pk, case, firm, None),
        Plant(marker("filename"), Kind.DOCUMENT, document.pk, case, firm, None),
    ]
    note = builders.comment(case, liaison, body=f"The firm adds {marker('comment')} here.")
    plants.append(Plant(marker("comment"), Kind.COMMENT, note.pk, case, firm, None))
    return plants


def _plant_agency(agency: Agency, case: ReviewCase) -> list[Plant]:
    def marker(field: str) -> str:
        return f"zq{agency.code}{field}q"

    reviewer = builders._member_of(agency, "reviewer")
    finding = builders.released(
        case,
        reviewer,
        reviewer,
        visibility="agency",
        title=f"Finding {marker('title')}",
        description=f"Described as {marker('description')}.",
        target_kind="safeguard",
        target_component=f"classifier {marker('target')}",
    )
    note = builders.comment(case, reviewer, body=f"Internal {marker('comment')} note.", visibility="agency")
    version = builders.working_file(case, reviewer, agency.code, visibility="agency")
    Document.objects.filter(pk=version.document_id).update(title=f"Working {marker('doctitle')}")
    DocumentVersion.objects.filter(pk=version.pk).update(original_name=f"{marker('filename')}.md")
    f, c, d = Kind.FINDING, Kind.COMMENT, Kind.DOCUMENT
    return [
        Plant(marker("title"), f, finding.pk, case, case.model.firm, agency),
        Plant(marker("description"), f, finding.pk, case, case.model.firm, agency),
        Plant(marker("target"), f, finding.pk, case, case.model.firm, agency),
        Plant(marker("comment"), c, note.pk, case, case.model.firm, agency),
        Plant(marker("doctitle"), d, version.document_id, case, case.model.firm, agency),
        Plant(marker("filename"), d, version.document_id, case, case.model.firm, agency),
    ]


@functools.cache
def _memberships(user_pk: int) -> tuple[frozenset[int], frozenset[int]]:
    firms = FirmMembership.objects.filter(user_id=user_pk).values_list("firm_id", flat=True)
    agencies = AgencyMembership.objects.filter(user_id=user_pk).values_list("agency_id", flat=True)
    return frozenset(firms), frozenset(agencies)


@functools.cache
def _assigned(case_pk: int) -> frozenset[int]:
    return frozenset(ReviewCase.objects.get(pk=case_pk).assigned_agencies.values_list("pk", flat=True))


def _allowed(user: User, plant: Plant) -> bool:
    """docs/design.md's rule, written out here on its own (not through the selectors)."""
    firm_ids, agency_ids = _memberships(user.pk)
    assigned = _assigned(plant.case.pk)
    if plant.agency is not None:  # an agency's own item: that agency alone
        return plant.agency.pk in agency_ids
    in_audience = plant.firm.pk in firm_ids or bool(agency_ids & assigned)
    if plant.kind == Kind.CASE:  # case metadata: also the program office, once submitted
        return in_audience or (user.is_coordinator and plant.case.state != CaseState.DRAFT)
    return in_audience


@pytest.fixture
def planted(seeded) -> list[Plant]:
    _memberships.cache_clear()
    _assigned.cache_clear()
    plants: list[Plant] = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        for firm in Firm.objects.order_by("pk"):
            case = ReviewCase.objects.filter(model__firm=firm, state=CaseState.IN_REVIEW).order_by("pk").first()
            liaison = User.objects.filter(firm_membership__firm=firm).order_by("pk").first()
            plants += _plant_firm(firm, case, liaison)
        for agency in Agency.objects.order_by("pk"):
            case = ReviewCase.objects.filter(assigned_agencies=agency, state=CaseState.IN_REVIEW).order_by("pk").first()
            plants += _plant_agency(agency, case)
    return plants


def _demo_users() -> list[User]:
    return list(User.objects.filter(email__in=[account.email for account in ACCOUNTS]).order_by("email"))


def test_search_leaks_nothing(planted, client_for):
    """Loads the demo once (about 8 seconds) for both checks below."""
    _every_demo_user_finds_exactly_what_they_may_see(planted)
    _the_page_counts_what_it_shows_and_nothing_more(planted, client_for)


def _every_demo_user_finds_exactly_what_they_may_see(planted):
    """Each marker searched in its own kind by every demo user: the hits are the planted objects
    the rule lets the user see. (Other kinds hold no marker: the page test below searches all.)"""
    users = _demo_users()
    assert len(users) == len(ACCOUNTS)
    seen_somewhere = set()
    markers = {plant.marker: plant.kind for plant in planted}
    for user in users:
        for marker, kind in markers.items():
            (group,) = search_for(user, marker, Filters(kind=kind))
            expected = sorted({p.pk for p in planted if p.marker == marker and _allowed(user, p)})
            assert sorted(group.hits.values_list("pk", flat=True)) == expected, f"{user.email} searching {marker}"
            if expected:
                seen_somewhere.add(marker)
    # Every marker is found by someone: the search does look in every field planted.
    assert seen_somewhere == set(markers)


def _the_page_counts_what_it_shows_and_nothing_more(planted, client_for):
    """Searching the markers' common prefix: each group's count is its rows, and its rows are the
    objects the reader may see."""
    links = {
        Kind.CASE: "/cases/{}/",
        Kind.FINDING: "/findings/{}/",
        Kind.COMMENT: None,
        Kind.DOCUMENT: "/documents/{}/",
    }
    for user in _demo_users():
        client = client_for(user)
        for kind, link in links.items():
            page = client.get("/search/", {"q": "zq", "kind": kind}).content.decode()
            allowed = {p.pk for p in planted if p.kind == kind and _allowed(user, p)}  # each object once
            shown = re.search(r'<span class="usa-tag">(\d+)</span>', page)
            assert shown is not None, (user.email, kind)
            assert int(shown.group(1)) == len(allowed), (user.email, kind)
            assert page.count('<li class="margin-bottom-2">') == len(allowed), (user.email, kind)
            if link:
                pks = {int(pk) for pk in re.findall(link.replace("{}", r"(\d+)") + '" class="text-bold"', page)}
                assert pks == allowed, (user.email, kind)
            may_see = {p.marker for p in planted if _allowed(user, p)}
            leaked = set(re.findall(r"zq\w+?q\b", page)) - may_see
            assert not leaked, (user.email, kind, leaked)
        # Everything at once: the grouped page's counts are the same.
        page = client.get("/search/", {"q": "zq"}).content.decode()
        shown = [int(n) for n in re.findall(r'<span class="usa-tag">(\d+)</span>', page)]
        assert shown == [len({p.pk for p in planted if p.kind == kind and _allowed(user, p)}) for kind in links]
