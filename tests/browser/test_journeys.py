"""Journeys in the browser: a reviewer's "ask a supervisor to release" reaching the supervisor's
dashboard; a retracted version gone from every list and download, for every role, but in the
audit log. Every page is screenshot and checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audit.actions import AuditAction
from audit.models import AuditEvent
from tests import builders
from tests.browser.conftest import choose, field
from tests.browser.test_journey import click_link, h1, main

pytestmark = pytest.mark.browser


@pytest.fixture
def northwind_case(alex, coordinator, dod_reviewer, dod_supervisor):
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
    )


def test_asking_a_supervisor_to_release_reaches_their_dashboard(
    open_page, check_page, northwind_case, dod_reviewer, dod_supervisor
):
    finding = builders.draft(
        northwind_case, dod_reviewer, visibility="firm", title="Weights reachable from the sandbox"
    )
    reviewer = open_page(dod_reviewer)
    reviewer.goto(f"/findings/{finding.pk}/")
    check_page(reviewer, "reviewer-draft")
    main(reviewer).get_by_role("button", name="Ask a supervisor to release").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("DoD's supervisors are asked to release")
    check_page(reviewer, "release-asked")

    supervisor = open_page(dod_supervisor)
    drafts = main(supervisor).get_by_role("list").filter(has_text=finding.title)
    expect(drafts).to_contain_text("release asked for")
    check_page(supervisor, "supervisor-dashboard-release-asked", docs="supervisor-release-request.png")
    click_link(supervisor, f"#{finding.pk} {finding.title}")
    check_page(supervisor, "supervisor-release-confirm")
    choose(supervisor, "I confirm that the firm may read this finding now.")
    main(supervisor).get_by_role("button", name="Release to the firm").click()
    expect(supervisor.get_by_role("status").first).to_contain_text(f"Finding #{finding.pk} is released")
    check_page(supervisor, "released")


def test_a_retracted_version_is_gone_for_every_role_but_in_the_audit_log(
    open_page, check_page, northwind_case, alex, sam, dod_reviewer, treasury_supervisor, coordinator
):
    document = builders.attach_document(northwind_case, sam, "evaluation_report")
    download = f"/documents/{document.pk}/versions/1/download/"

    uploader = open_page(sam)
    check_page(uploader, "liaison-dashboard")
    uploader.goto(f"/documents/{document.pk}/")
    check_page(uploader, "document-before")
    main(uploader).get_by_role("link", name=f"Retract version 1 of {document.title}").click()
    h1(uploader).to_have_text(f"Retract version 1 of {document.title}")
    check_page(uploader, "retract-form", docs="retract-version.png")
    field(uploader, "Why this version is retracted").fill("The draft was uploaded instead of the final report.")
    choose(
        uploader, "I confirm: this version leaves every list and download. It stays in storage and in the audit log."
    )
    main(uploader).get_by_role("button", name="Retract version 1").click()
    expect(uploader.get_by_role("status").first).to_contain_text("is retracted")
    expect(main(uploader)).to_contain_text("The draft was uploaded instead of the final report.")
    check_page(uploader, "document-retracted", docs="retracted-version.png")

    for person in (alex, dod_reviewer, treasury_supervisor):
        page = open_page(person)
        check_page(page, f"dashboard-{person.pk}")
        page.goto(f"/cases/{northwind_case.pk}/")
        expect(main(page)).not_to_contain_text(document.title)
        check_page(page, f"case-without-retracted-{person.pk}")
        page.goto(f"/cases/{northwind_case.pk}/documents/")
        expect(main(page)).not_to_contain_text(document.title)
        check_page(page, f"documents-without-retracted-{person.pk}")
        assert page.request.get(download).status == 404

    office = open_page(coordinator)
    check_page(office, "coordinator-dashboard")
    office.goto(f"/cases/{northwind_case.pk}/audit/")
    expect(main(office)).to_contain_text(AuditAction.DOCUMENT_VERSION_RETRACTED.value)
    check_page(office, "audit-log-retraction")
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_VERSION_RETRACTED, actor=sam).count() == 1


def test_a_long_case_shows_its_latest_events_and_links_its_whole_history(
    open_page, check_page, alex, dod_reviewer, northwind_case
):
    from findings import services as finding_services

    for i in range(1, 56):
        finding_services.comment_add(case=northwind_case, actor=alex, body=f"Question {i}", visibility="firm")
    page = open_page(dod_reviewer)
    check_page(page, "dashboard")
    page.goto(f"/cases/{northwind_case.pk}/")
    check_page(page, "case-latest-events")
    timeline = page.locator("ol.cp-timeline > li")
    expect(timeline).to_have_count(20)
    click_link(page, "the case's full history")
    h1(page).to_have_text(f"History of {northwind_case.reference}")
    check_page(page, "case-history")
    expect(timeline).to_have_count(50)
    expect(timeline.first).to_contain_text("opened the case")
    page.get_by_role("link", name="Next page").click()
    check_page(page, "case-history-page-2")
    expect(timeline.last).to_contain_text(f"{alex.get_full_name()} commented")
