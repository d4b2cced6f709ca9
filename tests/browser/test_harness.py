"""The browser tests' own checks must be able to fail: axe, injected into a page with known
violations, reports them, and ``check_page`` fails the test with a readable list."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

INACCESSIBLE = """<!DOCTYPE html>
<html lang="en"><head><title>Broken on purpose</title></head>
<body><main>
  <h1>Broken on purpose</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <input type="text" name="unlabelled">
  <p style="color: #aaa; background: #fff">Grey on white.</p>
</main></body></html>"""


def test_axe_finds_wcag_violations_and_check_page_fails_on_them(open_page, check_page):
    page = open_page()
    page.set_content(INACCESSIBLE)

    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= found

    with pytest.raises(pytest.fail.Exception) as failure:
        check_page(page, "broken-on-purpose")
    message = str(failure.value)
    assert "image-alt (critical): Images must have alternative text" in message
    assert 'input[name="unlabelled"]' in message or "unlabelled" in message
