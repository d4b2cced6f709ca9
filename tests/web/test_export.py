"""The findings CSV holds only the findings its reader may see, and no cell a spreadsheet would run
as a formula."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from core.models import Visibility
from tests import builders
from tests.builders import draft, released
from tests.web.support import text


def export(client, **params) -> list[dict[str, str]]:
    response = client.get(reverse("findings:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="checkpoint-findings.csv"'
    return list(csv.DictReader(io.StringIO(text(response))))


def titles(rows) -> set[str]:
    return {row["title"] for row in rows}


def test_the_export_holds_only_what_the_reader_may_see(
    client_for, alex, kim, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, case
):
    released(case, dod_reviewer, dod_reviewer, visibility=Visibility.AGENCY, title="DoD only")
    released(case, dod_reviewer, dod_supervisor, visibility=Visibility.GOVERNMENT, title="Government")
    shared = released(case, dod_reviewer, dod_supervisor, visibility=Visibility.FIRM, title="Shared")
    draft(case, dod_reviewer, visibility=Visibility.FIRM, title="DoD draft")
    released(case, treasury_reviewer, treasury_reviewer, visibility=Visibility.AGENCY, title="Treasury only")
    lumen_case = builders.make_case(kim, state="in_review", agencies=("dod",), coordinator=coordinator)
    released(lumen_case, dod_reviewer, dod_supervisor, visibility=Visibility.FIRM, title="Lumen's")

    assert titles(export(client_for(alex))) == {"Shared"}
    assert titles(export(client_for(kim))) == {"Lumen's"}
    assert titles(export(client_for(dod_reviewer))) == {"DoD only", "Government", "Shared", "DoD draft", "Lumen's"}
    assert titles(export(client_for(treasury_reviewer))) == {"Government", "Shared", "Treasury only"}
    assert export(client_for(coordinator)) == []

    (row,) = export(client_for(alex))
    assert row == {
        "case": case.reference,
        "finding": str(shared.pk),
        "agency": "DoD",
        "title": "Shared",
        "category": "Safeguard bypass",
        "severity": "High",
        "target": "The model itself",
        "state": "Released",
        "visibility": "Assigned agencies and the firm",
        "response_due": "",
        "released_at": row["released_at"],
    }
    # The list's filters apply to the download.
    assert titles(export(client_for(dod_reviewer), q="Gov")) == {"Government"}
    assert titles(export(client_for(dod_reviewer), state="draft")) == {"DoD draft"}


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(client_for, dod_reviewer, case):
    for title in ('=HYPERLINK("http://evil.test")', "+1+1", "-2+3", "@SUM(A1)", "Plain - title = fine"):
        draft(case, dod_reviewer, title=title, target_kind="safeguard", target_component="=cmd|' /C calc'!A0")
    rows = export(client_for(dod_reviewer))
    assert titles(rows) == {'\'=HYPERLINK("http://evil.test")', "'+1+1", "'-2+3", "'@SUM(A1)", "Plain - title = fine"}
    # A cell that does not start with a formula character, such as the target, is left alone.
    assert {row["target"] for row in rows} == {"A safeguard component: =cmd|' /C calc'!A0"}


def test_each_export_is_audited_like_a_download(client_for, dod_reviewer, case):
    from audit.models import AuditEvent

    export(client_for(dod_reviewer), q="Gov", severity="high")

    event = AuditEvent.objects.get(action="findings.exported")
    assert event.actor == dod_reviewer
    assert event.data == {"format": "csv", "filters": {"q": "Gov", "severity": "high"}}
