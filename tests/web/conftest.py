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
def case(alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor):
    """Northwind's case in review by DoD and Treasury (CISA is not assigned); DoD's reviewer leads."""
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
        lead=dod_reviewer,
    )
