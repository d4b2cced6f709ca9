"""One review carried through every role's pages in the browser, each person in a browser of
their own, every page screenshot and checked with axe."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import CaseState, Closeout, ReviewCase
from findings.models import Finding, FindingState
from tests import builders
from tests.browser.conftest import choose, field

pytestmark = pytest.mark.browser

SAMPLE_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"% Meridian 2.0 system card\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
ACCESS_INSTRUCTIONS = (
    b"Meridian 2.0: evaluator access\n\n"
    b"API keys are issued to each assigned agency on the access date.\n"
    b"Endpoint: https://eval.northwind.example/v1 (allow-listed to agency networks).\n"
)


def h1(page: Page) -> object:
    return expect(page.get_by_role("heading", level=1))


def main(page: Page):
    return page.get_by_role("main")


def click_link(page: Page, name: str | re.Pattern[str]) -> None:
    main(page).get_by_role("link", name=name).first.click()
    page.wait_for_load_state("load")


def upload(page: Page, check_page, *, kind: str, title: str, name: str, mime: str, content: bytes) -> None:
    click_link(page, "Upload a document")
    h1(page).to_have_text("Upload a document")
    check_page(page, f"upload-{kind.lower().replace(' ', '-')}-form")
    field(page, "Kind").select_option(label=kind)
    field(page, "Title").fill(title)
    # USWDS's file input replaces the input's name with its own drop-zone instructions.
    main(page).locator('input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    h1(page).to_have_text(title)
    expect(page.get_by_role("status").first).to_contain_text(f"{title}: version 1 uploaded and checked.")
    check_page(page, f"uploaded-{kind.lower().replace(' ', '-')}")


def test_a_case_travels_through_every_role_in_the_browser(
    open_page,
    check_page,
    alex,
    coordinator,
    dod_reviewer,
    dod_supervisor,
    treasury_supervisor,
):
    # Other cases of the firm, made through the services, so that the pages show more than one row.
    builders.make_case(alex, state="in_review", agencies=("cisa",), coordinator=coordinator, days_to_sharing=6)
    builders.make_case(alex, state="draft", days_to_sharing=28)
    access = timezone.localdate() + datetime.timedelta(days=2)
    sharing = access + datetime.timedelta(days=25)

    # --- the liaison registers a model, opens a case, uploads its documents and submits it ---------
    liaison = open_page(alex)
    check_page(liaison, "liaison-dashboard-before")
    click_link(liaison, "Register a model")
    h1(liaison).to_have_text("Register a model")
    check_page(liaison, "register-model-form")
    field(liaison, "Name").fill("Meridian")
    field(liaison, "Version").fill("2.0")
    field(liaison, "Description").fill("A general-purpose assistant with tool use.")
    choose(liaison, "Text")
    choose(liaison, "Agentic / tool use")
    main(liaison).get_by_role("button", name="Save").click()

    h1(liaison).to_have_text("Open a review case")
    expect(liaison.get_by_role("status").first).to_contain_text("Meridian 2.0 is registered.")
    expect(main(liaison)).to_contain_text("The window is at most 30 days")
    check_page(liaison, "open-case-form")
    field(liaison, "Model").select_option(label="Meridian 2.0")
    field(liaison, "Access date").fill(access.isoformat())
    field(liaison, "Sharing date").fill(sharing.isoformat())
    field(liaison, "Trusted partners").fill("Example Cloud; Contoso Health")
    field(liaison, "Model snapshot").fill("meridian-2.0-rc3")
    field(liaison, "Safeguard configuration").fill("Input and output classifiers on; tool sandbox enforced.")
    field(liaison, "How evaluators get access").fill("API keys issued on the access date.")
    main(liaison).get_by_role("button", name="Open the case").click()

    case = ReviewCase.objects.get(model__name="Meridian")
    h1(liaison).to_contain_text(f"{case.reference}: Meridian 2.0")
    expect(liaison.get_by_role("status").first).to_contain_text(f"Case {case.reference} is open as a draft.")
    check_page(liaison, "case-draft")
    case_url = f"/cases/{case.pk}/"

    # Names the configuration it offers for testing (findings name the one they were made on).
    click_link(liaison, "Tested configurations")
    check_page(liaison, "configurations-empty")
    click_link(liaison, "Add a configuration")
    check_page(liaison, "configuration-form")
    field(liaison, "Name").fill("Meridian API")
    field(liaison, "Snapshot identifier").fill("meridian-2.0-rc3")
    field(liaison, "Safeguard version").fill("classifiers v2")
    choose(liaison, "Production safeguards")
    field(liaison, "Access method").fill("API keys issued on the access date")
    main(liaison).get_by_role("button", name="Add the configuration").click()
    expect(main(liaison)).to_contain_text("Meridian API (v1) is added")
    check_page(liaison, "configuration-added")
    liaison.goto(case_url)

    upload(
        liaison,
        check_page,
        kind="System card",
        title="Meridian 2.0 system card",
        name="meridian-system-card.pdf",
        mime="application/pdf",
        content=SAMPLE_PDF,
    )
    liaison.goto(case_url)
    check_page(liaison, "case-with-system-card")
    upload(
        liaison,
        check_page,
        kind="Access instructions",
        title="Evaluator access",
        name="access.txt",
        mime="text/plain",
        content=ACCESS_INSTRUCTIONS,
    )
    liaison.goto(case_url)
    expect(main(liaison).get_by_role("table", name=f"Documents of {case.reference}")).to_contain_text(
        "Evaluator access"
    )
    check_page(liaison, "case-with-documents")
    click_link(liaison, "Submit for review")
    h1(liaison).to_have_text(f"Submit {case.reference}")
    check_page(liaison, "submit-confirm")
    main(liaison).get_by_role("button", name=f"Submit {case.reference}").click()
    expect(liaison.get_by_role("status").first).to_contain_text(f"Case {case.reference} is submitted.")
    check_page(liaison, "case-submitted")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED

    # --- the coordinator assigns DoD and Treasury ------------------------------------------------------
    office = open_page(coordinator)
    expect(main(office).get_by_role("table", name="Submitted cases awaiting agencies")).to_contain_text(case.reference)
    check_page(office, "coordinator-dashboard")
    # The triage queue shows what assigning needs: the model's modalities, the documents, the window.
    click_link(office, "The whole triage queue")
    triage = main(office).get_by_role("table", name=re.compile("^Submitted cases awaiting agencies"))
    expect(triage).to_contain_text(case.reference)
    expect(triage).to_contain_text("System card, Access instructions")
    check_page(office, "triage", docs="triage.png")
    click_link(office, case.reference)
    h1(office).to_contain_text(case.reference)
    check_page(office, "coordinator-case")
    click_link(office, "Assign agencies")
    check_page(office, "assign-agencies-form")
    choose(office, "DoD")
    choose(office, "Treasury")
    main(office).get_by_role("button", name="Save").click()
    expect(office.get_by_role("status").first).to_contain_text(f"Agencies of {case.reference} are saved.")
    expect(main(office)).to_contain_text("Department of Defense")
    check_page(office, "coordinator-case-assigned")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW

    # --- DoD's supervisor assigns a reviewer, who leads ------------------------------------------
    supervisor = open_page(dod_supervisor)
    check_page(supervisor, "dod-supervisor-dashboard")
    click_link(supervisor, case.reference)
    check_page(supervisor, "dod-supervisor-case")
    click_link(supervisor, "Assign reviewers")
    h1(supervisor).to_have_text(f"Assign DoD reviewers to {case.reference}")
    check_page(supervisor, "assign-reviewers-form")
    choose(supervisor, f"Riley Chen ({dod_reviewer.email})")
    field(supervisor, "Lead reviewer").select_option(label=f"Riley Chen ({dod_reviewer.email})")
    main(supervisor).get_by_role("button", name="Save").click()
    expect(supervisor.get_by_role("status").first).to_contain_text(f"DoD's reviewers on {case.reference} are saved.")
    expect(main(supervisor)).to_contain_text("Riley Chen (DoD), lead")
    check_page(supervisor, "dod-reviewer-assigned")

    # --- the reviewer drafts a finding the firm will see once released -----------------------------
    reviewer = open_page(dod_reviewer)
    expect(main(reviewer).get_by_role("table", name=re.compile("^Cases you are assigned to"))).to_contain_text(
        case.reference
    )
    check_page(reviewer, "reviewer-dashboard")
    click_link(reviewer, case.reference)
    check_page(reviewer, "reviewer-case-before")
    click_link(reviewer, "Draft a finding")
    check_page(reviewer, "draft-finding-form")
    field(reviewer, "Title").fill("Role-play preamble passes the input classifier")
    field(reviewer, "Description").fill(
        "A role-play preamble gets requests for exploit code past the input classifier in 7 of 20 attempts."
    )
    field(reviewer, "Category").select_option(label="Safeguard bypass")
    field(reviewer, "Severity").select_option(label="High")
    choose(reviewer, "A safeguard component")
    field(reviewer, "Safeguard component").fill("input classifier")
    choose(reviewer, "Assigned agencies and the firm")
    field(reviewer, "Response due").fill((access + datetime.timedelta(days=10)).isoformat())
    choose(reviewer, "Meridian 2.0 system card, version 1")
    main(reviewer).get_by_role("button", name="Save draft").click()
    finding = Finding.objects.get(case=case)
    h1(reviewer).to_have_text(f"Finding #{finding.pk}: Role-play preamble passes the input classifier")
    expect(reviewer.get_by_role("status").first).to_contain_text("saved as a draft")
    check_page(reviewer, "finding-draft")
    assert finding.state == FindingState.DRAFT

    # --- the supervisor releases it to the firm --------------------------------------------------
    supervisor.goto("/")
    expect(main(supervisor)).to_contain_text(finding.title)
    check_page(supervisor, "dod-supervisor-dashboard-draft")
    click_link(supervisor, f"#{finding.pk} {finding.title}")
    check_page(supervisor, "supervisor-finding-draft")
    choose(supervisor, "I confirm that the firm may read this finding now.")
    main(supervisor).get_by_role("button", name="Release to the firm").click()
    expect(supervisor.get_by_role("status").first).to_contain_text(f"Finding #{finding.pk} is released")
    check_page(supervisor, "finding-released")
    finding.refresh_from_db()
    assert finding.state == FindingState.RELEASED

    # --- the liaison answers it --------------------------------------------------------------------
    liaison.goto("/")
    expect(main(liaison)).to_contain_text(f"#{finding.pk} {finding.title}")
    check_page(liaison, "liaison-dashboard", docs="liaison-dashboard.png")
    click_link(liaison, f"#{finding.pk} {finding.title}")
    check_page(liaison, "liaison-finding")
    choose(liaison, "Mitigated")
    field(liaison, "Explanation").fill(
        "We retrained the input classifier on role-play framings; the rc4 snapshot blocks all 20 attempts."
    )
    main(liaison).get_by_role("button", name="Send the response").click()
    expect(liaison.get_by_role("status").first).to_contain_text("Your response is recorded")
    expect(main(liaison)).to_contain_text("Mitigated")
    check_page(liaison, "liaison-responded")
    finding.refresh_from_db()
    assert finding.state == FindingState.FIRM_RESPONDED

    # --- the reviewer resolves it and requests closeout ------------------------------------------
    reviewer.goto(case_url)
    expect(main(reviewer)).to_contain_text("Firm responded")
    check_page(reviewer, "reviewer-case", docs="reviewer-case.png")
    click_link(reviewer, f"#{finding.pk} {finding.title}")
    check_page(reviewer, "reviewer-finding-answered")
    field(reviewer, "How it was resolved").fill("Verified classifier v3.1 on the role-play prompts.")
    choose(reviewer, "I confirm that this finding is resolved.")
    main(reviewer).get_by_role("button", name="Resolve the finding").click()
    expect(reviewer.get_by_role("status").first).to_contain_text(f"Finding #{finding.pk} is resolved.")
    check_page(reviewer, "finding-resolved")
    reviewer.goto(case_url)
    check_page(reviewer, "reviewer-case-resolved")
    click_link(reviewer, "Request closeout")
    check_page(reviewer, "request-closeout-form")
    field(reviewer, "Summary").fill(
        "DoD and Treasury evaluated Meridian 2.0 for cyber-offense uplift and financial-system risk. "
        "One safeguard bypass was found; the firm mitigated it in snapshot rc4."
    )
    main(reviewer).get_by_role("button", name="Request closeout").click()
    closeout = Closeout.objects.get(case=case)
    expect(reviewer.get_by_role("status").first).to_contain_text(f"Closeout of {case.reference} is requested.")
    expect(main(reviewer).get_by_role("button", name="Record the decision")).to_have_count(0)
    check_page(reviewer, "closeout-requested")

    # --- each agency's supervisor approves ----------------------------------------------------------
    supervisor.goto("/")
    check_page(supervisor, "dod-supervisor-dashboard-closeout")
    click_link(supervisor, f"{case.reference} (Meridian 2.0)")
    h1(supervisor).to_have_text(f"Closeout of {case.reference}")
    check_page(supervisor, "supervisor-closeout", docs="supervisor-closeout.png")
    # The supervisor sees what their agency found before deciding: its section lists the finding.
    dod_review = main(supervisor).get_by_role("region", name="DoD (your agency)")
    expect(dod_review).to_contain_text(f"#{finding.pk} {finding.title}")
    expect(dod_review).to_contain_text("By state: 1 resolved. By severity: 1 high.")
    choose(supervisor, "Approve the closeout for my agency")
    field(supervisor, "Your agency's statement on the review").fill(
        "DoD examined cyber-offense uplift; the role-play bypass of the input classifier is mitigated."
    )
    main(supervisor).get_by_role("button", name="Record the decision").click()
    expect(supervisor.get_by_role("status").first).to_contain_text("Your agency's approval is recorded.")
    expect(main(supervisor).get_by_role("region", name="Treasury")).to_contain_text("Awaiting Treasury's decision")
    expect(main(supervisor).get_by_role("region", name="DoD (your agency)")).to_contain_text(
        "DoD examined cyber-offense uplift"
    )
    check_page(supervisor, "dod-approved")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSEOUT_REQUESTED

    treasury = open_page(treasury_supervisor)
    check_page(treasury, "treasury-supervisor-dashboard")
    click_link(treasury, f"{case.reference} (Meridian 2.0)")
    check_page(treasury, "treasury-closeout")
    choose(treasury, "Approve the closeout for my agency")
    field(treasury, "Your agency's statement on the review").fill("Treasury found no financial-system risk.")
    main(treasury).get_by_role("button", name="Record the decision").click()
    expect(treasury.get_by_role("status").first).to_contain_text(
        f"{case.reference} is closed: every assigned agency approved."
    )
    check_page(treasury, "treasury-approved")

    # --- the case shows closed, to the firm too --------------------------------------------------
    case.refresh_from_db()
    closeout.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert closeout.state == "approved"
    liaison.goto(case_url)
    expect(main(liaison)).to_contain_text("Closed")
    expect(main(liaison)).to_contain_text("The review is concluded.")
    expect(main(liaison).get_by_role("link", name="Withdraw")).to_have_count(0)
    check_page(liaison, "liaison-case-closed")
