import pytest
from django.test import Client

from tests import factories


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    """Test documents are written under the test's own directory, not var/documents."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def as_user(login):
    """``as_user(user)``: a test client of its own, signed in as ``user`` (MFA done)."""

    def signed_in(user):
        return login(Client(), user)

    return signed_in


@pytest.fixture
def case(alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor):
    """Northwind's case in review by DoD and Treasury (CISA is not assigned); DoD's reviewer leads."""
    from cases.services import case_assign_reviewers

    case = factories.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    case_assign_reviewers(case=case, reviewers=[dod_reviewer], lead=dod_reviewer, actor=dod_supervisor)
    return case
