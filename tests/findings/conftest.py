import pytest

from tests import builders


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    """Test documents are written under the test's own directory, not var/documents."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def case(alex, coordinator):
    """A Northwind case in review, assigned to DoD and Treasury (CISA is not assigned)."""
    return builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)


@pytest.fixture
def other_dod_supervisor(db):
    return builders.make_agency_member("dod", role="supervisor", email="supervisor2@dod.test")
