"""The liaison's journey by keyboard alone: Tab, Shift+Tab, Enter, Space and typing, never a
click. Every stop of the focus must be visible (a focus ring on screen), and the skip link must
take the focus past the header into the page's main content."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import FileChooser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from cases.models import CaseState, ReviewCase
from documents.models import Document
from tests import builders
from tests.builders import enrol_totp, totp_secret

pytestmark = pytest.mark.browser

# What has the focus, and whether a person can see where it is: a focus ring (outline or box
# shadow) on the element, or on the label USWDS draws in place of a visually hidden checkbox or
# radio button, and on screen.
_FOCUS = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return {name: "", tag: "BODY", ring: false, onScreen: false};
    let drawn = element, pseudo = null;
    if (element.matches(".usa-checkbox__input, .usa-radio__input")) {
        drawn = document.querySelector(`label[for="${element.id}"]`);
        pseudo = "::before";
    }
    const style = getComputedStyle(drawn, pseudo);
    const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
        || (style.boxShadow && style.boxShadow !== "none");
    const box = drawn.getBoundingClientRect();
    const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
        && box.top < window.innerHeight && box.left < window.innerWidth;
    const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
    const name = (label || element.getAttribute("aria-label") || element.innerText || element.value || "")
        .replace(/[\\s:*]+$/, "").replace(/\\s+/g, " ").trim();
    const main = document.querySelector("main");
    return {
        name, tag: element.tagName, id: element.id, ring, onScreen, inMain: !!(main && main.contains(element)),
        outline: `${style.outlineStyle} ${style.outlineWidth}`, focusVisible: element.matches(":focus-visible"),
        focus: element.matches(":focus"), pageHasFocus: document.hasFocus(),
    };
}"""


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(_FOCUS)


def press(page: Page, key: str) -> dict[str, Any]:
    """Press ``key`` and return what has the focus then, which must be visibly focused."""
    page.keyboard.press(key)
    focus = focused(page)
    assert focus["ring"], f"no visible focus ring on {focus} after {key} ({page.url})"
    assert focus["onScreen"], f"the focused element is off screen: {focus} after {key} ({page.url})"
    return focus


def _is(focus: dict[str, Any], name: str | re.Pattern[str]) -> bool:
    return bool(name.search(focus["name"])) if isinstance(name, re.Pattern) else focus["name"] == name


def tab_to(page: Page, name: str | re.Pattern[str], *, backwards: bool = False, limit: int = 40) -> dict[str, Any]:
    """Tab (or Shift+Tab) until the element named ``name`` has the focus (it may have it already),
    checking that every stop is visibly focused."""
    focus = focused(page)
    if _is(focus, name):
        return focus
    key = "Shift+Tab" if backwards else "Tab"
    stops = []
    for _ in range(limit):
        focus = press(page, key)
        stops.append(focus["name"])
        if _is(focus, name):
            return focus
    raise AssertionError(f"{key} never reached {name!r} on {page.url}; stops: {stops}")


def open_file_chooser(page: Page, attempts: int = 3) -> FileChooser:
    """Space on the focused file input opens the file chooser. Playwright asks the browser to hand
    it the chooser without waiting for the browser to agree, so on a loaded machine the first Space
    can reach the input before that: the chooser then opens natively (nothing to see headless)
    and no event comes. The press is repeated while the focus stays on the input; a Space that
    never opens a chooser fails after ``attempts`` tries."""
    for attempt in range(attempts):
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeoutError:
            focus = focused(page)
            assert focus["tag"] == "INPUT", f"the focus left the file input after Space: {focus}"
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def skip_to_main(page: Page) -> None:
    """The first Tab reaches the skip link, shown on screen; Enter on it moves the focus to the
    main content, so that the next Tab reaches the first control in it, past the header and its
    navigation. Leaves the focus there.

    A form posted from a page reached by the skip link redirects to an address that keeps its
    ``#main-content`` (browsers carry the fragment over a redirect): such a page opens at its main
    content, and the first Tab already lands there."""
    if not page.url.endswith("#main-content"):
        focus = press(page, "Tab")
        assert focus["name"] == "Skip to main content", focus
        page.keyboard.press("Enter")
        # The fragment navigation is asynchronous: wait for it rather than read the URL at once.
        page.wait_for_url("**#main-content", timeout=5000)
    focus = press(page, "Tab")
    assert focus["inMain"], f"after the skip link the focus is outside <main>: {focus}"


def type_date(page: Page, day: datetime.date) -> None:
    """A date typed into Chromium's date field, whose segments follow the locale (mm/dd/yyyy)."""
    page.keyboard.type(day.strftime("%m%d%Y"))


def test_a_liaison_signs_in_opens_and_submits_a_case_by_keyboard_alone(open_page, check_page, totp, alex, live_server):
    model = builders.make_model(alex, name="Meridian", version="2.0")
    enrol_totp(alex)
    access = timezone.localdate() + datetime.timedelta(days=3)
    sharing = access + datetime.timedelta(days=20)

    page = open_page(reduced_motion="reduce")
    page.goto("/accounts/login/")
    check_page(page, "sign-in")
    skip_to_main(page)

    # --- sign in: a mistyped address is corrected with Shift+Tab -------------------------------
    tab_to(page, "Email")
    page.keyboard.type("alex@northwind.tset")
    tab_to(page, "Password")
    page.keyboard.type(builders.PASSWORD)
    tab_to(page, "Email", backwards=True)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(alex.email)
    tab_to(page, "Password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your second factor")
    check_page(page, "second-factor")
    skip_to_main(page)
    tab_to(page, "Code")
    page.keyboard.type(totp(totp_secret(alex)))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    check_page(page, "dashboard")

    # --- open a case -------------------------------------------------------------------------------
    skip_to_main(page)
    tab_to(page, "Open a review case")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a review case")
    check_page(page, "open-case-form")
    skip_to_main(page)
    tab_to(page, "Model")
    page.keyboard.type("Meridian")
    expect(page.get_by_role("combobox", name=re.compile("^Model"))).to_have_value(str(model.pk))
    tab_to(page, "Access date")
    type_date(page, access)
    tab_to(page, "Sharing date")
    type_date(page, sharing)
    tab_to(page, "Trusted partners")
    page.keyboard.type("Example Cloud")
    tab_to(page, "How evaluators get access")
    page.keyboard.type("API keys issued on the access date.")
    tab_to(page, "Open the case")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text(re.compile(r"Case CP-\d{4}-\d{4} is open as a draft."))
    case = ReviewCase.objects.get(model=model)
    assert (case.access_date, case.sharing_date) == (access, sharing)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{case.reference}: Meridian 2.0")
    check_page(page, "case-draft")

    # --- upload the system card: the file chooser opens with Space -------------------------------
    skip_to_main(page)
    tab_to(page, "Upload a document")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a document")
    check_page(page, "upload-form")
    skip_to_main(page)
    tab_to(page, "Kind")
    page.keyboard.type("System")
    tab_to(page, "Title")
    page.keyboard.type("Meridian 2.0 system card")
    tab_to(page, "File")
    open_file_chooser(page).set_files(
        files=[
            {
                "name": "system-card.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
            }
        ]
    )
    tab_to(page, "Upload")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meridian 2.0 system card")
    check_page(page, "uploaded")
    assert Document.objects.get(case=case).kind == "system_card"

    # The access instructions come through the service (uploading is not this test's point); the
    # liaison goes back to the case by its address.
    builders.attach_document(case, alex, "access_instructions")
    page.goto(f"/cases/{case.pk}/")
    check_page(page, "case-with-documents")

    # --- submit it: Space presses the button -----------------------------------------------------
    skip_to_main(page)
    tab_to(page, "Submit for review")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Submit {case.reference}")
    check_page(page, "submit-confirm")
    skip_to_main(page)
    tab_to(page, f"Submit {case.reference}")
    page.keyboard.press("Space")
    expect(page.get_by_role("status").first).to_contain_text(f"Case {case.reference} is submitted.")
    check_page(page, "case-submitted")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
