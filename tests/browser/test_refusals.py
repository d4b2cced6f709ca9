"""Each role's refusals, seen in the browser: what a person may not do is not offered, and when
they try it anyway (an address typed by hand, a form forged in the page) the portal refuses it
in its own look and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db.models import Sum
from playwright.sync_api import Page, expect

from audit.models import AuditEvent, RefusalTally
from cases.models import CloseoutState
from documents.models import Document
from tests import builders
from tests.assertions import rows_unchanged
from workflow.services import closeout_request

pytestmark = pytest.mark.browser


def expect_not_found_page(page: Page, response: Any) -> None:
    """The 404 page, in the portal's look: handling banner, header with the person's navigation."""
    assert response is not None
    assert response.status == 404, response.status
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).to_contain_text("There is no such page, or it is not yours to see.")
    expect(page.get_by_role("region", name="Handling notice")).to_be_visible()
    expect(page.get_by_role("navigation", name="Primary navigation")).to_be_visible()
    expect(page.get_by_role("link", name="your dashboard")).to_be_visible()


def forge_post(page: Page, path: str, data: dict[str, str]) -> None:
    """Post ``data`` to ``path`` from the current page, with its CSRF token, as a person who
    edited the page (or copied a form from another) would: the server must refuse it."""
    with page.expect_navigation():
        page.evaluate(
            """([path, data]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = path;
                const token = document.querySelector('input[name="csrfmiddlewaretoken"]').value;
                for (const [name, value] of Object.entries({...data, csrfmiddlewaretoken: token})) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = name;
                    input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [path, data],
        )


@pytest.fixture
def northwind_case(alex, coordinator, dod_reviewer, dod_supervisor):
    """Northwind's case in review by DoD and Treasury, DoD's reviewer leading."""
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
        lead=dod_reviewer,
    )


def test_a_liaison_cannot_reach_another_firms_case(open_page, check_page, northwind_case, kim):
    lumen_case = builders.make_case(kim, state="draft")
    system_card = Document.objects.get(case=northwind_case, kind="system_card")

    page = open_page(kim)
    with rows_unchanged():  # from here on: signing in is audited
        main = page.get_by_role("main")
        expect(main).to_contain_text(lumen_case.reference)
        expect(main).not_to_contain_text(northwind_case.reference)
        check_page(page, "lumen-dashboard")
        page.goto("/cases/")
        expect(main).to_contain_text(lumen_case.reference)
        expect(main).not_to_contain_text(northwind_case.reference)
        check_page(page, "lumen-case-list")

        # Northwind's case, its pages and its document answer exactly as a case that does not exist.
        pages = {
            "case": f"/cases/{northwind_case.pk}/",
            "case-edit": f"/cases/{northwind_case.pk}/edit/",
            "case-withdraw": f"/cases/{northwind_case.pk}/withdraw/",
            "case-documents": f"/cases/{northwind_case.pk}/documents/",
            "document-upload": f"/cases/{northwind_case.pk}/documents/new/",
            "document": f"/documents/{system_card.pk}/",
            "document-download": f"/documents/{system_card.pk}/versions/1/download/",
            "no-such-case": "/cases/999999/",
        }
        texts = set()
        for name, path in pages.items():
            response = page.goto(path)
            expect_not_found_page(page, response)
            check_page(page, f"not-found-{name}")
            texts.add(main.inner_text())
        assert len(texts) == 1, texts  # nothing tells a foreign case from a missing one
        # Each refusal of a guarded object is recorded, naming who tried: the first of the minute as an
        # audit event of its own, the rest counted into one (a scanner cannot flood the audit chain).
        events = AuditEvent.objects.filter(actor=kim, action="access.refused").count()
        counted = RefusalTally.objects.filter(actor=kim).aggregate(total=Sum("count"))["total"] or 0
        assert 1 <= events <= 2  # two when the pages straddle the turn of a minute
        assert events + counted >= len(pages) - 1

        # Withdrawing it by a forged form is refused alike, and changes nothing.
        page.goto("/")
        check_page(page, "lumen-dashboard-again")
        forge_post(page, f"/cases/{northwind_case.pk}/withdraw/", {"confirm": "on", "reason": "not ours"})
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        check_page(page, "not-found-forged-withdraw")


def test_a_reviewer_cannot_approve_a_closeout(open_page, check_page, northwind_case, dod_reviewer, dod_supervisor):
    closeout = closeout_request(case=northwind_case, actor=dod_supervisor, summary="DoD's review is complete.")

    page = open_page(dod_reviewer)
    with rows_unchanged():
        check_page(page, "reviewer-dashboard")
        page.goto(f"/cases/closeouts/{closeout.pk}/")
        main = page.get_by_role("main")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Closeout of {northwind_case.reference}")
        expect(main.get_by_role("region", name=re.compile("^DoD"))).to_contain_text("Awaiting DoD's decision")
        # No decision form: no choice, no button.
        expect(main.get_by_role("heading", name="Your agency's decision")).to_have_count(0)
        expect(main.get_by_role("radio")).to_have_count(0)
        expect(main.get_by_role("button", name="Record the decision")).to_have_count(0)
        check_page(page, "closeout-without-decision-form")

        # The decision posted anyway is refused with the service's message, and nothing is recorded.
        forge_post(page, f"/cases/closeouts/{closeout.pk}/decide/", {"decision": "approve", "reason": ""})
        expect(page.get_by_role("alert")).to_contain_text(
            f"Only a supervisor of an agency assigned to {northwind_case.reference} can decide a closeout."
        )
        check_page(page, "closeout-decision-refused")
        closeout.refresh_from_db()
        assert closeout.state == CloseoutState.PENDING


def test_a_supervisor_cannot_approve_their_own_closeout_request(
    open_page, check_page, northwind_case, dod_supervisor, treasury_supervisor
):
    closeout = closeout_request(case=northwind_case, actor=dod_supervisor, summary="DoD's review is complete.")

    page = open_page(dod_supervisor)
    with rows_unchanged():
        main = page.get_by_role("main")
        check_page(page, "supervisor-dashboard")
        page.goto(f"/cases/closeouts/{closeout.pk}/")
        expect(main).to_contain_text("You requested this closeout, so another supervisor must decide it.")
        expect(main.get_by_role("radio")).to_have_count(0)
        expect(main.get_by_role("button", name="Record the decision")).to_have_count(0)
        check_page(page, "own-closeout")

        forge_post(page, f"/cases/closeouts/{closeout.pk}/decide/", {"decision": "approve", "reason": ""})
        expect(page.get_by_role("alert")).to_contain_text(
            "You requested this closeout, so another supervisor must decide it."
        )
        check_page(page, "own-closeout-refused")
        closeout.refresh_from_db()
        assert closeout.state == CloseoutState.PENDING

    # Another agency's supervisor is offered the decision: the form is withheld from the requester
    # alone.
    other = open_page(treasury_supervisor)
    other.goto(f"/cases/closeouts/{closeout.pk}/")
    expect(other.get_by_role("button", name="Record the decision")).to_be_visible()
    check_page(other, "other-supervisor-closeout")
