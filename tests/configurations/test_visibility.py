"""Who sees what of configurations and the access ledger: another firm and unassigned agencies
see nothing (pages answer 404, selectors return nothing, not even a count); an agency sees another
agency's ledger entries only when they were recorded for all assigned agencies; the firm sees
every entry on its configurations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from configurations import selectors, services
from tests.configurations.conftest import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(case, api, dod_reviewer):
    kept = services.access_period_record(
        case=case,
        configuration=api,
        actor=dod_reviewer,
        started_at=days_ago(14),
        ended_at=days_ago(10),
        confirmed_by="Kept desk",
        visibility="agency",
    )
    shared = services.access_period_record(
        case=case,
        configuration=api,
        actor=dod_reviewer,
        started_at=days_ago(8),
        ended_at=days_ago(6),
        confirmed_by="Shared desk",
        visibility="government",
    )
    cut = services.interruption_record(
        case=case,
        configuration=api,
        actor=dod_reviewer,
        started_at=days_ago(13),
        ended_at=days_ago(12),
        cause="rate_limit",
        note="Kept note",
        visibility="agency",
    )
    return kept, shared, cut


def _pages(case):
    return [
        reverse("configurations:list", args=[case.pk]),
        reverse("configurations:ledger", args=[case.pk]),
        reverse("configurations:attestation", args=[case.pk]),
        reverse("configurations:add", args=[case.pk]),
    ]


def test_another_firm_and_an_unassigned_agency_see_nothing(
    client_for, case, ledger, kim, cisa_reviewer, cisa_supervisor
):
    for person in (kim, cisa_reviewer, cisa_supervisor):
        client = client_for(person)
        for url in _pages(case):
            assert client.get(url).status_code == 404, (person.email, url)
        assert list(selectors.configurations_for(person, case)) == []
        assert selectors.access_periods_for(person, case).count() == 0
        assert selectors.interruptions_for(person, case).count() == 0
        assert selectors.access_summary_for(person, case).agencies == []
        assert (
            client.post(reverse("configurations:comment", args=["period", ledger[1].pk]), {"body": "x"}).status_code
            == 404
        )


def test_an_agency_sees_another_agency_s_entries_only_at_government_visibility(
    client_for, case, ledger, treasury_reviewer, dod_reviewer, alex
):
    kept, shared, cut = ledger
    assert list(selectors.access_periods_for(treasury_reviewer, case)) == [shared]
    assert list(selectors.interruptions_for(treasury_reviewer, case)) == []
    assert set(selectors.access_periods_for(dod_reviewer, case)) == {kept, shared}
    assert set(selectors.access_periods_for(alex, case)) == {kept, shared}  # the firm: every entry
    assert list(selectors.interruptions_for(alex, case)) == [cut]
    # The figures follow what the reader may see: Treasury reads DoD's 2 shared days, DoD its own 6.
    treasury_view = {
        row.agency.code: row.days for row in selectors.access_summary_for(treasury_reviewer, case).agencies
    }
    dod_view = {row.agency.code: row.days for row in selectors.access_summary_for(dod_reviewer, case).agencies}
    assert treasury_view == {"dod": 2.0, "treasury": 0.0}
    assert dod_view == {"dod": 5.0, "treasury": 0.0}  # 4 + 2 days, less the 1-day rate limit
    page = client_for(treasury_reviewer).get(reverse("configurations:ledger", args=[case.pk])).content.decode()
    assert "Shared desk" in page
    assert "Kept desk" not in page
    assert "Kept note" not in page
    firm_page = client_for(alex).get(reverse("configurations:ledger", args=[case.pk])).content.decode()
    assert "Kept desk" in firm_page
    assert "Kept note" in firm_page
    # An entry kept to DoD answers 404 to Treasury, like one that does not exist.
    url = reverse("configurations:comment", args=["period", kept.pk])
    assert client_for(treasury_reviewer).post(url, {"body": "?"}).status_code == 404


def test_the_closeout_record_reads_what_was_tested_and_for_how_long(case, ledger, alex, api, dod_reviewer):
    """``record_of_testing`` is what the closeout record calls: every version, each agency's
    effective days (narrowed to one agency for that agency's own record), the attestation."""
    from configurations.services import configuration_revise

    configuration_revise(configuration=api, actor=alex, notes="v2")
    record = selectors.record_of_testing(case)
    assert [(c.name, c.version) for c in record.configurations] == [("Atlas API", 1), ("Atlas API", 2)]
    assert record.effective_days == {"DoD": 5.0, "Treasury": 0.0}
    assert record.attestation is None
    dod = dod_reviewer.agency_membership.agency_id
    assert selectors.record_of_testing(case, agency_ids=[dod]).effective_days == {"DoD": 5.0}
