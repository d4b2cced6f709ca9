"""The low-access notice (once, through the reminder ledger, re-armed when the sharing date moves)
and the sharing attestation asked for on the sharing date."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from cases import services as case_services
from configurations import services
from notifications.sweep import run_sweep
from tests import builders
from tests.configurations.conftest import local
from tests.notifications.conftest import inbox, reminders, sent_to, without_event_notices  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_event_notices")]

SHARING = datetime.date(2026, 6, 17)  # a Wednesday; the window opened May 23


@pytest.fixture
def case(clock, alex, dod_reviewer, dod_supervisor, treasury_supervisor, coordinator):
    clock(local(2026, 5, 20, 10))
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        sharing_date=SHARING,
        window_days=25,
        reviewers={dod_supervisor: dod_reviewer},
    )


def _short_access(case, reviewer):
    """DoD had four days of access, then an outage of a day: three effective days."""
    api = builders.configuration(case)
    services.access_period_record(
        case=case,
        configuration=api,
        actor=reviewer,
        started_at=local(2026, 5, 25, 9),
        ended_at=local(2026, 5, 29, 9),
        confirmed_by="desk",
    )
    services.interruption_record(
        case=case,
        configuration=api,
        actor=reviewer,
        started_at=local(2026, 5, 26, 9),
        ended_at=local(2026, 5, 27, 9),
        cause="outage",
    )


def test_low_access_is_told_once_across_two_sweeps_and_again_when_the_date_moves(
    clock, case, alex, sam, dod_reviewer, dod_supervisor, treasury_supervisor, coordinator
):
    clock(local(2026, 6, 1, 10))
    _short_access(case, dod_reviewer)
    clock(local(2026, 6, 10, 7, 59))  # the notice period (7 days) starts at 8:00 on June 10
    run_sweep()
    assert reminders(kind="access_low") == []
    clock(local(2026, 6, 10, 8))
    run_sweep()
    clock(local(2026, 6, 11, 8))
    run_sweep()  # a second sweep, the next day: nothing more
    text = (
        f"{case.reference}: effective access to the model is below 10 days for at least one agency, "
        "and the sharing date is Jun 17, 2026"
    )
    assert sent_to(coordinator.email) == [f"[Checkpoint] {text}"]
    assert sent_to(dod_supervisor.email).count(f"[Checkpoint] {text}") == 1
    # Treasury recorded nothing: it has not said its access was short, so its supervisor is not told.
    assert f"[Checkpoint] {text}" not in sent_to(treasury_supervisor.email)
    firm = [message for message in inbox(alex) if "effective access" in message]
    assert len(firm) == 1
    assert "you may choose to move your sharing date; it is your choice, and nothing is requested of you" in firm[0]
    assert len([subject for subject in sent_to(alex.email) if "effective access" in subject]) == 1
    assert inbox(sam)[-1].endswith("nothing is requested of you.")
    assert reminders(kind="access_low") == sorted(
        ("access_low", -7, person.email, "sent") for person in (coordinator, dod_supervisor)
    )

    # The firm moves its sharing date: the notice is re-armed for the new date, and goes out once more.
    clock(local(2026, 6, 12, 10))
    case_services.case_move_sharing_date(
        case=case, new_sharing_date=datetime.date(2026, 6, 19), reason="More time for testing", actor=alex
    )
    clock(local(2026, 6, 12, 10, 5))
    run_sweep()
    run_sweep()
    assert len([s for s in sent_to(coordinator.email) if "effective access" in s]) == 2
    assert sent_to(coordinator.email)[-1].endswith("the sharing date is Jun 19, 2026")


def test_enough_access_tells_nobody(clock, case, dod_reviewer, coordinator):
    clock(local(2026, 6, 9, 10))
    services.access_period_record(
        case=case,
        configuration=builders.configuration(case),
        actor=dod_reviewer,
        started_at=local(2026, 5, 24, 9),
        ended_at=None,
        confirmed_by="desk",
    )
    clock(local(2026, 6, 12, 8))
    run_sweep()
    assert reminders(kind="access_low") == []
    assert not [s for s in sent_to(coordinator.email) if "effective access" in s]


def test_the_firm_is_asked_for_its_attestation_on_the_sharing_date_until_it_gives_it(clock, case, alex, sam, kim):
    clock(local(2026, 6, 17, 7, 59))
    run_sweep()
    assert reminders(kind="attestation_request") == []
    clock(local(2026, 6, 17, 8))
    run_sweep()
    run_sweep()
    text = (
        f"{case.reference}: your sharing date, Jun 17, 2026, has arrived. You are asked to state which "
        "configuration, if any, you share with partners (you may prefer not to say)"
    )
    assert inbox(alex)[-1] == f"{text}."
    assert sent_to(alex.email)[-1].startswith(f"[Checkpoint] {case.reference}: your sharing date")
    assert reminders(kind="attestation_request") == sorted(
        ("attestation_request", 0, person.email, "sent") for person in (alex, sam)
    )
    assert sent_to(kim.email) == []
    services.sharing_attest(case=case, actor=sam, choice="prefer_not_to_say")
    clock(local(2026, 6, 18, 8))
    run_sweep()
    assert len([m for m in mail.outbox if "sharing date" in m.subject and "has arrived" in m.subject]) == 2
