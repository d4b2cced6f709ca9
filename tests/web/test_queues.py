"""Queues sort by urgency, the triage page shows what assigning needs, and the submit page's
checklist tells the truth (what is present, what is missing, each with a link to fix it)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cases.models import ReviewCase
from tests import builders
from tests.web.support import text, words


def _order(page: str, cases: list[ReviewCase]) -> list[str]:
    return sorted((c.reference for c in cases), key=page.index)


def test_triage_sorts_by_days_left_then_submission_and_shows_what_assigning_needs(client_for, alex, coordinator):
    late = builders.make_case(alex, state="submitted", days_to_sharing=20, window_days=10)
    soon_second = builders.make_case(alex, state="submitted", days_to_sharing=4, window_days=10)
    other = builders.make_case(alex, state="submitted", days_to_sharing=4, window_days=10)
    ReviewCase.objects.filter(pk=other.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=2))
    soon_first = ReviewCase.objects.get(pk=other.pk)
    page = text(client_for(coordinator).get(reverse("cases:triage")))
    assert _order(page, [late, soon_second, soon_first]) == [
        soon_first.reference,
        soon_second.reference,
        late.reference,
    ]
    shown = words(client_for(coordinator).get(reverse("cases:triage")))
    assert "Modalities: Text" in shown
    assert "System card, Access instructions" in shown
    assert "4 days left" in shown
    window = f"{late.access_date:%b} {late.access_date.day}, {late.access_date.year}"
    assert window in shown
    assert "fewest days left" in shown
    # The dashboard's queue has the same order.
    dashboard = text(client_for(coordinator).get("/"))
    assert _order(dashboard, [late, soon_second, soon_first])[0] == soon_first.reference


def test_the_submit_checklist_is_live_with_links_to_fix_it(client_for, alex):
    case = builders.make_case(alex, state="draft")
    submit = reverse("cases:submit", args=[case.pk])
    page = text(client_for(alex).get(submit))
    assert "Present:</strong>\n      An access date" in page
    assert "Missing:</strong>\n      A system card" in page
    assert f"{reverse('documents:create', args=[case.pk])}?kind=system_card" in page
    assert f"{reverse('documents:create', args=[case.pk])}?kind=access_instructions" in page
    assert f"Before submitting {case.reference}, add a system card and access instructions." in page
    assert f"Submit {case.reference}</button>" not in page
    # The access date of the builder's case is in the past: allowed, and said so.
    assert "The access date may be in the past" in page
    assert "The access date is past: the window already runs" in page

    builders.attach_document(case, alex, "system_card")
    page = text(client_for(alex).get(submit))
    assert "Present:</strong>\n      A system card" in page
    assert f"Before submitting {case.reference}, add access instructions." in page
    builders.attach_document(case, alex, "access_instructions")
    page = text(client_for(alex).get(submit))
    assert "Missing:" not in page
    assert f"Submit {case.reference}</button>" in page
    client_for(alex).post(submit)
    case.refresh_from_db()
    assert case.state == "submitted"


def test_dashboards_flag_an_assigned_agency_without_a_reviewer(
    client_for, alex, coordinator, dod_supervisor, dod_reviewer, treasury_reviewer
):
    case = builders.make_case(
        alex, state="in_review", agencies=("dod", "treasury"), reviewers={dod_supervisor: dod_reviewer}
    )
    dashboard = words(client_for(coordinator).get("/"))
    flagged = dashboard[dashboard.index("Assigned agencies without a reviewer") :]
    assert f"{case.reference}" in flagged
    assert "Treasury no reviewer" in flagged
    assert "DoD no reviewer" not in flagged
    assert "Treasury no reviewer" in words(client_for(treasury_reviewer).get("/"))


def test_an_agency_that_staffs_its_case_leaves_the_unstaffed_list_and_see_all_lists_the_rest(
    client_for, alex, coordinator, dod_supervisor, dod_reviewer, treasury_supervisor, treasury_reviewer
):
    case = builders.make_case(
        alex, state="in_review", agencies=("dod", "treasury"), reviewers={dod_supervisor: dod_reviewer}
    )
    staffed = builders.make_case(alex, state="in_review", reviewers={dod_supervisor: dod_reviewer})
    see_all = reverse("cases:list") + "?staffing=unstaffed"
    assert "?staffing=unstaffed" in client_for(coordinator).get("/").content.decode()
    listed = text(client_for(coordinator).get(see_all))
    assert case.reference in listed
    assert staffed.reference not in listed
    assert "1 case." in listed

    client_for(treasury_supervisor).post(
        reverse("cases:assign_reviewers", args=[case.pk]), {"reviewers": [treasury_reviewer.pk]}
    )

    dashboard = text(client_for(coordinator).get("/"))
    assert "Every assigned agency has a reviewer on its cases." in dashboard
    assert case.reference not in text(client_for(coordinator).get(see_all))
    assert "no reviewer" not in text(client_for(treasury_reviewer).get(reverse("cases:list")))


def test_a_firm_neither_sees_nor_uses_the_staffing_filter(client_for, alex, dod_supervisor, dod_reviewer):
    unstaffed = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"))
    page = client_for(alex).get(reverse("cases:list") + "?staffing=unstaffed").content.decode()
    assert 'name="staffing"' not in page
    assert unstaffed.reference in page
    assert "no reviewer" not in page


def test_who_reads_staffing_is_one_rule(alex, dod_reviewer, coordinator):
    from django.contrib.auth.models import AnonymousUser

    from cases.policy import staffing_shown_to

    assert [staffing_shown_to(p) for p in (dod_reviewer, coordinator)] == [True, True]
    assert [staffing_shown_to(p) for p in (alex, AnonymousUser(), None)] == [False, False, False]
