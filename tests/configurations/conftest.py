"""A case under review by DoD and Treasury whose window opened 15 days ago and closes in 10, with
one tested configuration ("Atlas API", made by ``make_case``), and a clock to move."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from configurations.models import Configuration
from tests import builders

NY = ZoneInfo("America/New_York")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=NY)


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def clock(time_machine):
    def move(moment: datetime.datetime) -> datetime.datetime:
        time_machine.move_to(moment, tick=False)
        return moment

    return move


@pytest.fixture
def case(alex, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor, coordinator):
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        days_to_sharing=10,
        window_days=25,
        reviewers={dod_supervisor: dod_reviewer, treasury_supervisor: treasury_reviewer},
    )


@pytest.fixture
def api(case) -> Configuration:
    return builders.configuration(case)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what a service queued on commit (the delivery of its notices), as production does."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run
