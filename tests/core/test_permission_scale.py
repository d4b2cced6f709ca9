"""Checking one object costs one indexed lookup, whatever the number of other objects.

The same statement, and one of it, fetches and authorizes a case with 10 cases in the database and
with 10,000 (the other 9,990 are copies written in bulk with the permission rows the services gave
the first, so they are visible to the same people).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cases.models import ReviewCase
from cases.permissions import VIEW_CASE
from cases.selectors import cases_for, get_case_for
from core import permissions
from tests import builders
from tests.web.test_queries import clone

pytestmark = pytest.mark.django_db


def _shape(sql: str) -> str:
    """A statement with its literal numbers taken out: what the database is asked, not for which row."""
    return re.sub(r"\b\d+\b", "N", sql)


def _check(user, case) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert get_case_for(user, case.pk) == case
        assert permissions.has(user, VIEW_CASE, case)
    return [_shape(q["sql"]) for q in queries.captured_queries]


def test_an_object_check_is_the_same_one_statement_at_10_and_10000_cases(alex, kim, dod_reviewer, coordinator):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    copies = clone(case.model, 9, version=lambda i: f"v{i}")
    clone(case, 9, model_id=lambda i: copies[i].pk, reference=lambda i: f"CP-T-{i:05d}")
    assert cases_for(alex).count() == 10

    few = _check(alex, case)
    assert _check(dod_reviewer, case) == few
    clone(case, 9_990, reference=lambda i: f"CP-M-{i:05d}")
    assert cases_for(alex).count() == 10_000
    many = _check(alex, case)
    assert _check(dod_reviewer, case) == many

    assert len(few) == 2  # the fetch is the check: one statement each for get_case_for and has
    assert many == few
    # The grant is probed in the same statement (EXISTS), never as a list of the visible ids.
    assert all("EXISTS" in q for q in many)

    # Another firm's liaison is refused by the same single statement.
    with CaptureQueriesContext(connection) as queries, pytest.raises(Http404):
        get_case_for(kim, case.pk)
    assert _shape(queries.captured_queries[0]["sql"]) == few[0]


def test_a_lists_count_from_the_grants_is_the_lists_count(alex, kim, dod_reviewer, treasury_reviewer, coordinator):
    from findings.permissions import VIEW_FINDING
    from findings.selectors import findings_for
    from tests.builders import draft, released

    case = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    supervisor = builders.make_agency_member("dod", role="supervisor", email="s2@dod.test")
    draft(case, dod_reviewer, visibility="firm", title="Draft")
    released(case, dod_reviewer, supervisor, visibility="government", title="Government")
    released(case, dod_reviewer, supervisor, visibility="firm", title="Firm")
    for user in (alex, kim, dod_reviewer, treasury_reviewer, coordinator):
        assert permissions.visible_count(user, VIEW_FINDING) == findings_for(user).count(), user
    assert [permissions.visible_count(u, VIEW_FINDING) for u in (alex, dod_reviewer, treasury_reviewer)] == [1, 3, 2]


def test_the_finding_list_pages_by_the_grants_count(client_for, alex, dod_reviewer, dod_supervisor, coordinator):
    from tests.builders import released

    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm", title="Finding 0")
    clone(finding, 30, title=lambda i: f"Finding {i + 1}")
    client = client_for(alex)
    assert "Page 1 of 2" in client.get("/findings/").content.decode()
    assert "Page 2 of 2" in client.get("/findings/?page=2").content.decode()
    filtered = client.get("/findings/?severity=informational").content.decode()
    assert "Page 1 of" not in filtered


def _as_signed_in(user):
    """The user as the sign-in backend hands it to a request: their group ids read with them."""
    from accounts.backends import AuthenticationBackend

    return AuthenticationBackend().get_user(user.pk)


def test_a_signed_in_reader_and_a_service_see_the_same_objects(
    alex, kim, dod_reviewer, dod_supervisor, treasury_reviewer, coordinator
):
    """``held`` writes the grant probe as SQL for a signed-in reader (their groups known) and as an
    ORM subquery otherwise: both answer the same, for every guarded kind, in lists, in object
    checks and inside another statement's subquery."""
    from documents.models import Document
    from findings.models import Comment, Finding

    case = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    builders.draft(case, dod_reviewer)
    builders.released(case, dod_reviewer, dod_supervisor, visibility="firm")
    builders.comment(case, treasury_reviewer)
    builders.comment(case, alex)
    builders.working_file(case, dod_reviewer, "dod")
    builders.make_case(kim, state="in_review", coordinator=coordinator)
    kinds = {
        VIEW_CASE: ReviewCase,
        "findings.view_finding": Finding,
        "findings.view_comment": Comment,
        "documents.view_document": Document,
    }
    seen_any = set()
    for person in (alex, kim, dod_reviewer, dod_supervisor, treasury_reviewer, coordinator):
        signed_in = _as_signed_in(person)
        assert getattr(signed_in, permissions.GROUP_IDS_ATTRIBUTE) is not None
        for perm, model in kinds.items():
            by_service = set(permissions.visible(person, perm).values_list("pk", flat=True))
            by_page = set(permissions.visible(signed_in, perm).values_list("pk", flat=True))
            assert by_page == by_service, (person.email, perm)
            inner = model.objects.filter(pk__in=permissions.visible(signed_in, perm).values("pk"))
            assert set(inner.values_list("pk", flat=True)) == by_service
            for obj in model.objects.all():
                assert permissions.has(signed_in, perm, obj) == (obj.pk in by_service)
            seen_any |= {(perm, pk) for pk in by_page}
    assert seen_any  # the people above see something of each kind between them


def test_a_person_in_no_group_sees_nothing(alex, coordinator):
    builders.make_case(alex, state="in_review", coordinator=coordinator)
    loner = builders.make_agency_member("dod")
    loner.groups.clear()
    signed_in = _as_signed_in(loner)
    assert getattr(signed_in, permissions.GROUP_IDS_ATTRIBUTE) == []
    assert not permissions.visible(signed_in, VIEW_CASE).exists()
    assert not cases_for(signed_in).exists()
