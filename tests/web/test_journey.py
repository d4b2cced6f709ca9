"""One review carried through every role's pages with the test client: GET the form, POST it,
follow the redirect and read the result on the page, as each person would."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from audit.models import AuditEvent
from cases.models import AIModel, Closeout, ReviewCase
from findings.models import Comment, Finding
from tests import builders
from tests.assertions import rows_unchanged
from tests.web.support import field_error, follow, text, words


def test_a_case_from_registration_to_closeout_through_the_pages(
    client_for, alex, coordinator, dod_reviewer, dod_supervisor, treasury_supervisor
):
    liaison = client_for(alex)
    today = timezone.localdate()
    access = today + datetime.timedelta(days=2)

    # --- the liaison registers a model ----------------------------------------------------------
    assert "Register a model" in text(liaison.get(reverse("cases:model_create")))
    response = liaison.post(
        reverse("cases:model_create"), {"name": "Atlas", "version": "3.0", "modalities": ["text", "code"]}
    )
    assert response["Location"].startswith(reverse("cases:create") + "?model=")  # the new model, chosen
    page = follow(liaison, response)
    assert "Atlas 3.0 is registered." in text(page)
    model = AIModel.objects.get(name="Atlas", version="3.0")

    # --- opens a case: a 31-day window is refused next to the sharing date, nothing is created --
    form = text(liaison.get(reverse("cases:create")))
    assert "The window is at most 30 days" in form
    case_fields = {
        "model": model.pk,
        "access_date": access.isoformat(),
        "sharing_date": (access + datetime.timedelta(days=31)).isoformat(),
        "trusted_partners": "Example Cloud",
        "evaluator_access": "API keys issued on the access date",
    }
    response = liaison.post(reverse("cases:create"), case_fields)
    assert response.status_code == 200
    assert field_error(response, "sharing_date") == (
        "The review window would be 31 days; the sharing date must be at most 30 days after the access date."
    )
    assert 'aria-invalid="true"' in text(response)
    assert not ReviewCase.objects.exists()

    sharing = access + datetime.timedelta(days=25)
    response = liaison.post(reverse("cases:create"), case_fields | {"sharing_date": sharing.isoformat()})
    case = ReviewCase.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    page = text(follow(liaison, response))
    assert f"Case {case.reference} is open as a draft." in page
    assert "Draft" in page
    # Buttons never lie: no "Submit" yet, but what submitting needs and where to see it.
    assert "Submit for review" not in page
    assert f"Before submitting {case.reference}, add a system card and access instructions." in page
    assert "See what submitting needs" in page

    # --- tries to submit without documents: the service's refusal is on the page --------------
    assert "a system card and access instructions" in text(liaison.get(reverse("cases:submit", args=[case.pk])))
    response = liaison.post(reverse("cases:submit", args=[case.pk]))
    assert response.status_code == 200
    assert f"Before submitting {case.reference}, add a system card and access instructions." in text(response)
    case.refresh_from_db()
    assert case.state == "draft"

    # --- names the configuration it offers for testing, then adds its documents --------------------
    response = liaison.post(
        reverse("configurations:add", args=[case.pk]),
        {
            "name": "Production API",
            "snapshot": "atlas-2026-11",
            "safeguard_version": "guard 3",
            "access_variant": "production_safeguards",
            "access_method": "API keys",
        },
    )
    assert "Production API (v1) is added" in text(follow(liaison, response))
    system_card = builders.attach_document(case, alex, "system_card")
    builders.attach_document(case, alex, "access_instructions")
    response = liaison.post(reverse("cases:submit", args=[case.pk]))
    page = text(follow(liaison, response))
    assert f"Case {case.reference} is submitted." in page
    case.refresh_from_db()
    assert case.state == "submitted"
    assert "Submit for review" not in page

    # --- the coordinator triages it and assigns DoD and Treasury ---------------------------------
    office = client_for(coordinator)
    assert case.reference in text(office.get(reverse("cases:triage")))
    assign = reverse("cases:assign_agencies", args=[case.pk])
    assert "Agencies that review this case." in text(office.get(assign))
    agencies = Agency.objects.filter(code__in=["dod", "treasury"]).order_by("pk")
    response = office.post(assign, {"agencies": [a.pk for a in agencies]})
    page = text(follow(office, response))
    assert f"Agencies of {case.reference} are saved." in page
    for agency in agencies:
        assert agency.name in page
    case.refresh_from_db()
    assert case.state == "in_review"
    assert case.reference not in text(office.get(reverse("cases:triage")))

    # --- DoD's supervisor assigns a reviewer, who leads ------------------------------------------
    supervisor = client_for(dod_supervisor)
    assert case.reference in text(supervisor.get("/"))
    reviewers_url = reverse("cases:assign_reviewers", args=[case.pk])
    assert dod_reviewer.email in text(supervisor.get(reviewers_url))
    response = supervisor.post(reviewers_url, {"reviewers": [dod_reviewer.pk], "lead": dod_reviewer.pk})
    page = text(follow(supervisor, response))
    assert f"DoD's reviewers on {case.reference} are saved." in page
    assert f"{dod_reviewer.get_full_name()} (DoD), lead" in page

    # --- the reviewer drafts a firm-visible finding on a safeguard --------------------------------
    reviewer = client_for(dod_reviewer)
    assert case.reference in text(reviewer.get("/"))  # in their queue
    create = reverse("findings:create", args=[case.pk])
    assert "Safeguard component" in text(reviewer.get(create))
    finding_fields = {
        "title": "Jailbreak passes the input classifier",
        "description": "A role-play preamble gets harmful requests past the classifier.",
        "category": "safeguard_bypass",
        "severity": "high",
        "target_kind": "safeguard",
        "target_component": "",
        "visibility": "firm",
        "related_versions": [system_card.versions.get().pk],
        "configuration": case.configurations.get().pk,
    }
    response = reviewer.post(create, finding_fields)
    assert response.status_code == 200
    assert field_error(response, "target_component") == "Name the safeguard component this finding is about."
    assert not Finding.objects.exists()
    response = reviewer.post(create, finding_fields | {"target_component": "input classifier"})
    finding = Finding.objects.get()
    detail = reverse("findings:detail", args=[finding.pk])
    assert response["Location"] == detail
    page = text(follow(reviewer, response))
    assert f"Finding #{finding.pk} is saved as a draft: only your agency sees it until it is released." in page
    assert "A safeguard component: input classifier" in page
    assert "System Card</a>, version 1" in page

    # --- the reviewer cannot release it beyond DoD: the message is shown, it stays a draft -------
    response = reviewer.post(reverse("findings:release", args=[finding.pk]))
    assert "Releasing a finding beyond DoD takes a supervisor of the agency." in text(follow(reviewer, response))
    finding.refresh_from_db()
    assert finding.state == "draft"
    assert finding.title not in text(liaison.get("/"))
    assert liaison.get(detail).status_code == 404  # a draft is DoD's alone

    # --- the supervisor releases it -----------------------------------------------------------------
    assert finding.title in text(supervisor.get("/"))  # "Drafts awaiting release beyond the agency"
    assert "I confirm that the firm may read this finding now." in text(supervisor.get(detail))
    response = supervisor.post(reverse("findings:release", args=[finding.pk]))  # not confirmed
    assert "Confirm that the firm may read this finding now" in text(follow(supervisor, response))
    finding.refresh_from_db()
    assert finding.state == "draft"
    response = supervisor.post(reverse("findings:release", args=[finding.pk]), {"confirm": "on"})
    assert f"Finding #{finding.pk} is released" in text(follow(supervisor, response))
    finding.refresh_from_db()
    assert finding.state == "released"

    # --- the liaison sees it on the dashboard and responds ---------------------------------------
    dashboard = text(liaison.get("/"))
    awaiting = dashboard[dashboard.index("Findings awaiting your firm") :]
    assert f"#{finding.pk} {finding.title}" in awaiting
    assert "Send the response" in text(liaison.get(detail))
    response = liaison.post(
        reverse("findings:respond", args=[finding.pk]),
        {"choice": "disputed", "text": "Our classifier blocks this in production."},
    )
    page = text(follow(liaison, response))
    assert "Your response is recorded and the reviewers are notified." in page
    assert "Disputed" in page
    assert "Our classifier blocks this in production." in page
    finding.refresh_from_db()
    assert finding.state == "firm_responded"

    # --- the reviewer sends it back with a reason; the liaison responds again ----------------------
    assert "Send the response back" in text(reviewer.get(detail))
    response = reviewer.post(
        reverse("findings:send_back", args=[finding.pk]), {"reason": "Please show the production configuration."}
    )
    assert "The response is sent back to the firm with your reason." in text(follow(reviewer, response))
    finding.refresh_from_db()
    assert finding.state == "released"
    page = words(liaison.get(detail))
    assert "Sent back by" in page
    assert "Please show the production configuration." in page
    response = liaison.post(
        reverse("findings:respond", args=[finding.pk]),
        {"choice": "mitigated", "text": "Patched the classifier; configuration attached."},
    )
    assert "Mitigated" in text(follow(liaison, response))
    assert finding.responses.count() == 2

    # --- comments: a normal POST, and an htmx POST answered with the thread alone -----------------
    comment_url = reverse("findings:comment", args=[case.pk])
    response = reviewer.post(comment_url, {"body": "DoD internal note on the case.", "visibility": "agency"})
    assert response["Location"] == reverse("cases:detail", args=[case.pk]) + "#comments"
    page = text(follow(reviewer, response))
    assert "Your comment is added." in page
    assert "DoD internal note on the case." in page
    assert "DoD internal note on the case." not in text(liaison.get(reverse("cases:detail", args=[case.pk])))

    response = liaison.post(
        comment_url, {"body": "Happy to walk you through it.", "finding": finding.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    partial = text(response)
    assert "<html" not in partial
    assert "<main" not in partial
    assert "Happy to walk you through it." in partial
    assert f'name="finding" value="{finding.pk}"' in partial  # the fresh form, for the next comment
    assert Comment.objects.get(body="Happy to walk you through it.").finding == finding
    assert "Happy to walk you through it." in text(reviewer.get(detail))

    response = liaison.post(comment_url, {"body": "   ", "finding": finding.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert Comment.objects.count() == 2

    # --- the reviewer resolves it and requests closeout -------------------------------------------------
    resolve = reverse("findings:resolve", args=[finding.pk])
    response = reviewer.post(resolve, {"note": "   ", "confirm": "on"})  # a note is needed
    assert "This field is required." in text(follow(reviewer, response))
    response = reviewer.post(resolve, {"note": "Verified the patched classifier."})  # not confirmed
    assert "This field is required." in text(follow(reviewer, response))
    finding.refresh_from_db()
    assert finding.state == "firm_responded"
    response = reviewer.post(resolve, {"note": "Verified the patched classifier.", "confirm": "on"})
    page = text(follow(reviewer, response))
    assert f"Finding #{finding.pk} is resolved." in page
    assert "Verified the patched classifier." in text(liaison.get(detail))  # the firm reads the note
    request_url = reverse("cases:closeout_request", args=[case.pk])
    assert "it does not approve a deployment" in text(reviewer.get(request_url))
    response = reviewer.post(request_url, {"summary": "Evaluated the classifier; the jailbreak is mitigated."})
    closeout = Closeout.objects.get()
    closeout_url = reverse("cases:closeout", args=[closeout.pk])
    assert response["Location"] == closeout_url
    page = text(follow(reviewer, response))
    assert f"Closeout of {case.reference} is requested." in page

    # --- the reviewer who requested it cannot approve it -----------------------------------------------
    assert "Record the decision" not in page
    decide = reverse("cases:closeout_decide", args=[closeout.pk])
    response = reviewer.post(decide, {"decision": "approve"})
    refusal = f"Only a supervisor of an agency assigned to {case.reference} can decide a closeout."
    assert refusal in text(follow(reviewer, response))
    closeout.refresh_from_db()
    assert closeout.state == "pending"
    assert not closeout.decisions.exists()

    # --- each agency's supervisor approves -------------------------------------------------------------
    page = words(supervisor.get(closeout_url))
    assert "Record the decision" in page
    dod_section = page[page.index("DoD (your agency)") : page.index("Treasury")]
    assert f"#{finding.pk} {finding.title}" in dod_section  # the findings the supervisor answers for
    assert "By state: 1 resolved. By severity: 1 high." in dod_section
    assert "No reviewer was ever assigned" in page[page.index("Treasury") :]  # flagged
    with rows_unchanged():
        response = supervisor.post(decide, {"decision": "approve", "statement": " "})
        assert "Write DoD's statement on the review" in text(follow(supervisor, response))
    statement = "DoD examined the input classifier; the role-play bypass is mitigated."
    response = supervisor.post(decide, {"decision": "approve", "statement": statement})
    page = words(follow(supervisor, response))
    assert "Your agency's approval is recorded. The other assigned agencies still decide." in page
    assert "Awaiting Treasury's decision" in page
    assert f"DoD's statement {statement}" in page
    assert statement in words(liaison.get(closeout_url))  # the firm reads each agency's statement
    case.refresh_from_db()
    assert case.state == "closeout_requested"

    treasury = client_for(treasury_supervisor)
    assert case.reference in text(treasury.get("/"))  # "Closeouts awaiting your agency's decision"
    response = treasury.post(decide, {"decision": "approve", "statement": "Treasury found nothing to add."})
    assert f"{case.reference} is closed: every assigned agency approved." in text(follow(treasury, response))

    # --- the case shows closed, in words that grant nothing ----------------------------------------
    case.refresh_from_db()
    assert case.state == "closed"
    for client in (liaison, reviewer, office):
        page = words(client.get(reverse("cases:detail", args=[case.pk])))
        assert "Closed" in page
        assert (
            "The review is concluded. Closing a review records its conclusion; it is not a permission to deploy."
            in (page)
        )
        assert "Withdraw" not in page
        assert "Request closeout" not in page
        assert "Draft a finding" not in page
    assert AuditEvent.objects.filter(case=case, action="case.closed").exists()
