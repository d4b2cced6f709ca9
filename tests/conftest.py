import os

# Playwright's fixtures start an event loop before the test database exists; Django must allow
# ORM calls from that thread, or it refuses them as unsafe in an async context. The variable must be
# set before Django loads.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests import builders


def _restore_founding_rows(sender, **kwargs) -> None:
    """Tests that commit (``transactional_db``, ``live_server``) end by emptying every table, the
    rows of data migrations included; the emptying ends with ``post_migrate``, as a migration does.
    Put the founding agencies and the coordinators' group back then, so that whatever test runs
    next in this process (in the order pytest-xdist hands out files) finds them."""
    if sender.label != "agencies":
        return
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from core.permissions import COORDINATORS_GROUP

    founding = importlib.import_module("agencies.migrations.0002_founding_agencies")
    founding.create_agencies(apps, None)
    Group.objects.get_or_create(name=COORDINATORS_GROUP)


def pytest_configure(config) -> None:
    from django.db.models.signals import post_migrate

    post_migrate.connect(_restore_founding_rows, dispatch_uid="tests-restore-founding-rows")


@pytest.fixture
def northwind(db):
    return builders.make_firm("Northwind AI")


@pytest.fixture
def lumen(db):
    return builders.make_firm("Lumen Labs")


@pytest.fixture
def alex(northwind):
    """Northwind's firm admin."""
    return builders.make_liaison(northwind, is_admin=True, email="alex@northwind.test")


@pytest.fixture
def sam(northwind):
    return builders.make_liaison(northwind, email="sam@northwind.test")


@pytest.fixture
def kim(lumen):
    """Lumen Labs' firm admin."""
    return builders.make_liaison(lumen, is_admin=True, email="kim@lumen.test")


@pytest.fixture
def dod_reviewer(db):
    return builders.make_agency_member("dod", role="reviewer", email="reviewer@dod.test")


@pytest.fixture
def dod_supervisor(db):
    return builders.make_agency_member("dod", role="supervisor", email="supervisor@dod.test")


@pytest.fixture
def treasury_reviewer(db):
    return builders.make_agency_member("treasury", role="reviewer", email="reviewer@treasury.test")


@pytest.fixture
def treasury_supervisor(db):
    return builders.make_agency_member("treasury", role="supervisor", email="supervisor@treasury.test")


@pytest.fixture
def cisa_reviewer(db):
    return builders.make_agency_member("cisa", role="reviewer", email="reviewer@cisa.test")


@pytest.fixture
def cisa_supervisor(db):
    return builders.make_agency_member("cisa", role="supervisor", email="supervisor@cisa.test")


@pytest.fixture
def coordinator(db):
    return builders.make_coordinator(email="coordinator@checkpoint.test")


# --- signed-in test clients ----------------------------------------------------------------------
@pytest.fixture
def client_for(db) -> Callable[..., Client]:
    """``client_for(user)``: a test client of its own (a person at their own computer), signed in as
    ``user`` the way production signs people in: password and second factor (``builders.sign_in``),
    so the MFA middleware lets it through and the session's timeouts start now::

        def test_firm_dashboard(client_for, alex):
            assert client_for(alex).get("/").status_code == 200

    Several people can be signed in at once, each with their own client. ``enforce_csrf_checks=True``
    makes a client that checks CSRF tokens as a browser's requests are checked."""

    def _client_for(user: Any, *, enforce_csrf_checks: bool = False) -> Client:
        return builders.sign_in(Client(enforce_csrf_checks=enforce_csrf_checks), user)

    return _client_for


@pytest.fixture
def unthrottled(settings):
    """The API's per-minute rate lifted: for tests that make hundreds of requests as one person
    (the throttle counts in Redis, across tests); ``tests/api/test_idempotency_and_limits.py`` tests the rate."""
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "100000/min"}}
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    yield
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
