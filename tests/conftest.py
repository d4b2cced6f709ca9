import os

# Playwright's fixtures start an event loop before the test database exists; Django must allow
# ORM calls from that thread (see ../shared/STACK.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from tests import factories


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
