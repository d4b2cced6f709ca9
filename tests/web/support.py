"""Reading pages as a person does: the text of a response, the error shown next to a field."""

from __future__ import annotations

import html
import re
from typing import Any


def text(response: Any) -> str:
    """The page's HTML with entities decoded (what the reader sees, give or take the tags)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return html.unescape(response.content.decode())


def words(response: Any) -> str:
    """The page's visible words: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response))).strip()


def field_error(response: Any, field: str) -> str:
    """The error message shown next to form field ``field`` ('' when there is none)."""
    match = re.search(rf'<span class="usa-error-message" id="id_{field}_error">(.*?)</span>', text(response), re.S)
    return match.group(1).strip() if match else ""


def follow(client: Any, response: Any) -> Any:
    """GET the page a POST redirected to (the redirect itself is asserted by the caller)."""
    assert response.status_code == 302, f"expected a redirect, got {response.status_code}"
    return client.get(response["Location"])
