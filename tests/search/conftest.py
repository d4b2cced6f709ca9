from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.DOCUMENT_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")


@pytest.fixture
def seeded(db) -> str:
    """The demo loaded as ``manage.py seed_demo --force`` loads it."""
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()
