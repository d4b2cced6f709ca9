"""Pages outside the main journey: editing a finding, moving the sharing date, the case list's
filters."""

from __future__ import annotations

import datetime

from django.urls import reverse

from core import formats
from core.models import Visibility
from findings.services import finding_release
from tests import builders
from tests.assertions import rows_unchanged
from tests.builders import draft, released
from tests.web.support import field_error, follow, text, words


def test_only_the_authoring_agency_gets_the_edit_page_of_a_finding(
    client_for, alex, dod_reviewer, dod_supervisor, treasury_reviewer, case
):
    finding = draft(case, dod_reviewer, visibility=Visibility.FIRM, title="Weights reachable")
    edit = reverse("findings:edit", args=[finding.pk])
    reviewer = client_for(dod_reviewer)
    form = text(reviewer.get(edit))
    assert 'value="Weights reachable"' in form
    fields = {
        "title": "Weights reachable from the sandbox",
        "description": "The evaluation sandbox can read the weight bucket.",
        "category": "weight_security",
        "severity": "critical",
        "target_kind": "model",
        "visibility": "firm",
        "configuration": finding.configuration_id,
    }
    response = reviewer.post(edit, fields)
    assert f"Finding #{finding.pk} is saved." in text(follow(reviewer, response))
    finding.refresh_from_db()
    assert finding.title == "Weights reachable from the sandbox"

    # Once released, the firm and the other agency read it, but have no edit page.
    finding_release(finding=finding, actor=dod_supervisor)
    readers = {user: client_for(user) for user in (alex, treasury_reviewer)}
    with rows_unchanged():
        for user, client in readers.items():
            assert client.get(reverse("findings:detail", args=[finding.pk])).status_code == 200
            assert client.get(edit).status_code == 404, user.email
            assert client.post(edit, fields | {"title": "Rewritten"}).status_code == 404, user.email
        # The author's agency is told why a released finding is not edited.
        response = reviewer.post(edit, fields | {"title": "Rewritten"})
    assert response.status_code == 200
    assert "Only a draft can be edited; this finding has been released." in text(response)


def test_moving_the_sharing_date_explains_the_window_and_records_the_move(client_for, alex, dod_reviewer, case):
    liaison = client_for(alex)
    url = reverse("cases:move_date", args=[case.pk])
    assert "The window is at most 30 days" in text(liaison.get(url))
    too_late = case.access_date + datetime.timedelta(days=31)
    with rows_unchanged():
        too_long = liaison.post(url, {"sharing_date": too_late.isoformat(), "reason": "Partner delay"})
        no_reason = liaison.post(url, {"sharing_date": (case.sharing_date + datetime.timedelta(days=1)).isoformat()})
    assert "The review window would be 31 days" in text(too_long)
    assert field_error(no_reason, "reason") == "This field is required."

    new_date = case.sharing_date + datetime.timedelta(days=2)
    response = liaison.post(url, {"sharing_date": new_date.isoformat(), "reason": "Partner delay"})
    assert f"The sharing date of {case.reference} is now {formats.day(new_date)}." in text(follow(liaison, response))
    case.refresh_from_db()
    assert case.sharing_date == new_date
    page = words(client_for(dod_reviewer).get(reverse("cases:detail", args=[case.pk])))
    assert (
        f"moved the sharing date from {formats.day(new_date - datetime.timedelta(days=2))} to {formats.day(new_date)}"
        in page
    )


def test_the_case_list_filters_sorts_and_pages(client_for, alex, coordinator, dod_reviewer, dod_supervisor, case):
    soon = builders.make_case(
        alex, state="in_review", agencies=("treasury",), coordinator=coordinator, days_to_sharing=2, window_days=10
    )
    draft_case = builders.make_case(alex)
    liaison = client_for(alex)
    listed = text(liaison.get(reverse("cases:list")))
    assert all(c.reference in listed for c in (case, soon, draft_case))
    assert "3 cases." in listed

    def references(**params):
        page = text(liaison.get(reverse("cases:list"), params))
        return [c.reference for c in (case, soon, draft_case) if c.reference in page]

    assert references(state="draft") == [draft_case.reference]
    dod = case.agency_assignments.get(agency__code="dod").agency_id
    assert references(agency=dod) == [case.reference]
    assert references(due="3") == [soon.reference]
    assert references(q=case.reference) == [case.reference]
    page = text(liaison.get(reverse("cases:list"), {"sort": "sharing_date"}))
    assert page.index(soon.reference) < page.index(case.reference)

    # DoD sees only the case DoD reviews.
    assert references() == [case.reference, soon.reference, draft_case.reference]
    dod_page = text(client_for(dod_reviewer).get(reverse("cases:list")))
    assert case.reference in dod_page
    assert soon.reference not in dod_page
    assert draft_case.reference not in dod_page

    # 26 cases make two pages.
    for _ in range(23):
        builders.make_case(alex)
    first = text(liaison.get(reverse("cases:list")))
    assert "26 cases." in first
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in text(liaison.get(reverse("cases:list"), {"page": 2}))


def test_findings_list_filters(client_for, dod_reviewer, dod_supervisor, case):
    released(case, dod_reviewer, dod_supervisor, visibility=Visibility.FIRM, title="Critical one", severity="critical")
    draft(case, dod_reviewer, title="Low one", severity="low")
    reviewer = client_for(dod_reviewer)
    page = text(reviewer.get(reverse("findings:list"), {"sort": "severity_rank"}))
    assert "2 findings." in page
    assert page.index("Critical one") < page.index("Low one")
    page = text(reviewer.get(reverse("findings:list"), {"severity": "low"}))
    assert "Low one" in page
    assert "Critical one" not in page


def test_the_audit_log_links_a_case_only_for_a_reader_who_may_open_it(client_for, alex, coordinator):
    """The coordinators' log names a draft's reference (a draft is the firm's own) without linking
    to a page that would answer "Page not found"."""
    from tests import builders

    draft = builders.make_case(alex, state="draft")
    submitted = builders.make_case(alex, state="submitted")
    page = client_for(coordinator).get(reverse("audit:list")).content.decode()
    assert f'href="{reverse("cases:detail", args=[submitted.pk])}"' in page
    assert f'href="{reverse("cases:detail", args=[draft.pk])}"' not in page
    assert draft.reference in page
