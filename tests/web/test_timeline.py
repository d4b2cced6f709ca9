"""The case page's timeline is built from the audit log and holds only events about what the reader
may see: an agency-only finding's events reach its own agency, not the firm or the other agency."""

from __future__ import annotations

import re

from django.urls import reverse

from core.models import Visibility
from findings import services
from tests.builders import draft, released
from tests.web.support import text


def timeline(client, case) -> str:
    page = text(client.get(reverse("cases:detail", args=[case.pk])))
    return page[page.index('id="timeline-heading"') :]


def mentions(section: str, finding) -> bool:
    return re.search(rf"finding #{finding.pk}\b", section) is not None


def test_the_timeline_shows_each_reader_only_the_findings_they_may_see(
    client_for, alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, case
):
    dod_only = released(case, dod_reviewer, dod_reviewer, visibility=Visibility.AGENCY, title="DoD eyes only")
    government = released(case, dod_reviewer, dod_supervisor, visibility=Visibility.GOVERNMENT, title="Gov")
    shared = released(case, dod_reviewer, dod_supervisor, visibility=Visibility.FIRM, title="Shared with firm")
    dod_draft = draft(case, dod_reviewer, visibility=Visibility.FIRM, title="Not yet released")
    treasury_only = released(case, treasury_reviewer, treasury_reviewer, visibility=Visibility.AGENCY, title="T only")
    services.comment_add(case=case, actor=dod_reviewer, body="DoD's own note", visibility=Visibility.AGENCY)
    everything = {dod_only, government, shared, dod_draft, treasury_only}

    expected = {
        dod_reviewer: {dod_only, government, shared, dod_draft},
        dod_supervisor: {dod_only, government, shared, dod_draft},
        treasury_reviewer: {government, shared, treasury_only},
        alex: {shared},
    }
    for user, visible in expected.items():
        section = timeline(client_for(user), case)
        assert "opened the case" in section
        assert "assigned agencies (DoD, Treasury)" in section
        for finding in everything:
            assert mentions(section, finding) == (finding in visible), f"{user.email} and finding #{finding.pk}"
        assert ("commented" in section) == (user in (dod_reviewer, dod_supervisor)), user.email

    # Who did it: a firm reads a government actor's agency, government readers the person.
    supervisor = dod_supervisor.get_full_name()
    firm = timeline(client_for(alex), case)
    assert f"DoD released finding #{shared.pk}" in firm
    assert supervisor not in firm
    assert f"{supervisor} released finding #{shared.pk}" in timeline(client_for(treasury_reviewer), case)

    # The program office reads the whole log of the case: events, never the findings' words.
    section = timeline(client_for(coordinator), case)
    assert all(mentions(section, finding) for finding in everything)
    assert "DoD eyes only" not in section
    assert "Shared with firm" not in section
