"""The case page's timeline is built from the audit log and holds only events about what the reader
may see: an agency-only finding's events reach its own agency, not the firm or the other agency.
The case page shows the latest events; the case's history page has them all, fifty to a page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.models import Visibility
from findings import services
from tests.builders import draft, released
from tests.web.support import text

PAGES = ["cases:detail", "cases:history"]


def timeline(client, case, page: str = "cases:detail", number: int | None = None) -> str:
    """The timeline's lines: the case page's section, or the history page's list."""
    html = text(client.get(reverse(page, args=[case.pk]), {"page": number} if number else {}))
    start = html.index('id="timeline-heading"') if page == "cases:detail" else html.index("<h1")
    return html[start:]


def lines(section: str) -> list[str]:
    return re.findall(r"<li><time[^>]*>.*?</li>", section)


def mentions(section: str, finding) -> bool:
    return re.search(rf"finding #{finding.pk}\b", section) is not None


@pytest.mark.parametrize("page", PAGES)
def test_the_timeline_shows_each_reader_only_the_findings_they_may_see(
    page, client_for, alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, case
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
        section = timeline(client_for(user), case, page)
        assert "opened the case" in section
        assert "assigned agencies (DoD, Treasury)" in section
        for finding in everything:
            assert mentions(section, finding) == (finding in visible), f"{user.email} and finding #{finding.pk}"
        assert ("commented" in section) == (user in (dod_reviewer, dod_supervisor)), user.email

    # Who did it: a firm reads a government actor's agency, government readers the person.
    supervisor = dod_supervisor.get_full_name()
    firm = timeline(client_for(alex), case, page)
    assert f"DoD released finding #{shared.pk}" in firm
    assert supervisor not in firm
    assert f"{supervisor} released finding #{shared.pk}" in timeline(client_for(treasury_reviewer), case, page)

    # The program office reads the whole log of the case: events, never the findings' words.
    section = timeline(client_for(coordinator), case, page)
    assert all(mentions(section, finding) for finding in everything)
    assert "DoD eyes only" not in section
    assert "Shared with firm" not in section


def test_the_case_page_shows_the_latest_events_and_the_history_page_all_of_them(client_for, alex, dod_reviewer, case):
    client = client_for(alex)
    before = len(lines(timeline(client, case, "cases:history")))
    assert "full history" not in timeline(client, case)  # nothing earlier than what the page shows

    for i in range(1, 61):
        services.comment_add(case=case, actor=alex, body=f"Note {i}", visibility=Visibility.FIRM)
    # A DoD-only note is on neither page for the firm, however many events there are.
    services.comment_add(case=case, actor=dod_reviewer, body="DoD's own", visibility=Visibility.AGENCY)
    total = before + 60

    section = timeline(client, case)
    shown = lines(section)
    assert len(shown) == 20
    assert all("commented" in line for line in shown)  # the latest 20: the last notes, oldest first
    assert shown == sorted(shown, key=lambda line: re.search(r'datetime="([^"]+)"', line).group(1))
    assert f'href="{reverse("cases:history", args=[case.pk])}"' in section

    first = lines(timeline(client, case, "cases:history"))
    second = lines(timeline(client, case, "cases:history", 2))
    assert len(first) == 50
    assert len(second) == total - 50
    assert "opened the case" in first[0]  # oldest first
    assert (first + second)[-20:] == shown
    # Asking past the last page shows the last one, as the other lists do.
    assert lines(timeline(client, case, "cases:history", 99)) == second
    # DoD's reviewer reads their agency's note last, on both pages.
    reviewer = client_for(dod_reviewer)
    note = f"{dod_reviewer.get_full_name()} commented"
    assert note in lines(timeline(reviewer, case))[-1]
    assert note in lines(timeline(reviewer, case, "cases:history", 2))[-1]
