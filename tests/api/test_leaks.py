"""Leak tests over the demo data set: every list and detail endpoint of the API, as every demo user,
answers exactly what the selectors say the user may see (the pages' rules), and so never an object
of another firm, nor of another agency's compartment (DESIGN.md, "Who sees what")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase

from accounts.models import User
from accounts.roles import agency_membership, firm_membership
from api.services import token_create
from cases.models import AIModel, Closeout, ReviewCase
from cases.selectors import cases_for, models_for
from core.models import Visibility
from documents.models import Document
from documents.selectors import documents_for
from findings.models import Comment, Finding
from findings.selectors import comments_for, findings_for
from notifications.models import Notification

LISTS = {
    "cases": "/api/v1/cases/",
    "models": "/api/v1/models/",
    "findings": "/api/v1/findings/",
    "comments": "/api/v1/comments/",
    "notifications": "/api/v1/notifications/",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[list[User]]:
    """The demo data set, loaded once for the module inside a transaction rolled back at its end."""
    from django.conf import settings

    with django_db_blocker.unblock():
        original = settings.STORAGES
        settings.STORAGES = {
            **original,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path_factory.mktemp("leak-documents"))},
            },
        }
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
            from demo.data import ACCOUNTS

            yield list(User.objects.filter(email__in=[a.email for a in ACCOUNTS]).order_by("email"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.STORAGES = original


def _all(client: Client, url: str) -> list[dict[str, Any]]:
    rows, next_url = [], f"{url}?page_size=200"
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        rows += body["results"]
        next_url = body["next"]
    return rows


def _ids(queryset: Any) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.django_db
def test_every_list_and_detail_answers_what_the_user_may_see(demo, unthrottled):
    assert len(demo) >= 10
    every = {
        "cases": _ids(ReviewCase.objects.all()),
        "models": _ids(AIModel.objects.all()),
        "findings": _ids(Finding.objects.all()),
        "documents": _ids(Document.objects.all()),
        "closeouts": _ids(Closeout.objects.all()),
    }
    for user in demo:
        _token, raw = token_create(actor=user, name="leak test", scope="read", days=1, passed_mfa=True)
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        seen = {name: _all(client, url) for name, url in LISTS.items()}
        may = {
            "cases": _ids(cases_for(user)),
            "models": _ids(models_for(user)),
            "findings": _ids(findings_for(user)),
            "comments": _ids(comments_for(user)),
            "notifications": _ids(Notification.objects.filter(recipient=user, cleared_at__isnull=True)),
            "documents": _ids(documents_for(user)),
        }
        for name in LISTS:
            assert {row["id"] for row in seen[name]} == may[name], f"{user.email}: {name}"
        documents = set()
        for case_id in may["cases"]:
            documents |= {row["id"] for row in _all(client, f"/api/v1/cases/{case_id}/documents/")}
        assert documents == may["documents"], f"{user.email}: documents"
        visible_closeouts = _ids(Closeout.objects.filter(case_id__in=may["cases"]))
        for kind, url, allowed in (
            ("cases", "/api/v1/cases/{}/", may["cases"]),
            ("models", "/api/v1/models/{}/", may["models"]),
            ("findings", "/api/v1/findings/{}/", may["findings"]),
            ("documents", "/api/v1/documents/{}/", may["documents"]),
            ("closeouts", "/api/v1/closeouts/{}/", visible_closeouts),
        ):
            for pk in every[kind]:
                status = client.get(url.format(pk)).status_code
                assert status == (200 if pk in allowed else 404), f"{user.email}: {url.format(pk)} answered {status}"
        _assert_design_rules(user, seen, may)


def _assert_design_rules(user: User, seen: dict[str, list[dict[str, Any]]], may: dict[str, set[int]]) -> None:
    """DESIGN.md's words, checked on what the API answered (not only against the selectors)."""
    firm = firm_membership(user)
    agency = agency_membership(user)
    cases = ReviewCase.objects.filter(pk__in=[row["id"] for row in seen["cases"]]).select_related("model")
    findings = Finding.objects.filter(pk__in=[row["id"] for row in seen["findings"]])
    comments = Comment.objects.filter(pk__in=[row["id"] for row in seen["comments"]])
    documents = Document.objects.filter(pk__in=may["documents"])
    if firm is not None:
        assert {case.model.firm_id for case in cases} <= {firm.firm_id}, user.email
        assert {finding.visibility for finding in findings} <= {Visibility.FIRM}, user.email
        assert not findings.exclude(case__model__firm_id=firm.firm_id).exists(), user.email
        assert not findings.filter(state="draft").exists(), user.email
        assert {comment.visibility for comment in comments} <= {Visibility.FIRM}, user.email
        assert not documents.exclude(case__model__firm_id=firm.firm_id).exists(), user.email
    elif agency is not None:
        assert all(case.agency_assignments.filter(agency=agency.agency).exists() for case in cases), user.email
        others = findings.exclude(agency=agency.agency)
        assert not others.filter(visibility=Visibility.AGENCY).exists(), user.email
        assert not others.filter(state="draft").exists(), user.email
        assert not comments.exclude(agency=agency.agency).filter(visibility=Visibility.AGENCY).exists(), user.email
        assert not documents.exclude(agency=agency.agency).filter(visibility=Visibility.AGENCY).exists(), user.email
    else:  # the program office: case metadata, never findings, comments or documents
        assert not seen["findings"], user.email
        assert not seen["comments"], user.email
        assert not may["documents"], user.email
