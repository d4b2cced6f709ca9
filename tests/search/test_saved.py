"""Saved searches: saved with their filters, shared with the owner's own organisation only, deleted
by their owner only; the daily email names counts and a link, never content, once a day."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import TestCase

from audit.models import AuditEvent
from core.errors import DomainError
from search.models import SavedSearch
from search.selectors import Filters, saved_searches_for
from search.services import saved_search_create, saved_search_delete, saved_searches_email_daily
from tests import builders

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def case(alex, coordinator, dod_reviewer, dod_supervisor, cisa_reviewer):
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "cisa"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
    )


def test_a_shared_search_reaches_the_owners_organisation_only(case, alex, sam, kim, dod_reviewer):
    saved = saved_search_create(
        owner=alex, name="Bypasses", query="bypass", filters=Filters(kind="finding"), share=True
    )
    assert saved.shared_firm_id == alex.firm_membership.firm_id
    assert list(saved_searches_for(sam)) == [saved]
    assert list(saved_searches_for(kim)) == []
    assert list(saved_searches_for(dod_reviewer)) == []
    private = saved_search_create(owner=alex, name="Mine", query="filter", filters=Filters())
    assert private not in saved_searches_for(sam)
    assert AuditEvent.objects.filter(action="saved_search.created", actor=alex).count() == 2


def test_only_the_owner_deletes_it(case, alex, sam, client_for):
    saved = saved_search_create(owner=alex, name="Bypasses", query="bypass", filters=Filters(), share=True)
    with pytest.raises(DomainError):
        saved_search_delete(saved=saved, actor=sam)
    response = client_for(sam).post(f"/search/saved/{saved.pk}/delete/", follow=True)
    assert "Only the person who saved a search may delete it." in response.content.decode()
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    client_for(alex).post(f"/search/saved/{saved.pk}/delete/")
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_saving_from_the_page_keeps_the_filters(case, alex, client_for):
    client = client_for(alex)
    response = client.post(
        "/search/saved/new/", {"q": "bypass", "kind": "finding", "severity": "high", "name": "High bypasses"}
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get(owner=alex)
    assert saved.filters["severity"] == "high"
    run = client.get(f"/search/saved/{saved.pk}/")
    assert run["Location"].startswith("/search/?")
    assert "severity=high" in run["Location"]
    page = client.get("/search/saved/").content.decode()
    assert "High bypasses" in page
    assert client.post("/search/saved/new/", {"q": "", "name": "Empty"}).status_code == 302
    assert SavedSearch.objects.count() == 1


def test_the_daily_email_names_counts_and_a_link_once(case, alex, dod_reviewer, dod_supervisor, cisa_reviewer):
    saved = saved_search_create(
        owner=alex, name="Secret project name", query="exfil", filters=Filters(), daily_email=True
    )
    assert saved_searches_email_daily(today=TODAY) == 0  # what existed when it was saved is not new
    builders.released(case, dod_reviewer, dod_supervisor, visibility="firm", title="Exfil via tool calls")
    builders.released(case, cisa_reviewer, cisa_reviewer, visibility="agency", title="Exfil CISA only")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert saved_searches_email_daily(today=TODAY) == 1
    (email,) = mail.outbox
    assert email.subject == "[Checkpoint] New results for a saved search"
    assert email.to == [alex.email]
    assert "1 finding" in email.body
    assert f"/search/saved/{saved.pk}/" in email.body
    for secret in ("Exfil", "exfil", "Secret project name", "tool calls", "CISA"):
        assert secret not in email.body + email.subject
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert saved_searches_email_daily(today=TODAY) == 0  # once a day
        assert saved_searches_email_daily(today=TODAY + datetime.timedelta(days=1)) == 0  # nothing new since
    assert len(mail.outbox) == 1
