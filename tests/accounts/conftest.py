import copy
import uuid

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets its own key prefix in the shared Redis cache, so that rate-limit counters
    and used TOTP codes neither leak between tests nor touch anyone else's keys (no FLUSHDB)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"{caches['default'].get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"
    settings.CACHES = caches
