"""Settings for the test suite: production settings, pointed at the loopback PostgreSQL and Redis.

Each variable may be overridden from the environment (a helper running tests beside another uses
its own DATABASE_URL so that the two test databases do not collide).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/checkpoint")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:25")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("CACHE_KEY_PREFIX", "checkpoint-test")
# Under pytest-xdist (make test) each process keeps its own keys in the shared Redis database
# (throttles, rate limits and locks of one process's tests must not count against another's), and
# so do the servers its tests start, which take the prefix from here.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["CACHE_KEY_PREFIX"] = f"{os.environ['CACHE_KEY_PREFIX']}-{worker}"
# The audit head is written outside the database only where a test asks for it (its own file): the
# test database is emptied between tests, and a head left from an earlier test would name events gone.
os.environ.setdefault("AUDIT_HEAD_PATH", "")
# Processes the tests start (workers, gunicorn) log plain lines, which some tests read; the JSON
# lines of production have tests of their own (tests/ops/test_logging.py).
os.environ.setdefault("LOG_FORMAT", "plain")
# No beat runs beside the tests: /readyz does not ask for its heartbeat unless a test says so.
os.environ.setdefault("READYZ_BEAT_MAX_AGE_SECONDS", "0")
# The key that encrypts TOTP secrets at rest (tests only; production sets its own).
os.environ.setdefault("MFA_ENCRYPTION_KEY", "OEODccaWMVLK_TcdKlYf6CpjHD1Dn4JofdBZ-Ia4B9M=")
# Documents the tests store, and uploads they spool, go to a temporary folder removed at
# exit, never to var/documents (a process started by the tests inherits the same folder).
if "DOCUMENT_STORAGE_ROOT" not in os.environ:
    import atexit
    import shutil
    import tempfile

    _documents_root = tempfile.mkdtemp(prefix="checkpoint-test-documents-")
    atexit.register(shutil.rmtree, _documents_root, ignore_errors=True)
    os.environ["DOCUMENT_STORAGE_ROOT"] = os.path.join(_documents_root, "store")
    os.environ.setdefault("DOCUMENT_UPLOAD_TEMP_DIR", os.path.join(_documents_root, "upload-tmp"))


from portal.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the apps and static/ directly (no collectstatic before tests): the
# browser tests load USWDS from the live server.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
