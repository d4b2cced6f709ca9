"""The API's resources answer as the pages do: the same selectors (404 for what one may not see,
exactly as for a missing id), the same services and rules (409 with the rule's reason, 403 for
what is not the person's at all, 400 per field for bad input), and nothing changes on a refusal."""

from __future__ import annotations

import pytest

from cases.models import AIModel, CaseState, ReviewCase
from findings.models import Finding
from tests import builders
from tests.assertions import rows_unchanged

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_firm_registers_a_model_opens_a_case_and_edits_it(api_for, sam):
    api = api_for(sam)
    model = api.post("/api/v1/models/", {"name": "Orbit", "version": "2.0", "modalities": ["text"]}, content_type=JSON)
    assert model.status_code == 201, model.json()
    dates = {"access_date": str(builders.days(5)), "sharing_date": str(builders.days(20))}
    created = api.post("/api/v1/cases/", {"model": model.json()["id"], **dates}, content_type=JSON)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "draft"
    assert body["reference"].startswith("CP-")
    edited = api.patch(f"/api/v1/cases/{body['id']}/", {"trusted_partners": "Acme"}, content_type=JSON)
    assert edited.status_code == 200
    assert ReviewCase.objects.get(pk=body["id"]).trusted_partners == "Acme"


def test_invalid_input_is_a_400_per_field_and_changes_nothing(api_for, sam):
    api = api_for(sam)
    api.get("/api/v1/cases/")  # the token's first use is recorded before the measure
    with rows_unchanged(note="invalid input"):
        too_long = api.post("/api/v1/models/", {"name": "x" * 201, "version": "1"}, content_type=JSON)
        missing = api.post("/api/v1/models/", {"version": "1"}, content_type=JSON)
    assert too_long.status_code == 400
    assert "name" in too_long.json()
    assert missing.status_code == 400
    assert "name" in missing.json()


def test_a_window_over_30_days_is_refused_on_its_field(api_for, sam):
    model = builders.make_model(sam)
    before = ReviewCase.objects.count()
    response = api_for(sam).post(
        "/api/v1/cases/",
        {"model": model.pk, "access_date": str(builders.days(1)), "sharing_date": str(builders.days(40))},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert "sharing_date" in response.json()
    assert ReviewCase.objects.count() == before


def test_a_refused_transition_is_a_409_with_the_rules_reason(api_for, alex, case):
    api = api_for(alex)
    api.get("/api/v1/cases/")
    with rows_unchanged(note="a refused submit"):
        response = api.post(f"/api/v1/cases/{case.pk}/submit/", content_type=JSON)
    assert response.status_code == 409
    assert response.json()["detail"] == f"Case {case.reference} is in review; you can submit it only when it is draft."


def test_an_action_that_is_not_the_persons_is_a_403(api_for, dod_reviewer, case):
    api = api_for(dod_reviewer)
    api.get("/api/v1/cases/")
    with rows_unchanged(note="a reviewer withdrawing"):
        response = api.post(f"/api/v1/cases/{case.pk}/withdraw/", content_type=JSON)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_what_one_may_not_see_answers_like_a_missing_id(api_for, kim, case, cisa_reviewer):
    for user in (kim, cisa_reviewer):
        api = api_for(user)
        api.get("/api/v1/cases/")
        for url in (f"/api/v1/cases/{case.pk}/", "/api/v1/cases/987654321/"):
            response = api.get(url)
            assert response.status_code == 404
            assert response.json() == {"detail": "No such object, or it is not yours to see."}
        with rows_unchanged(note="a withdraw of someone else's case"):
            assert api.post(f"/api/v1/cases/{case.pk}/withdraw/", content_type=JSON).status_code == 404


def test_the_finding_lifecycle_through_the_api(api_for, case, dod_reviewer, dod_supervisor, alex):
    reviewer, supervisor, firm = api_for(dod_reviewer), api_for(dod_supervisor), api_for(alex)
    drafted = reviewer.post(
        f"/api/v1/cases/{case.pk}/findings/",
        {
            "title": "Filter bypass",
            "description": "A prompt gets past the output filter.",
            "category": "safeguard_bypass",
            "severity": "high",
            "visibility": "firm",
            "configuration": case.configurations.get().pk,
        },
        content_type=JSON,
    )
    assert drafted.status_code == 201, drafted.json()
    pk = drafted.json()["id"]
    assert firm.get(f"/api/v1/findings/{pk}/").status_code == 404  # a draft is its agency's alone
    # Two-person rule: the author may not release beyond the agency.
    refused = reviewer.post(f"/api/v1/findings/{pk}/release/")
    assert refused.status_code == 409
    assert "takes a supervisor" in refused.json()["detail"]
    assert reviewer.post(f"/api/v1/findings/{pk}/request-release/").status_code == 200
    released = supervisor.post(f"/api/v1/findings/{pk}/release/")
    assert released.status_code == 200
    assert released.json()["state"] == "released"
    assert firm.get("/api/v1/findings/").json()["results"][0]["id"] == pk
    answered = firm.post(
        f"/api/v1/findings/{pk}/respond/", {"choice": "mitigated", "text": "Fixed in 2.1."}, content_type=JSON
    )
    assert answered.status_code == 200
    assert answered.json()["state"] == "firm_responded"
    assert len(firm.get(f"/api/v1/findings/{pk}/responses/").json()["results"]) == 1
    unexplained = reviewer.post(f"/api/v1/findings/{pk}/resolve/", {}, content_type=JSON)
    assert unexplained.status_code == 400  # a resolution says how
    resolved = reviewer.post(f"/api/v1/findings/{pk}/resolve/", {"note": "Fixed in 2.1."}, content_type=JSON)
    assert resolved.json()["state"] == "resolved"
    assert resolved.json()["resolution_note"] == "Fixed in 2.1."
    comment = firm.post(f"/api/v1/cases/{case.pk}/comments/", {"body": "Thanks", "finding": pk}, content_type=JSON)
    assert comment.status_code == 201
    assert comment.json()["visibility"] == "firm"
    assert Finding.objects.get(pk=pk).state == "resolved"


def test_closeout_request_and_decisions(api_for, case, dod_reviewer, dod_supervisor, treasury_supervisor):
    requested = api_for(dod_reviewer).post(
        f"/api/v1/cases/{case.pk}/closeouts/", {"summary": "DoD is done."}, content_type=JSON
    )
    assert requested.status_code == 201, requested.json()
    pk = requested.json()["id"]
    assert (
        api_for(dod_supervisor)
        .post(
            f"/api/v1/closeouts/{pk}/decide/",
            {"decision": "approved", "statement": "DoD concluded its review."},
            content_type=JSON,
        )
        .status_code
        == 200
    )
    decided = api_for(treasury_supervisor).post(
        f"/api/v1/closeouts/{pk}/decide/",
        {"decision": "approved", "statement": "Treasury concluded its review."},
        content_type=JSON,
    )
    assert decided.status_code == 200
    assert {d["agency"] for d in decided.json()["decisions"]} == {"dod", "treasury"}
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    # A closed case is read-only: the same request answers 409 now.
    again = api_for(dod_reviewer).post(f"/api/v1/cases/{case.pk}/closeouts/", {"summary": "x"}, content_type=JSON)
    assert again.status_code == 409


def test_coordinators_triage_and_assign(api_for, alex, coordinator, sam):
    submitted = builders.make_case(alex, state="submitted")
    api = api_for(coordinator)
    assert [c["id"] for c in api.get("/api/v1/triage/").json()["results"]] == [submitted.pk]
    assigned = api.post(f"/api/v1/cases/{submitted.pk}/assign-agencies/", {"agencies": ["cisa"]}, content_type=JSON)
    assert assigned.status_code == 200
    assert assigned.json()["agencies"] == ["cisa"]
    unknown = api.post(f"/api/v1/cases/{submitted.pk}/assign-agencies/", {"agencies": ["nasa"]}, content_type=JSON)
    assert unknown.status_code == 400
    assert "agencies" in unknown.json()
    assert api_for(sam).get("/api/v1/triage/").status_code == 403


def test_assigning_agencies_is_refused_before_any_code_is_looked_up(api_for, alex, dod_reviewer):
    """Whoever may not assign agencies learns nothing of which codes exist: the same refusal for a
    real code and an unknown one, and nothing assigned."""
    submitted = builders.make_case(alex, state="submitted")
    for who in (alex, dod_reviewer):
        answers = [
            api_for(who).post(f"/api/v1/cases/{submitted.pk}/assign-agencies/", {"agencies": [code]}, content_type=JSON)
            for code in ("cisa", "nasa")
        ]
        assert answers[0].status_code in (403, 404)  # refused, or a case they may not see at all
        assert answers[0].status_code == answers[1].status_code
        assert answers[0].json() == answers[1].json()
        assert "nasa" not in answers[1].content.decode()
    assert not submitted.agency_assignments.exists()


def test_case_list_filters_and_cursor_pagination(api_for, alex):
    cases = [builders.make_case(alex, state="draft") for _ in range(3)]
    submitted = builders.make_case(alex, state="submitted")
    api = api_for(alex)
    page = api.get("/api/v1/cases/?page_size=2").json()
    assert len(page["results"]) == 2
    assert page["next"]
    rest = api.get(page["next"]).json()
    seen = [c["id"] for c in page["results"] + rest["results"]]
    assert sorted(seen) == sorted([c.pk for c in cases] + [submitted.pk])
    assert [c["id"] for c in api.get("/api/v1/cases/?state=submitted").json()["results"]] == [submitted.pk]
    assert api.get("/api/v1/cases/?state=nonsense").status_code == 400


def test_notifications_list_and_mark_read(
    api_for, case, dod_reviewer, dod_supervisor, alex, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        builders.released(case, dod_reviewer, dod_supervisor, visibility="firm")
    api = api_for(alex)
    notices = api.get("/api/v1/notifications/").json()["results"]
    assert notices
    read = api.post(f"/api/v1/notifications/{notices[0]['id']}/read/")
    assert read.status_code == 200
    assert read.json()["read_at"]
    assert api_for(dod_reviewer).post(f"/api/v1/notifications/{notices[0]['id']}/read/").status_code == 404


def test_a_model_edit_after_submission_is_refused(api_for, alex):
    case = builders.make_case(alex, state="submitted")
    response = api_for(alex).patch(f"/api/v1/models/{case.model_id}/", {"description": "new"}, content_type=JSON)
    assert response.status_code == 409
    assert "frozen" in response.json()["detail"]
    assert AIModel.objects.get(pk=case.model_id).description == ""


def test_a_firm_reads_the_agency_not_the_government_persons_name_or_address(
    api_for, alex, case, dod_reviewer, dod_supervisor
):
    """As on the case page (``CHECKPOINT_FIRMS_SEE_REVIEWER_NAMES`` off): the timeline's actor and
    a comment's author, when they are government people, reach a firm as their agency."""
    finding = builders.released(case, dod_reviewer, dod_supervisor, visibility="firm", title="Jailbreak")
    builders.comment(case, dod_supervisor, finding=finding, body="Please look at this.", visibility="firm")

    firm = api_for(alex, scope="read")
    timeline = firm.get(f"/api/v1/cases/{case.pk}/timeline/").json()["results"]
    comments = firm.get(f"/api/v1/comments/?case={case.pk}").json()["results"]
    government = [e["actor"] for e in timeline if e["action"] == "finding.released"]
    said = [c["author"] for c in comments if c["body"] == "Please look at this."]

    assert government == ["DoD"]
    assert said == ["DoD"]
    for person in (dod_reviewer, dod_supervisor):
        for text in (str(timeline), str(comments)):
            assert person.email not in text
            assert person.get_full_name() not in text
    assert alex.get_full_name() in [e["actor"] for e in timeline]  # the firm's own people by name

    agency = api_for(dod_supervisor, scope="read")
    timeline = agency.get(f"/api/v1/cases/{case.pk}/timeline/").json()["results"]
    assert dod_supervisor.get_full_name() in [e["actor"] for e in timeline if e["action"] == "finding.released"]


def test_the_timeline_names_agencies_as_the_case_page_does(api_for, alex, case, client_for):
    """ "assigned agencies (DoD, Treasury)", not their codes, in the API as on the page."""
    timeline = api_for(alex, scope="read").get(f"/api/v1/cases/{case.pk}/timeline/").json()["results"]
    labels = [e["label"] for e in timeline if e["action"] == "case.agencies_assigned"]
    assert labels
    page = client_for(alex).get(f"/cases/{case.pk}/").content.decode()
    for label in labels:
        assert "DOD" not in label
        assert label in page


def test_a_returns_reason_stays_among_the_agencies_in_the_api_too(
    api_for, alex, coordinator, case, dod_reviewer, dod_supervisor, treasury_supervisor
):
    """As on the closeout page: the firm and the program office read that an agency returned the
    closeout, not the reason, which may speak of one agency's findings."""
    pk = api_for(dod_reviewer).post(f"/api/v1/cases/{case.pk}/closeouts/", {"summary": "Done."}, content_type=JSON)
    pk = pk.json()["id"]
    returned = api_for(treasury_supervisor).post(
        f"/api/v1/closeouts/{pk}/decide/",
        {"decision": "returned", "reason": "Treasury's finding 7 is still open."},
        content_type=JSON,
    )
    assert returned.status_code == 200, returned.json()
    assert "finding 7" in str(returned.json()["decisions"])

    for reader in (alex, coordinator):
        seen = api_for(reader, scope="read").get(f"/api/v1/closeouts/{pk}/").json()
        listed = api_for(reader, scope="read").get(f"/api/v1/cases/{case.pk}/closeouts/").json()
        assert [d["decision"] for d in seen["decisions"]] == ["returned"]
        assert "finding 7" not in str(seen) + str(listed)
    agency = api_for(dod_supervisor, scope="read").get(f"/api/v1/closeouts/{pk}/").json()
    assert agency["decisions"][0]["reason"] == "Treasury's finding 7 is still open."
