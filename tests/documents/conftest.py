from pathlib import Path

import pytest

from tests.builders import make_case
from tests.documents.support import Ledger


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path) -> dict[str, Path]:
    """Each test stores documents and spools uploads in folders of its own, with no scanner."""
    store, temp = tmp_path / "store", tmp_path / "upload-tmp"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "documents.storage.PrivateDocumentStorage",
            "OPTIONS": {"location": store, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
        },
    }
    settings.DOCUMENT_UPLOAD_TEMP_DIR = temp
    settings.CLAMAV_ADDRESS = ""
    return {"store": store, "temp": temp}


@pytest.fixture
def ledger(document_storage):
    """Call it right before the upload under test: ``ledger()``."""
    return lambda: Ledger(document_storage["store"], document_storage["temp"])


@pytest.fixture
def draft_case(alex):
    """Northwind's draft case, with its system card and access instructions."""
    return make_case(alex, uploaded=True)


@pytest.fixture
def case(alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer):
    """Northwind's case in review by DoD and Treasury (the agencies' members exist first)."""
    return make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator, uploaded=True)
