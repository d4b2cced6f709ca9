"""Every rule of tested configurations, the access ledger and the sharing attestation, and each
refusal, which changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from configurations import services
from configurations.models import Configuration, SharingAttestation
from configurations.policy import attestation_differs_for
from findings import services as finding_services
from notifications.models import Notification
from tests import builders
from tests.assertions import audit_actions, refused
from tests.configurations.conftest import days_ago

pytestmark = pytest.mark.django_db

SANDBOX = {
    "name": "Agent sandbox",
    "snapshot": "atlas-2026-11-14-rc3",
    "safeguard_version": "refusal v3 only",
    "access_variant": "reduced_safeguards",
    "access_method": "Sandbox with tools",
}


# --- configurations ---------------------------------------------------------------------------


def test_the_firm_adds_a_configuration_while_the_case_is_open(case, alex, sam):
    sandbox = services.configuration_add(case=case, actor=sam, **SANDBOX, fingerprint=" sha256:abc ")
    assert (sandbox.version, sandbox.is_current, sandbox.fingerprint) == (1, True, "sha256:abc")
    assert sandbox.variant_label == "Reduced safeguards"
    assert audit_actions(sandbox) == ["configuration.added"]
    assert AuditEvent.objects.get(action="configuration.added", target_id=str(sandbox.pk)).case == case


def test_only_the_case_s_firm_adds_configurations(case, kim, dod_reviewer, coordinator):
    for person in (kim, dod_reviewer, coordinator):
        with refused("Only a liaison of the case's firm can add tested configurations.", code="forbidden"):
            services.configuration_add(case=case, actor=person, **SANDBOX)


def test_a_configuration_needs_its_facts_and_a_described_other_variant(case, alex):
    with refused("A tested configuration needs a snapshot identifier."):
        services.configuration_add(case=case, actor=alex, **(SANDBOX | {"snapshot": "  "}))
    with refused("Describe the way of access when you choose 'Other'."):
        services.configuration_add(case=case, actor=alex, **(SANDBOX | {"access_variant": "other"}))
    with refused(
        "Choose the way of access from: Production safeguards, Reduced safeguards, Safeguards removed "
        "(helpful-only), Reasoning visible, Other (described)."
    ):
        services.configuration_add(case=case, actor=alex, **(SANDBOX | {"access_variant": "jailbroken"}))
    with refused(f"{case.reference} already has a configuration named Atlas API."):
        services.configuration_add(case=case, actor=alex, **(SANDBOX | {"name": "Atlas API"}))


def test_a_closed_or_withdrawn_case_takes_no_configuration(alex, coordinator):
    case = builders.make_case(alex, state="withdrawn", coordinator=coordinator)
    with refused(f"Case {case.reference} is withdrawn by the firm: it is read-only."):
        services.configuration_add(case=case, actor=alex, **SANDBOX)


def test_changing_a_configuration_a_finding_names_makes_a_new_version_and_leaves_the_finding_s(
    case, api, alex, dod_reviewer
):
    finding = builders.draft(case, dod_reviewer, configuration=api)
    revised = services.configuration_revise(configuration=api, actor=alex, safeguard_version="guard 3.3")
    api.refresh_from_db()
    finding.refresh_from_db()
    assert (revised.version, revised.lineage, revised.safeguard_version) == (2, api.lineage, "guard 3.3")
    assert not api.is_current
    assert api.safeguard_version == "guard 3.2"
    assert finding.configuration == api  # the finding still names what it was made on
    assert AuditEvent.objects.get(action="configuration.revised").data["fields"] == ["safeguard_version"]
    # The superseded version is never changed again: the current one is.
    with refused(f"Version 1 of {api.name} has been superseded: change its current version."):
        services.configuration_revise(configuration=api, actor=alex, safeguard_version="guard 4")
    with refused("Nothing changed: the current version already says this."):
        services.configuration_revise(configuration=revised, actor=alex, safeguard_version="guard 3.3")
    assert Configuration.objects.filter(lineage=api.lineage).count() == 2


def test_the_reviewing_team_hears_of_a_new_version(case, api, alex, dod_reviewer, dod_supervisor, kim, on_commit):
    from tests.notifications.conftest import inbox

    on_commit(lambda: services.configuration_revise(configuration=api, actor=alex, snapshot="atlas-2026-11-20"))
    text = f"{case.reference}: the firm added version 2 of tested configuration Atlas API."
    assert text in inbox(dod_reviewer)
    assert text in inbox(dod_supervisor)
    assert text not in inbox(kim)


# --- findings name their configuration --------------------------------------------------------


def test_a_finding_without_a_configuration_is_refused(case, dod_reviewer):
    with refused("Choose the tested configuration the finding was made on."):
        builders.draft(case, dod_reviewer, configuration=None)


def test_a_finding_on_another_case_s_configuration_is_refused(case, alex, dod_reviewer, coordinator):
    other = builders.make_case(alex, state="in_review", coordinator=coordinator)
    with refused("That configuration belongs to another case."):
        builders.draft(case, dod_reviewer, configuration=builders.configuration(other))


def test_no_finding_before_the_firm_names_a_configuration(alex, dod_reviewer, coordinator):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    Configuration.objects.filter(case=case).delete()  # a case from before configurations were recorded
    message = (
        f"The firm has not added a tested configuration to {case.reference} yet: "
        "a finding names the configuration it was made on."
    )
    with refused(message, code="no_configuration"):
        finding_services.finding_draft(
            case=case,
            actor=dod_reviewer,
            title="t",
            description="d",
            category="other",
            severity="low",
            configuration=None,
        )


# --- the access ledger ------------------------------------------------------------------------


def test_an_agency_records_a_period_and_an_interruption(case, api, dod_reviewer):
    period = services.access_period_record(
        case=case,
        configuration=api,
        actor=dod_reviewer,
        started_at=days_ago(14),
        ended_at=days_ago(2),
        confirmed_by="Northwind access desk",
    )
    cut = services.interruption_record(
        case=case,
        configuration=api,
        actor=dod_reviewer,
        started_at=days_ago(10),
        ended_at=days_ago(9),
        cause="outage",
        note="503s",
    )
    assert (period.agency.code, cut.agency.code, cut.get_cause_display()) == ("dod", "dod", "Outage")
    assert audit_actions(period) == ["access.period_recorded"]
    assert audit_actions(cut) == ["access.interruption_recorded"]


def test_a_period_ending_before_it_starts_is_refused(case, api, dod_reviewer):
    with refused("The access period must end after it starts."):
        services.access_period_record(
            case=case,
            configuration=api,
            actor=dod_reviewer,
            started_at=days_ago(3),
            ended_at=days_ago(4),
            confirmed_by="desk",
        )


def test_a_period_outside_the_window_is_refused(case, api, dod_reviewer):
    local = timezone.localtime
    opens = datetime.datetime.combine(case.access_date, datetime.time(0), tzinfo=local().tzinfo)
    message = (
        f"The access period must lie within the review window, {case.access_date:%B %-d, %Y} to "
        f"{case.sharing_date:%B %-d, %Y} (the sharing date)."
    )
    with refused(message):
        services.access_period_record(
            case=case,
            configuration=api,
            actor=dod_reviewer,
            started_at=days_ago(20),
            ended_at=days_ago(10),
            confirmed_by="desk",
        )
    with refused("An access period is recorded once it has happened: it cannot be in the future."):
        services.access_period_record(
            case=case,
            configuration=api,
            actor=dod_reviewer,
            started_at=days_ago(1),
            ended_at=days_ago(-1),
            confirmed_by="desk",
        )
    assert opens.date() == case.access_date


def test_the_firm_and_unassigned_agencies_record_no_access(case, api, alex, cisa_reviewer):
    with refused(f"Only reviewers of an agency assigned to {case.reference} can record access.", code="forbidden"):
        services.access_period_record(
            case=case, configuration=api, actor=alex, started_at=days_ago(3), ended_at=None, confirmed_by="me"
        )
    with refused(f"Only reviewers of an agency assigned to {case.reference} can record access.", code="forbidden"):
        services.interruption_record(
            case=case,
            configuration=api,
            actor=cisa_reviewer,
            started_at=days_ago(3),
            ended_at=days_ago(2),
            cause="outage",
        )


def test_the_firm_comments_on_an_entry_and_the_recording_agency_hears(case, api, alex, dod_reviewer, kim, on_commit):
    from tests.notifications.conftest import inbox

    cut = services.interruption_record(
        case=case,
        configuration=api,
        actor=dod_reviewer,
        started_at=days_ago(10),
        ended_at=days_ago(9),
        cause="credential_revoked",
    )
    comment = on_commit(
        lambda: services.ledger_comment_add(actor=alex, body="Keys were reissued the same day.", interruption=cut)
    )
    assert audit_actions(comment) == ["access.ledger_commented"]
    assert inbox(dod_reviewer)[-1] == f"{case.reference}: an entry of the access ledger has a new comment."
    with refused(
        "Only the firm's liaisons and the assigned agencies' reviewers can comment on the access ledger "
        f"on {case.reference}.",
        code="forbidden",
    ):
        services.ledger_comment_add(actor=kim, body="Not ours", interruption=cut)


def test_another_agency_cannot_comment_on_an_entry_kept_to_the_recording_agency(
    case, api, dod_reviewer, treasury_reviewer
):
    period = services.access_period_record(
        case=case, configuration=api, actor=dod_reviewer, started_at=days_ago(5), ended_at=None, confirmed_by="desk"
    )
    with refused("You cannot see that ledger entry.", code="forbidden"):
        services.ledger_comment_add(actor=treasury_reviewer, body="?", period=period)


# --- the sharing attestation ------------------------------------------------------------------


@pytest.fixture
def sharing_day(case, clock):
    moment = datetime.datetime.combine(case.sharing_date, datetime.time(10), tzinfo=timezone.get_current_timezone())
    return clock(moment)


def test_before_the_sharing_date_nothing_is_asked(case, alex, api):
    with refused(f"The attestation is asked for on the sharing date, {case.sharing_date:%B %-d, %Y}.", code="not_yet"):
        services.sharing_attest(case=case, actor=alex, choice="tested", configuration=api)


def test_on_the_sharing_date_the_firm_attests_once(case, alex, sam, api, sharing_day):
    attestation = services.sharing_attest(case=case, actor=sam, choice="tested", configuration=api)
    assert (attestation.choice, attestation.configuration, attestation.attested_by) == ("tested", api, sam)
    assert audit_actions(attestation) == ["case.sharing_attested"]
    with refused(f"The firm has already attested what it shares for {case.reference}.", code="attested"):
        services.sharing_attest(case=case, actor=alex, choice="prefer_not_to_say")


def test_only_the_firm_attests(case, kim, dod_supervisor, coordinator, api, sharing_day):
    for person in (kim, dod_supervisor, coordinator):
        with refused("Only a liaison of the case's firm can attest what it shares.", code="forbidden"):
            services.sharing_attest(case=case, actor=person, choice="prefer_not_to_say")


def test_a_withdrawn_case_is_not_attested(alex, coordinator, clock):
    case = builders.make_case(alex, state="withdrawn", coordinator=coordinator, days_to_sharing=3)
    clock(datetime.datetime.combine(case.sharing_date, datetime.time(10), tzinfo=timezone.get_current_timezone()))
    with refused(f"Case {case.reference} is withdrawn by the firm: it is read-only."):
        services.sharing_attest(case=case, actor=alex, choice="prefer_not_to_say")


def test_a_different_configuration_tells_the_agencies_and_marks_the_findings(
    case, alex, api, dod_reviewer, treasury_supervisor, kim, sharing_day, on_commit
):
    finding = builders.draft(case, dod_reviewer, configuration=api)
    with refused("Describe the configuration the firm shares."):
        services.sharing_attest(case=case, actor=alex, choice="different", different_description=" ")
    attestation = on_commit(
        lambda: services.sharing_attest(
            case=case, actor=alex, choice="different", different_description="atlas-2026-11-28 with guard 3.4"
        )
    )
    text = (
        f"{case.reference}: the firm attested that the configuration it shares with partners differs from "
        "every tested configuration."
    )
    recipients = set(Notification.objects.filter(message=text).values_list("recipient__email", flat=True))
    assert dod_reviewer.email in recipients
    assert treasury_supervisor.email in recipients
    assert kim.email not in recipients
    assert alex.email not in recipients
    assert attestation_differs_for(attestation, finding.configuration)


def test_prefer_not_to_say_and_the_tested_configuration_tell_nobody(
    case, alex, api, dod_reviewer, sharing_day, on_commit
):
    before = Notification.objects.count()
    attestation = on_commit(lambda: services.sharing_attest(case=case, actor=alex, choice="prefer_not_to_say"))
    assert Notification.objects.count() == before
    assert not attestation_differs_for(attestation, api)
    assert SharingAttestation.objects.get(case=case).configuration is None


# --- evaluation documents name their configuration -----------------------------------------------


def test_an_evaluation_report_names_the_configuration_it_was_made_on(case, api, alex, coordinator, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    report = builders.upload_document(
        case,
        alex,
        "evaluation_report",
        title="Eval",
        marking="PROPRIETARY",
        file=builders.pdf(),
        configuration=api,
    )
    assert report.configuration == api
    assert AuditEvent.objects.get(action="document.created", target_id=str(report.pk)).data["configuration"] == api.pk
    other = builders.make_case(alex, state="in_review", coordinator=coordinator)
    with refused("That configuration belongs to another case."):
        builders.upload_document(
            case,
            alex,
            "evaluation_report",
            title="Eval 2",
            marking="PROPRIETARY",
            file=builders.pdf(),
            configuration=builders.configuration(other),
        )
