"""Settings of the Celery worker that the integration tests start: the test settings, with real
SMTP (to the tests' own little mail server, EMAIL_URL) instead of the in-memory outbox."""

from portal.test_settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_TIMEOUT = 10
