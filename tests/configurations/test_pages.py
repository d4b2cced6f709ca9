"""The pages: the firm adds and changes configurations, an agency records its ledger, the firm
comments on an entry and attests on the sharing date; drafting a finding asks for the
configuration; refused input changes nothing; actions that are not the person's answer 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from configurations.models import AccessPeriod, Configuration, Interruption, LedgerComment, SharingAttestation
from findings.models import Finding
from tests import builders
from tests.assertions import rows_unchanged

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Agent sandbox",
    "snapshot": "atlas-sandbox-1",
    "safeguard_version": "refusal v3",
    "access_variant": "reduced_safeguards",
    "access_method": "Sandbox",
}


def prefixed(kind: str, fields: dict) -> dict:
    """A ledger form's fields as the page posts them (each form of the page has its prefix)."""
    return {f"{kind}-{name}": value for name, value in fields.items()}


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_firm_adds_and_changes_a_configuration(client_for, case, api, alex):
    client = client_for(alex)
    assert client.get(reverse("configurations:add", args=[case.pk])).status_code == 200
    response = client.post(reverse("configurations:add", args=[case.pk]), NEW)
    assert response.status_code == 302
    sandbox = Configuration.objects.get(case=case, name="Agent sandbox")
    response = client.post(reverse("configurations:revise", args=[sandbox.pk]), NEW | {"safeguard_version": "v4"})
    assert response.status_code == 302
    page = client.get(reverse("configurations:list", args=[case.pk])).content.decode()
    assert "v2 (current)" in page
    assert "refusal v3" in page  # version 1 is still listed as it was


def test_agencies_and_other_firms_have_no_configuration_form(client_for, case, api, dod_reviewer, kim):
    for person in (dod_reviewer, kim):
        client = client_for(person)
        with rows_unchanged(person.email):
            assert client.post(reverse("configurations:add", args=[case.pk]), NEW).status_code == 404
            assert client.post(reverse("configurations:revise", args=[api.pk]), NEW).status_code == 404


def test_a_reviewer_records_a_period_and_an_interruption_and_reads_the_effective_days(
    client_for, case, api, dod_reviewer
):
    client = client_for(dod_reviewer)
    now = timezone.now()
    started = now - datetime.timedelta(days=6)
    response = client.post(
        reverse("configurations:period_record", args=[case.pk]),
        prefixed(
            "period",
            {
                "configuration": api.pk,
                "started_at": _local(started),
                "ended_at": "",
                "confirmed_by": "Desk",
                "visibility": "government",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        reverse("configurations:interruption_record", args=[case.pk]),
        prefixed(
            "interruption",
            {
                "configuration": api.pk,
                "started_at": _local(started + datetime.timedelta(days=1)),
                "hours": "24",
                "cause": "outage",
                "note": "",
                "visibility": "agency",
            },
        ),
    )
    assert response.status_code == 302
    page = client.get(reverse("configurations:ledger", args=[case.pk])).content.decode()
    assert '<span data-agency="dod">5.0</span> effective days' in page
    assert "<svg" in page
    case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert '<span data-agency="dod">5.0</span>' in case_page
    dashboard = client.get("/").content.decode()
    assert f'5.0 days<span class="usa-sr-only"> of effective access on {case.reference}</span>' in dashboard


def test_a_period_ending_before_it_starts_is_refused_on_the_page_and_changes_nothing(
    client_for, case, api, dod_reviewer
):
    client = client_for(dod_reviewer)
    now = timezone.now()
    with rows_unchanged():
        response = client.post(
            reverse("configurations:period_record", args=[case.pk]),
            prefixed(
                "period",
                {
                    "configuration": api.pk,
                    "started_at": _local(now - datetime.timedelta(days=2)),
                    "ended_at": _local(now - datetime.timedelta(days=3)),
                    "confirmed_by": "Desk",
                    "visibility": "agency",
                },
            ),
        )
    assert response.status_code == 400
    assert "The access period must end after it starts." in response.content.decode()
    assert not AccessPeriod.objects.exists()


def test_the_firm_records_no_access(client_for, case, api, alex):
    client = client_for(alex)
    with rows_unchanged():
        response = client.post(
            reverse("configurations:interruption_record", args=[case.pk]),
            prefixed(
                "interruption",
                {
                    "configuration": api.pk,
                    "started_at": "2026-01-01T00:00",
                    "hours": "1",
                    "cause": "outage",
                    "visibility": "agency",
                },
            ),
        )
    assert response.status_code == 404
    assert not Interruption.objects.exists()


def test_the_firm_comments_on_an_entry(client_for, case, api, dod_reviewer, alex):
    from configurations.services import access_period_record

    period = access_period_record(
        case=case,
        configuration=api,
        actor=dod_reviewer,
        started_at=timezone.now() - datetime.timedelta(days=3),
        ended_at=None,
        confirmed_by="Desk",
    )
    client = client_for(alex)
    response = client.post(
        reverse("configurations:comment", args=["period", period.pk]), {"body": "Keys sent on day 1."}
    )
    assert response.status_code == 302
    assert LedgerComment.objects.get().body == "Keys sent on day 1."
    assert "Keys sent on day 1." in client.get(reverse("configurations:ledger", args=[case.pk])).content.decode()


def test_drafting_a_finding_asks_for_the_configuration(client_for, case, api, dod_reviewer):
    client = client_for(dod_reviewer)
    form = {
        "title": "T",
        "description": "D",
        "category": "other",
        "severity": "low",
        "target_kind": "model",
        "visibility": "agency",
    }
    with rows_unchanged():
        response = client.post(reverse("findings:create", args=[case.pk]), form)
    assert response.status_code == 200
    assert "Tested configuration" in response.content.decode()
    assert not Finding.objects.exists()
    response = client.post(reverse("findings:create", args=[case.pk]), form | {"configuration": api.pk})
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.configuration == api
    assert api.name in client.get(reverse("findings:detail", args=[finding.pk])).content.decode()


def test_the_firm_attests_on_the_sharing_date_and_the_findings_say_so(
    client_for, case, api, alex, dod_reviewer, time_machine
):
    finding = builders.draft(case, dod_reviewer, configuration=api)
    url = reverse("configurations:attestation", args=[case.pk])
    assert "asked for on the sharing date" in client_for(alex).get(url).content.decode()
    time_machine.move_to(
        datetime.datetime.combine(case.sharing_date, datetime.time(9), tzinfo=timezone.get_current_timezone()),
        tick=False,
    )
    client = client_for(alex)
    assert "prefer not to say" in client.get(url).content.decode().lower()
    response = client.post(url, {"choice": "different", "different_description": "atlas-2026-11-28"})
    assert response.status_code == 302
    assert SharingAttestation.objects.get(case=case).choice == "different"
    page = client_for(dod_reviewer).get(reverse("findings:detail", args=[finding.pk])).content.decode()
    assert "Tested on a different configuration than shared" in page
    case_page = client_for(dod_reviewer).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "attested what the firm shares" in case_page  # on the timeline
    assert "Tested on a different configuration than shared" in case_page  # beside the finding
