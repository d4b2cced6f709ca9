import os

# Playwright's fixtures start an event loop before the test database exists; Django must allow
# ORM calls from that thread (see ../shared/STACK.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _founding_rows(request):
    """Tests that commit (``transactional_db``, ``live_server``) end by emptying every table,
    the rows of data migrations included: put the founding agencies and the coordinators'
    group back for the test that follows."""
    marker = request.node.get_closest_marker("django_db")
    commits = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if not commits and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from core.permissions import COORDINATORS_GROUP

    founding = importlib.import_module("agencies.migrations.0002_founding_agencies")
    founding.create_agencies(apps, None)
    Group.objects.get_or_create(name=COORDINATORS_GROUP)


@pytest.fixture
def northwind(db):
    return factories.make_firm("Northwind AI")


@pytest.fixture
def lumen(db):
    return factories.make_firm("Lumen Labs")


@pytest.fixture
def alex(northwind):
    """Northwind's firm admin."""
    return factories.make_liaison(northwind, is_admin=True, email="alex@northwind.test")


@pytest.fixture
def sam(northwind):
    return factories.make_liaison(northwind, email="sam@northwind.test")


@pytest.fixture
def kim(lumen):
    """Lumen Labs' firm admin."""
    return factories.make_liaison(lumen, is_admin=True, email="kim@lumen.test")


@pytest.fixture
def dod_reviewer(db):
    return factories.make_agency_member("dod", role="reviewer", email="reviewer@dod.test")


@pytest.fixture
def dod_supervisor(db):
    return factories.make_agency_member("dod", role="supervisor", email="supervisor@dod.test")


@pytest.fixture
def treasury_reviewer(db):
    return factories.make_agency_member("treasury", role="reviewer", email="reviewer@treasury.test")


@pytest.fixture
def treasury_supervisor(db):
    return factories.make_agency_member("treasury", role="supervisor", email="supervisor@treasury.test")


@pytest.fixture
def cisa_reviewer(db):
    return factories.make_agency_member("cisa", role="reviewer", email="reviewer@cisa.test")


@pytest.fixture
def cisa_supervisor(db):
    return factories.make_agency_member("cisa", role="supervisor", email="supervisor@cisa.test")


@pytest.fixture
def coordinator(db):
    return factories.make_coordinator(email="coordinator@checkpoint.test")


# --- signed-in test clients ----------------------------------------------------------------------
@pytest.fixture
def login(db):
    """A function ``login(client, user)`` that signs ``client`` in as ``user`` the way production does.

    Every account must use two-factor authentication, so ``client.force_login(user)`` alone leaves
    the client held at MFA enrolment (pages redirect to /accounts/2fa/, ``/api/`` answers 403).
    ``login`` instead gives ``user`` a TOTP authenticator through allauth's API (unless they have
    one), signs the client in, and records the password and TOTP steps in the session exactly as
    allauth's sign-in flow does, so the MFA middleware lets the client through. The session's
    idle and absolute timeouts start now. It returns the client::

        def test_firm_dashboard(client, login, alex):
            login(client, alex)
            assert client.get("/").status_code == 200

    Several clients can be signed in as different users in one test (``django.test.Client()``).
    ``tests.accounts.helpers`` has ``totp_secret(user)`` and ``totp_code(secret)`` for tests that
    need a current code (re-authentication, for one).
    """
    from tests.accounts.helpers import sign_in

    return sign_in
