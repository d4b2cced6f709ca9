"""Safe defaults on findings and working files: the reviewer chooses severity and category, a
release to the firm and a resolution are confirmed, a resolution says how, and a working file
starts with the agency's marking."""

from __future__ import annotations

import re

from django.urls import reverse

from findings.models import Finding
from tests import builders
from tests.assertions import refused
from tests.web.support import follow, text

DRAFT_FIELDS = {
    "title": "Jailbreak through a poem",
    "description": "The input filter lets a sonnet through.",
    "target_kind": "model",
    "target_component": "",
    "visibility": "agency",
}


def _selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select is not None, name
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(0))


def test_a_new_finding_has_no_severity_or_category_chosen(client_for, case, dod_reviewer):
    reviewer = client_for(dod_reviewer)
    create = reverse("findings:create", args=[case.pk])
    page = text(reviewer.get(create))
    assert "Choose a severity" in page
    assert "Choose a category" in page
    assert _selected(page, "severity") == [""]  # the "Choose" line
    assert _selected(page, "category") == [""]
    configuration = case.configurations.get().pk  # the tested configuration is chosen
    response = reviewer.post(create, {**DRAFT_FIELDS, "configuration": configuration})  # neither chosen: refused
    assert response.status_code == 200
    assert text(response).count("This field is required.") == 2
    assert not Finding.objects.exists()
    response = reviewer.post(
        create, DRAFT_FIELDS | {"severity": "low", "category": "other", "configuration": configuration}
    )
    assert response.status_code == 302
    assert Finding.objects.get().severity == "low"


def test_releasing_to_the_firm_and_resolving_ask_for_confirmation(client_for, case, dod_reviewer, dod_supervisor):
    finding = builders.draft(case, dod_reviewer, visibility="firm")
    supervisor = client_for(dod_supervisor)
    release = reverse("findings:release", args=[finding.pk])
    response = supervisor.post(release)
    assert "Confirm that the firm may read this finding now" in text(follow(supervisor, response))
    finding.refresh_from_db()
    assert finding.state == "draft"
    supervisor.post(release, {"confirm": "on"})
    finding.refresh_from_db()
    assert finding.state == "released"

    detail = reverse("findings:detail", args=[finding.pk])
    page = text(supervisor.get(detail))
    assert "How it was resolved" in page
    assert "I confirm that this finding is resolved." in page
    resolve = reverse("findings:resolve", args=[finding.pk])
    supervisor.post(resolve, {"note": "Fixed."})  # not confirmed
    supervisor.post(resolve, {"confirm": "on"})  # no note
    finding.refresh_from_db()
    assert finding.state == "released"
    supervisor.post(resolve, {"confirm": "on", "note": "The filter now refuses verse."})
    finding.refresh_from_db()
    assert finding.state == "resolved"
    assert finding.resolution_note == "The filter now refuses verse."
    assert "The filter now refuses verse." in text(supervisor.get(detail))


def test_an_agency_only_release_needs_no_confirmation(client_for, case, dod_reviewer, dod_supervisor):
    finding = builders.draft(case, dod_reviewer, visibility="agency")
    assert "I confirm that the firm" not in text(client_for(dod_supervisor).get(f"/findings/{finding.pk}/"))
    client_for(dod_supervisor).post(reverse("findings:release", args=[finding.pk]))
    finding.refresh_from_db()
    assert finding.state == "released"


def test_the_resolve_service_needs_a_note(case, dod_reviewer, dod_supervisor):
    from findings.services import finding_resolve

    finding = builders.released(case, dod_reviewer, dod_supervisor)
    with refused("Say how the finding was resolved: its readers will see your note."):
        finding_resolve(finding=finding, actor=dod_reviewer, note="  ")


def test_a_working_file_starts_with_the_agencys_marking(client_for, case, alex, dod_reviewer):
    from agencies.models import Agency

    Agency.objects.filter(code="dod").update(working_file_marking="CONFIDENTIAL REVIEW MATERIAL")
    upload = reverse("documents:create", args=[case.pk])
    assert _selected(text(client_for(dod_reviewer).get(upload)), "marking") == ["CONFIDENTIAL REVIEW MATERIAL"]
    assert _selected(text(client_for(alex).get(upload)), "marking") == ["PROPRIETARY"]
    page = text(client_for(alex).get(upload + "?kind=access_instructions"))
    assert _selected(page, "kind") == ["access_instructions"]
