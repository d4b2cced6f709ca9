"""Each role tries the pages that are not theirs: objects they may not see answer 404 (the same as
a missing one), pages outside their role answer 403, anonymous visitors are sent to sign in, and
no refused request changes anything."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.models import Visibility
from findings import services as finding_services
from tests.assertions import rows_unchanged
from tests.builders import released
from tests.web.support import field_error, follow, text, words
from workflow.services import closeout_request


@pytest.fixture
def shared_finding(case, dod_reviewer, dod_supervisor):
    """A DoD finding shared with the firm, awaiting Northwind's answer."""
    return released(case, dod_reviewer, dod_supervisor, visibility=Visibility.FIRM, title="Filter bypass")


@pytest.fixture
def closeout(case, shared_finding, dod_reviewer):
    """DoD's reviewer asks to close the case out, carrying the open finding forward."""
    return closeout_request(
        case=case,
        actor=dod_reviewer,
        summary="The review is complete.",
        carried_forward={shared_finding.pk: "The firm declined to act, which is its right."},
    )


def _case_pages(case, finding, closeout):
    """Every page of one Northwind case, its finding and its closeout: (method, url, data)."""
    c, f = case.pk, finding.pk
    return [
        ("get", reverse("cases:detail", args=[c]), {}),
        ("get", reverse("cases:edit", args=[c]), {}),
        ("post", reverse("cases:edit", args=[c]), {"trusted_partners": "Lumen's partner", "evaluator_access": "x"}),
        ("get", reverse("cases:submit", args=[c]), {}),
        ("post", reverse("cases:submit", args=[c]), {}),
        ("get", reverse("cases:move_date", args=[c]), {}),
        ("post", reverse("cases:move_date", args=[c]), {"sharing_date": "2099-01-01", "reason": "x"}),
        ("get", reverse("cases:withdraw", args=[c]), {}),
        ("post", reverse("cases:withdraw", args=[c]), {"confirm": "on"}),
        ("get", reverse("cases:closeout_request", args=[c]), {}),
        ("get", reverse("cases:closeout", args=[closeout.pk]), {}),
        ("post", reverse("cases:closeout_decide", args=[closeout.pk]), {"decision": "approve"}),
        ("get", reverse("findings:detail", args=[f]), {}),
        ("get", reverse("findings:edit", args=[f]), {}),
        ("post", reverse("findings:respond", args=[f]), {"choice": "declined", "text": "Not ours."}),
        ("post", reverse("findings:comment", args=[c]), {"body": "Hello from Lumen"}),
        ("post", reverse("findings:comment", args=[c]), {"body": "Hello from Lumen", "finding": f}),
        ("post", reverse("findings:resolve", args=[f]), {}),
        ("post", reverse("findings:send_back", args=[f]), {"reason": "x"}),
        ("post", reverse("findings:withdraw", args=[f]), {"reason": "x"}),
    ]


def _assert_all_404(client, pages, who):
    with rows_unchanged(note=f"a refused request by {who}"):
        for method, url, data in pages:
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, f"{who}: {method.upper()} {url} answered {response.status_code}"


def test_another_firms_liaison_gets_404_on_every_page_of_the_case(client_for, kim, case, shared_finding, closeout):
    lumen = client_for(kim)
    _assert_all_404(lumen, _case_pages(case, shared_finding, closeout), "kim (Lumen)")
    page = lumen.get(reverse("cases:detail", args=[case.pk]))
    assert "Page not found" in text(page)
    assert "Checkpoint" in text(page)
    assert case.reference not in text(page)
    # The missing and the forbidden look alike.
    missing = lumen.get(reverse("cases:detail", args=[case.pk + 1000]))
    assert missing.status_code == 404
    assert words(missing) == words(page)
    # Nor does anything of Northwind's show on Lumen's lists.
    for url in ("/", reverse("cases:list"), reverse("findings:list"), reverse("cases:model_list")):
        assert case.reference not in text(lumen.get(url)), url
    assert "Filter bypass" not in text(lumen.get(reverse("findings:export")))


def test_a_reviewer_of_an_unassigned_agency_gets_404(client_for, cisa_reviewer, cisa_supervisor, case, shared_finding):
    for user in (cisa_reviewer, cisa_supervisor):
        cisa = client_for(user)
        pages = [
            ("get", reverse("cases:detail", args=[case.pk]), {}),
            ("get", reverse("findings:create", args=[case.pk]), {}),
            ("post", reverse("findings:create", args=[case.pk]), {"title": "x"}),
            ("get", reverse("cases:closeout_request", args=[case.pk]), {}),
            ("post", reverse("cases:closeout_request", args=[case.pk]), {"summary": "x"}),
            ("get", reverse("cases:assign_reviewers", args=[case.pk]), {}),
            ("get", reverse("findings:detail", args=[shared_finding.pk]), {}),
            ("post", reverse("findings:comment", args=[case.pk]), {"body": "x", "visibility": "agency"}),
        ]
        _assert_all_404(cisa, pages, user.email)
        assert case.reference not in text(cisa.get("/"))


def test_a_reviewer_cannot_assign_reviewers_or_decide_a_closeout(client_for, dod_reviewer, case, closeout):
    reviewer = client_for(dod_reviewer)
    url = reverse("cases:assign_reviewers", args=[case.pk])
    _assert_all_404(reviewer, [("get", url, {}), ("post", url, {"reviewers": [dod_reviewer.pk]})], "reviewer")
    assert "Assign reviewers" not in text(reviewer.get(reverse("cases:detail", args=[case.pk])))

    closeout_page = reviewer.get(reverse("cases:closeout", args=[closeout.pk]))
    assert closeout_page.status_code == 200
    assert "Record the decision" not in text(closeout_page)
    with rows_unchanged():
        response = reviewer.post(reverse("cases:closeout_decide", args=[closeout.pk]), {"decision": "approve"})
        message = f"Only a supervisor of an agency assigned to {case.reference} can decide a closeout."
    assert message in text(follow(reviewer, response))


def test_a_supervisor_cannot_decide_their_own_closeout_request(client_for, dod_supervisor, treasury_supervisor, case):
    supervisor = client_for(dod_supervisor)
    request_url = reverse("cases:closeout_request", args=[case.pk])
    response = supervisor.post(request_url, {"summary": "DoD has finished."})
    page = text(follow(supervisor, response))
    assert "You requested this closeout, so another supervisor must decide it." in page
    assert "Record the decision" not in page
    closeout = case.closeouts.get()

    with rows_unchanged():
        response = supervisor.post(reverse("cases:closeout_decide", args=[closeout.pk]), {"decision": "approve"})
        assert "You requested this closeout, so another supervisor must decide it." in text(
            follow(supervisor, response)
        )
    # A supervisor of the other agency does get the form.
    assert "Record the decision" in text(
        client_for(treasury_supervisor).get(reverse("cases:closeout", args=[closeout.pk]))
    )


def test_returning_a_closeout_needs_a_reason(client_for, treasury_supervisor, closeout):
    treasury = client_for(treasury_supervisor)
    with rows_unchanged():
        response = treasury.post(reverse("cases:closeout_decide", args=[closeout.pk]), {"decision": "return"})
        assert "Say why the closeout is returned: the reviewers will see your reason." in text(
            follow(treasury, response)
        )


def test_the_coordinator_sees_case_metadata_only(client_for, coordinator, alex, dod_reviewer, case, shared_finding):
    finding_services.comment_add(case=case, actor=alex, body="Northwind's note to the agencies")
    office = client_for(coordinator)
    f = shared_finding.pk
    pages = [
        ("get", reverse("findings:detail", args=[f]), {}),
        ("get", reverse("findings:edit", args=[f]), {}),
        ("post", reverse("findings:release", args=[f]), {}),
        ("post", reverse("findings:resolve", args=[f]), {}),
        ("post", reverse("findings:respond", args=[f]), {"choice": "declined", "text": "x"}),
        ("post", reverse("findings:comment", args=[case.pk]), {"body": "x", "finding": f}),
        ("get", reverse("findings:create", args=[case.pk]), {}),
    ]
    _assert_all_404(office, pages, "coordinator")

    page = words(office.get(reverse("cases:detail", args=[case.pk])))
    assert case.reference in page
    assert "Atlas" in page
    assert "As program coordinator you see the case's metadata and its audit log" in page
    for hidden in (
        "System Card",  # a document
        "Filter bypass",  # a finding
        "Northwind's note to the agencies",  # a comment
        "How evaluators get access",
        case.evaluator_access,
    ):
        assert hidden not in page, hidden
    assert "Filter bypass" not in text(office.get(reverse("findings:list")))
    assert "Filter bypass" not in text(office.get(reverse("findings:export")))


ROLE_PAGES = {
    "cases:triage": "coordinator",
    "firms:list": "coordinator",
    "agencies:list": "coordinator",
    "audit:list": "coordinator",
    "cases:model_list": "liaison",
    "cases:model_create": "liaison",
}


def test_role_pages_answer_403_to_other_roles_and_send_anonymous_visitors_to_sign_in(
    client_for, alex, dod_reviewer, dod_supervisor, coordinator
):
    people = {
        "liaison": [client_for(alex)],
        "agency": [client_for(dod_reviewer), client_for(dod_supervisor)],
        "coordinator": [client_for(coordinator)],
    }
    for name, role in ROLE_PAGES.items():
        url = reverse(name)
        for who, clients in people.items():
            for client in clients:
                response = client.get(url)
                if who == role:
                    assert response.status_code == 200, f"{who} on {url}"
                else:
                    assert response.status_code == 403, f"{who} on {url}: {response.status_code}"
                    assert "Not part of your role" in text(response)
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse(settings.LOGIN_URL)}?next={url}"


def test_anonymous_visitors_are_sent_to_sign_in_from_object_pages(case, shared_finding):
    anonymous = Client()
    for url in (
        "/",
        reverse("cases:list"),
        reverse("cases:detail", args=[case.pk]),
        reverse("findings:detail", args=[shared_finding.pk]),
        reverse("findings:export"),
    ):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse(settings.LOGIN_URL)}?next={quote(url)}", url


def test_withdrawing_explains_itself_and_leaves_the_case_read_only(client_for, alex, dod_reviewer, case):
    liaison, reviewer = client_for(alex), client_for(dod_reviewer)
    detail = reverse("cases:detail", args=[case.pk])
    withdraw = reverse("cases:withdraw", args=[case.pk])
    page = words(liaison.get(withdraw))
    assert "What withdrawing means" in page
    assert "you may withdraw at any time before closeout" in page
    assert "the agencies can no longer add findings, comments or files" in page
    assert "Checkpoint never decides whether you deploy" in page

    with rows_unchanged():
        response = liaison.post(withdraw, {"reason": "Changed plans"})
        assert response.status_code == 200
        assert field_error(response, "confirm") == "This field is required."

    response = liaison.post(withdraw, {"reason": "Changed plans", "confirm": "on"})
    page = words(follow(liaison, response))
    assert f"Case {case.reference} is withdrawn. It stays in the record, read-only." in page
    assert "The firm withdrew this case" in page
    assert "It is read-only." in page
    case.refresh_from_db()
    assert case.state == "withdrawn"
    for label in ("Edit case", "Upload a document", "Move the sharing date", "Add comment"):
        assert label not in page, label
    assert f'href="{withdraw}"' not in text(liaison.get(detail))
    review_page = words(reviewer.get(detail))
    for label in ("Upload a document", "Draft a finding", "Request closeout", "Add comment"):
        assert label not in review_page, label

    with rows_unchanged():
        for url, data in [
            (reverse("cases:edit", args=[case.pk]), {"trusted_partners": "x", "evaluator_access": "x"}),
            (reverse("cases:move_date", args=[case.pk]), {"sharing_date": "2099-01-01", "reason": "x"}),
            (withdraw, {"confirm": "on"}),
            (reverse("cases:submit", args=[case.pk]), {}),
        ]:
            assert liaison.post(url, data).status_code == 404, url
        assert reviewer.post(reverse("findings:create", args=[case.pk]), {"title": "x"}).status_code == 404
        for client, data in (
            (liaison, {"body": "Still there?"}),
            (reviewer, {"body": "x", "visibility": "government"}),
        ):
            response = client.post(reverse("findings:comment", args=[case.pk]), data)
            assert f"Case {case.reference} is withdrawn by the firm: it is read-only." in text(follow(client, response))
        response = reviewer.post(
            reverse("findings:comment", args=[case.pk]), {"body": "x", "visibility": "agency"}, HTTP_HX_REQUEST="true"
        )
        assert f"Case {case.reference} is withdrawn by the firm: it is read-only." in text(response)  # on the form
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = liaison.post(
            reverse("documents:create", args=[case.pk]),
            {
                "kind": "other",
                "title": "Late file",
                "marking": "PROPRIETARY",
                "file": SimpleUploadedFile("a.txt", b"x"),
            },
        )
        assert response.status_code == 409
        assert "read-only" in text(response)


def test_a_model_under_review_offers_no_edit_and_refuses_a_posted_one(client_for, alex, case):
    client = client_for(alex)
    model = case.model

    listing = text(client.get(reverse("cases:model_list")))
    page = client.get(reverse("cases:model_edit", args=[model.pk]))
    with rows_unchanged():
        posted = client.post(reverse("cases:model_edit", args=[model.pk]), {"name": "Renamed", "version": "9.9"})

        assert "Under review: frozen" in listing
        assert "has been submitted for review" in text(page)
        assert b'name="name"' not in page.content
        assert posted.status_code == 200
        assert "has been submitted for review" in text(posted)


def test_a_comment_naming_a_finding_of_another_case_is_refused_not_moved(
    client_for, alex, coordinator, case, shared_finding, dod_supervisor
):
    from tests import builders

    other_case = builders.make_case(alex, state="in_review", agencies=("dod",), coordinator=coordinator)
    client = client_for(dod_supervisor)
    with rows_unchanged():
        response = client.post(
            reverse("findings:comment", args=[other_case.pk]),
            {"body": "Posted on the wrong case", "visibility": "agency", "finding": shared_finding.pk},
        )

        assert response.status_code == 302
        assert "That finding belongs to another case." in text(follow(client, response))


def test_a_reviewer_is_not_offered_a_firm_visible_comment(client_for, dod_reviewer, dod_supervisor, case):
    page = lambda user: client_for(user).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="visibility" value="firm"' not in page(dod_reviewer)
    assert 'name="visibility" value="firm"' in page(dod_supervisor)
