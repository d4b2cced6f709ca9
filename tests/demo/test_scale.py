"""seed_scale writes what the services would have: the permission rows of every object are the
audience the services' own rules give it, and the audit chain it extends verifies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from guardian.utils import get_group_obj_perms_model

from audit.services import check_chain
from cases.models import CaseState, ReviewCase
from core.permissions import coordinators_group
from demo.scale import Seeder, Sizes
from documents.models import Document
from findings.audience import finding_audience
from findings.models import Comment, Finding
from workflow.selectors import case_timeline

pytestmark = pytest.mark.django_db

SMALL = Sizes(firms=3, users=24, cases=40, findings=200, comments=150, documents=100, audit=2_000)


def _held(model, obj) -> set[tuple[int, str]]:
    table = get_group_obj_perms_model(model)
    return set(table.objects.filter(content_object=obj).values_list("group_id", "permission__codename"))


def _audience(obj, view: str) -> set[tuple[int, str]]:
    from cases.audience import audience

    groups = audience(case=obj.case, agency=obj.agency, visibility=obj.visibility)
    if isinstance(obj, Comment) and obj.finding is not None:
        groups &= finding_audience(obj.finding)
    return {(g.pk, view) for g in groups}


def test_seed_scale_writes_the_rows_the_services_would(settings):
    Seeder(SMALL, log=lambda line: None).run()
    assert ReviewCase.objects.count() == 40

    for finding in Finding.objects.select_related("case__model__firm__group", "agency__group"):
        assert _held(Finding, finding) == {(g.pk, "view_finding") for g in finding_audience(finding)}
    for comment in Comment.objects.select_related("case__model__firm__group", "agency__group", "finding"):
        assert _held(Comment, comment) == _audience(comment, "view_comment")
    for document in Document.objects.select_related("case__model__firm__group", "agency__group"):
        assert _held(Document, document) == _audience(document, "view_document")

    coordinators = coordinators_group().pk
    for case in ReviewCase.objects.select_related("model__firm"):
        firm = case.model.firm.group_id
        open_ = case.state not in (CaseState.CLOSED, CaseState.WITHDRAWN)
        expected = {(firm, "view_reviewcase")} | ({(firm, "change_reviewcase")} if open_ else set())
        if case.state != CaseState.DRAFT:
            expected.add((coordinators, "view_reviewcase"))
        for group in case.assigned_agencies.values_list("group_id", flat=True):
            expected |= {(group, "view_reviewcase")} | ({(group, "review_reviewcase")} if open_ else set())
        assert _held(ReviewCase, case) == expected, case.state

    report = check_chain()
    assert report.intact
    assert report.checked == SMALL.audit
    # Every version's file is stored with the bytes its sha256 names.
    out = io.StringIO()
    call_command("verify_documents", stdout=out, stderr=io.StringIO())  # raises when one fails
    assert f"All {SMALL.documents} document versions verified" in out.getvalue()
    # The log names objects the timeline can place.
    case = Finding.objects.first().case
    assert case_timeline(case.model.firm.memberships.first().user, case).exists()


def test_seed_scale_refuses_without_the_demo_switch_and_runs_once(settings):
    settings.DEMO = False
    with pytest.raises(Exception, match="CHECKPOINT_DEMO=1 or --force"):
        call_command("seed_scale")
    Seeder(Sizes(firms=1, users=12, cases=2, findings=2, comments=2, documents=4, audit=0), log=lambda _: None).run()
    before = ReviewCase.objects.count()
    call_command("seed_scale", "--force")
    assert ReviewCase.objects.count() == before
