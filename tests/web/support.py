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


def database_state() -> dict[str, list[Any]]:
    """Every row a refused page could have changed. Refusals themselves are audited
    (``access.refused``, ``document.upload_refused``): those events are left out."""
    from audit.models import AuditEvent
    from cases.models import CaseAgencyAssignment, Closeout, CloseoutDecision, ReviewCase, ReviewerAssignment
    from documents.models import Document, DocumentVersion
    from findings.models import Comment, Finding, FindingResponse

    return {
        "cases": list(ReviewCase.objects.order_by("pk").values()),
        "agencies": list(CaseAgencyAssignment.objects.order_by("pk").values_list("case_id", "agency_id")),
        "reviewers": list(ReviewerAssignment.objects.order_by("pk").values_list("case_id", "reviewer_id", "is_lead")),
        "documents": list(Document.objects.order_by("pk").values_list("pk", flat=True)),
        "versions": list(DocumentVersion.objects.order_by("pk").values_list("pk", flat=True)),
        "findings": list(Finding.objects.order_by("pk").values()),
        "responses": list(FindingResponse.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "closeouts": list(Closeout.objects.order_by("pk").values()),
        "decisions": list(CloseoutDecision.objects.order_by("pk").values()),
        "audit": list(
            AuditEvent.objects.exclude(action__endswith="refused").order_by("pk").values_list("pk", "action")
        ),
    }
