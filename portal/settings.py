"""Checkpoint settings, read from the environment.

One switch, CHECKPOINT_DEMO=1, turns on the conveniences of a laptop demo (SQLite, eager tasks,
console email, an insecure fixed secret key, demo data allowed). Without it every setting that
matters in production must come from the environment, and a missing one stops the process.

The settings come in topics, each set once (tests/test_codebase.py holds that): core and hosts,
applications and middleware, templates, database, cache and Celery, authentication, invitations,
time, static files and document storage, email, security headers, logging, and the program's own
rules. README.md, "Settings", lists every environment variable.
"""

from __future__ import annotations

from pathlib import Path

import csp.constants as _csp
import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEMO = env.bool("CHECKPOINT_DEMO", default=False)
DEBUG = env.bool("DEBUG", default=DEMO)


def _required(name: str, demo_default: str) -> str:
    """A setting production must provide; the demo may fall back to a harmless default."""
    value = env.str(name, default="")
    if value:
        return value
    if DEMO:
        return demo_default
    raise ImproperlyConfigured(
        f"{name} is not set. Set it in the environment (see README.md, 'Settings'), "
        "or run with CHECKPOINT_DEMO=1 for the local demo."
    )


# --- Core and hosts -------------------------------------------------------------------------
SECRET_KEY = _required("SECRET_KEY", "demo-only-insecure-key-never-use-in-production-0123456789")
# Former secret keys, comma-separated, still accepted for what they signed (sessions, reset links)
# while SECRET_KEY signs everything new: a rotation without signing everyone out (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEMO else [])
if not ALLOWED_HOSTS and not DEMO:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The portal's address, used in links inside emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# --- Applications and middleware ------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer reads widget templates through TEMPLATES
    "guardian",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "csp",  # Content-Security-Policy with a nonce per response (django-csp)
    # Checkpoint
    "core",
    "accounts",
    "audit",
    "firms",
    "agencies",
    "cases",
    "configurations",  # tested configurations, the access ledger, the sharing attestation
    "documents",
    "findings",
    "records",  # the closeout record, frozen per audience when a case closes
    "workflow",  # the transitions that reach across a case's documents and findings
    "invitations",  # invitation-only accounts, and their deactivation
    "notifications",  # reminders, event notices, in-app notifications
    "search",  # one search across what a person may see
    "planning",  # the review calendar and its feed, agencies' workload
    "metrics",  # program metrics: charts, tables and CSV for coordinators and supervisors
    "dashboard",  # each role's landing page
    "demo",  # manage.py seed_demo: the demo's data tables, loaded through the services
    "ops",  # /healthz, /readyz, structured logs, backups (docs/operations.md)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from the portal itself (no CDN)
    "api",  # REST API v1, personal access tokens, signed webhooks to firms
]

MIDDLEWARE = [
    # First: every response, redirects and errors included, carries the request id and is logged.
    "ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ops.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The client address in the audit log (failed sign-ins above all).
    "audit.context.AuditContextMiddleware",
    # Idle and absolute session limits, then the second factor every account must have.
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    # The demo (DEBUG on) answers a missing page with the portal's page, not Django's debug page.
    "core.middleware.PortalNotFoundMiddleware",
]

# --- Templates and forms --------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "notifications.context_processors.unread",  # the header's unread count
            ],
        },
    },
]
# Every form renders in the look of the U.S. Web Design System (templates/forms/uswds.html).
FORM_RENDERER = "core.forms.USWDSRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEMO else "")}
if not DATABASES["default"].get("ENGINE"):
    raise ImproperlyConfigured("DATABASE_URL is not set (e.g. postgres://user:pass@host:5432/checkpoint).")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Wait for a writer instead of failing at once when the demo server and a task write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The covering indexes' included columns (PostgreSQL) are left out on SQLite: the indexes
    # still exist there, on their key columns only.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # Parameters bound on the server, and a statement prepared on its connection once it has run
    # 5 times (psycopg's prepare_threshold): PostgreSQL then plans a page's statements once per
    # connection instead of on every request, where planning cost more than running them (3.5 ms
    # against 1.2 ms for a reviewer's case page at program scale; its CPU in PostgreSQL went from
    # 6.5 to 2.7 ms a request). Off behind a pooler in transaction mode that does not keep
    # prepared statements (docs/operations.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL and not DEMO:
    raise ImproperlyConfigured("REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0).")

if REDIS_URL:
    # Rate limits and TOTP replay protection live in the cache: it must be shared by every
    # web process, so outside the demo it is Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="checkpoint"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=DEMO and not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = "America/New_York"
# Workers log through Django's LOGGING (one JSON line per task, ops.task_logging), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Publishing must not hang a web request when Redis is down: the connection is tried briefly, and
# a broker that accepts the connection but never answers would hang a publish (and the web request
# that queues an event) forever, so every socket operation is bounded, not just the connect.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
_broker_socket_timeout = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_timeout": _broker_socket_timeout,
    "socket_connect_timeout": _broker_socket_timeout,
}
# The beat schedule. The reminder sweep and the flush of refusal tallies are stateless and
# idempotent, so a late, doubled (two beats) or missed run sends nothing twice; an unconsumed run
# expires before the next (docs/reminders.md).
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {
        "task": "notifications.tasks.sweep_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "audit-refusal-tallies": {
        "task": "audit.tasks.flush_refusal_tallies",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The metrics page's figures, computed ahead for each scope (metrics.services): only the
    # stale ones are recomputed, so a late, doubled or missed run costs nothing but freshness.
    "metrics-snapshots": {
        "task": "metrics.tasks.refresh_stale_metrics",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Proves to /readyz that the beat schedules and a worker runs (READYZ_BEAT_MAX_AGE_SECONDS).
    "beat-heartbeat": {
        "task": "ops.tasks.beat_heartbeat",
        "schedule": 10.0,
        "options": {"expires": 9},
    },
    # Webhook deliveries that are pending and due (a retry's time, a task lost in a restart).
    "webhook-sweep": {
        "task": "api.tasks.sweep_webhooks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Hourly: each saved search emails at most once a day (search.services), so a late or doubled
    # run sends nothing twice, and a missed one is caught up by the next.
    "saved-search-emails": {
        "task": "search.tasks.email_saved_searches",
        "schedule": 3600.0,
        "options": {"expires": 3300},
    },
}

# --- Authentication: accounts, allauth, MFA, sessions, object permissions --------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",  # allauth's, without the "account inactive" page
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: email is the identity, accounts are invitation-only.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# The portal's own emails (templates/account/email/): no mail to addresses without an account
# (it would come from the portal's address to anyone), a notice to the holder when their password
# or second factor changes.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Checkpoint: "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
}
# Changing the password or email, and adding or removing a second factor, asks for the password
# (or a second factor) again first.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Re-authenticate with the password or a second factor only: a code sent by email would let
# whoever holds the mailbox and an open session remove the second factor.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")

# Every account must enrol a second factor before it reaches anything (accounts.middleware).
# Only the laptop demo may switch that off, so that its seeded logins work with a password alone;
# a process with DEBUG off refuses to start without it.
# Firms read which agency acted ("DoD released this finding"), not which government reviewer,
# unless the program turns this on.
CHECKPOINT_FIRMS_SEE_REVIEWER_NAMES = env.bool("CHECKPOINT_FIRMS_SEE_REVIEWER_NAMES", default=False)
CHECKPOINT_REQUIRE_MFA = env.bool("CHECKPOINT_REQUIRE_MFA", default=not (DEMO and DEBUG))
if not CHECKPOINT_REQUIRE_MFA and not (DEMO and DEBUG):
    raise ImproperlyConfigured(
        "CHECKPOINT_REQUIRE_MFA is off outside the demo. Every Checkpoint account must use "
        "two-factor authentication; only the local demo (CHECKPOINT_DEMO=1, DEBUG on) may switch it off."
    )
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_REAUTHENTICATION_REQUIRED = True
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "Checkpoint"
# WebAuthn over plain http is for the demo on a laptop only (browsers accept it for localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEMO
# TOTP secrets and recovery-code seeds are stored encrypted with this Fernet key (or keys,
# comma-separated: the first encrypts, all decrypt, so a key can be rotated). Generate one with
# python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
MFA_ENCRYPTION_KEYS = [
    key.strip()
    for key in _required("MFA_ENCRYPTION_KEY", "W4DYK07PnYufdoR9RIKoBP7dKrYs18mlngytXdtzVAM=").split(",")
    if key.strip()
]


def _check_fernet_keys(keys: list[str]) -> None:
    from cryptography.fernet import Fernet

    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                "MFA_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes). Generate one with: "
                'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            ) from exc


_check_fernet_keys(MFA_ENCRYPTION_KEYS)

# Sessions end after SESSION_IDLE_TIMEOUT_SECONDS without a request, and SESSION_ABSOLUTE_TIMEOUT_SECONDS
# after sign-in whatever happens (accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
# Database sessions that know their account: one's own sessions list, and "sign out everywhere else".
SESSION_ENGINE = "accounts.session_store"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-guardian: no anonymous user row (our user model has no username).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Invitations ----------------------------------------------------------------------------
# Invitations are single-use links that expire after this many days.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# The most invitations one inviter may send in an hour.
INVITATIONS_PER_HOUR = env.int("INVITATIONS_PER_HOUR", default=30)

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
# Deadlines are computed in the program's time zone and stored in UTC.
TIME_ZONE = "America/New_York"
PROGRAM_TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

# --- Static files and document storage (docs/documents.md) ----------------------------------
STATIC_URL = "/static/"
# Where `collectstatic` gathers the files that WhiteNoise serves (the production smoke test uses a
# temporary folder).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Documents live outside static/ and are served only through permission-checked views. Uploads
# stream in chunks to DOCUMENT_UPLOAD_TEMP_DIR (private, created on first use), then move into the
# storage. Keep both on one filesystem so that accepting a file is a rename.
DOCUMENT_STORAGE_ROOT = env.path("DOCUMENT_STORAGE_ROOT", default=BASE_DIR / "var" / "documents")
DOCUMENT_UPLOAD_TEMP_DIR = env.path("DOCUMENT_UPLOAD_TEMP_DIR", default=BASE_DIR / "var" / "upload-tmp")
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=1024**3)
DOCUMENT_ZIP_MAX_ENTRIES = env.int("DOCUMENT_ZIP_MAX_ENTRIES", default=10_000)
DOCUMENT_ZIP_MAX_EXPANDED_BYTES = env.int("DOCUMENT_ZIP_MAX_EXPANDED_BYTES", default=4 * 1024**3)
DOCUMENT_ZIP_MAX_DEPTH = env.int("DOCUMENT_ZIP_MAX_DEPTH", default=3)
# How many times its compressed size an archive, or one of its entries, may expand (100 = 100:1),
# measured on the bytes actually inflated; it applies past 4 MiB expanded (see docs/documents.md).
DOCUMENT_ZIP_MAX_RATIO = env.int("DOCUMENT_ZIP_MAX_RATIO", default=100)
# clamd's address (host:port, or the path of its unix socket). Empty: no scanning. When set, an
# upload the scanner does not pass, or cannot scan, is refused.
CLAMAV_ADDRESS = env.str("CLAMAV_ADDRESS", default="")
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=120.0)
# "local" (default): a private folder with no URL. "s3": S3-compatible object storage through
# django-storages (installed with requirements.txt; credentials from the usual AWS_* environment
# variables or the instance role).
DOCUMENT_STORAGE_BACKEND = env.str("DOCUMENT_STORAGE_BACKEND", default="local")
if DOCUMENT_STORAGE_BACKEND == "s3":
    _document_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _required("DOCUMENT_S3_BUCKET", ""),
            "endpoint_url": env.str("DOCUMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENT_S3_REGION", default="") or None,
            "location": env.str("DOCUMENT_S3_PREFIX", default="documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": env.str("DOCUMENT_S3_SSE", default="AES256")},
        },
    }
elif DOCUMENT_STORAGE_BACKEND == "local":
    _document_storage = {
        "BACKEND": "documents.storage.PrivateDocumentStorage",
        "OPTIONS": {
            "location": DOCUMENT_STORAGE_ROOT,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
else:
    raise ImproperlyConfigured("DOCUMENT_STORAGE_BACKEND is 'local' or 's3'.")
STORAGES = {
    "default": _document_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
if DEMO and not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or
    # EMAIL_USE_SSL, from the one URL.
    vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Checkpoint <no-reply@checkpoint.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long one SMTP conversation may wait on the mail server (seconds) when EMAIL_TIMEOUT is unset.
NOTIFICATIONS_SMTP_TIMEOUT = env.int("NOTIFICATIONS_SMTP_TIMEOUT", default=30)

# --- Security headers and cookies -----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of the portal uses are switched off for every page; WebAuthn (security
# keys and passkeys) stays allowed for the portal itself.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), "
    "publickey-credentials-get=(self), publickey-credentials-create=(self)"
)
# Content-Security-Policy on every page (django-csp): scripts and styles from the portal itself,
# or inline ones carrying the response's nonce ({{ request.csp_nonce }}); no inline event handler,
# no style attribute, no eval, no frame, no plugin. Images may be data: URIs (USWDS icons in the
# stylesheet, the TOTP QR code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_csp.SELF],
        "script-src": [_csp.SELF, _csp.NONCE],
        "style-src": [_csp.SELF, _csp.NONCE],
        "img-src": [_csp.SELF, "data:"],
        "font-src": [_csp.SELF],
        "connect-src": [_csp.SELF],
        "form-action": [_csp.SELF],
        "frame-ancestors": [_csp.NONE],
        "base-uri": [_csp.NONE],
        "object-src": [_csp.NONE],
    }
}
# The health checks answer over plain HTTP on each node (the proxy and the stack script ask them
# directly, before TLS): everything else is redirected to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if not DEMO:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: sent over https only, for this host only (no Domain), for every path.
    SESSION_COOKIE_NAME = "__Host-checkpoint-session"
    CSRF_COOKIE_NAME = "__Host-checkpoint-csrf"
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Federal (.gov) hosts are on the browsers' HSTS preload list already; the directive only
    # consents to it. SECURE_HSTS_PRELOAD=0 for a host that must not be preloaded.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Logging --------------------------------------------------------------------------------
# One JSON object a line on standard error (LOG_FORMAT=json, the default outside the demo): one
# line per request (ops.middleware) and per task (ops.task_logging), each with its request or task
# id. LOG_FORMAT=plain for people reading a console.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEMO else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT is 'json' or 'plain'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ops.logging.JsonFormatter"},
        "plain": {
            "()": "ops.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_tag)s%(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The request line of ops.middleware replaces Django's own (whose text holds the path, and a
    # path may hold an invitation or reset token); server errors are still logged, with the trace.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # WeasyPrint (the closeout record's PDF) logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# /readyz answers 503 when the beat's heartbeat is older than this (seconds); 0 does not check
# (the demo runs no beat).
READYZ_BEAT_MAX_AGE_SECONDS = env.int("READYZ_BEAT_MAX_AGE_SECONDS", default=0 if DEMO else 180)

# --- The program's rules --------------------------------------------------------------------
# The longest review window the program allows (docs/design.md: at most 30 days).
REVIEW_WINDOW_MAX_DAYS = 30
# The low-access notice (docs/reminders.md): when an assigned agency's effective access (access
# periods minus interruptions) is below ACCESS_LOW_THRESHOLD_DAYS with the sharing date at most
# ACCESS_LOW_NOTICE_DAYS away, the coordinators and that agency's supervisors are told, once, and
# the firm is told in neutral words that it may choose to move its sharing date.
ACCESS_LOW_THRESHOLD_DAYS = env.float("ACCESS_LOW_THRESHOLD_DAYS", default=10.0)
ACCESS_LOW_NOTICE_DAYS = env.int("ACCESS_LOW_NOTICE_DAYS", default=7)
if ACCESS_LOW_NOTICE_DAYS < 1:
    raise ImproperlyConfigured("ACCESS_LOW_NOTICE_DAYS is a number of days, at least 1.")
# Refused accesses to objects: the first by one person (or address) in a window of this many
# seconds is an audit event; the rest are counted and logged as one event when the window ends.
AUDIT_REFUSAL_WINDOW_SECONDS = env.int("AUDIT_REFUSAL_WINDOW_SECONDS", default=60)
# The audit chain's newest event (id and hash) is written to this file after every batch of
# appends, outside the database, so that verify_audit notices the newest rows removed (audit.head).
# Put it on another volume than the database, or sync it to write-once storage. Empty: not written.
AUDIT_HEAD_PATH = env.str("AUDIT_HEAD_PATH", default=str(BASE_DIR / "var" / "audit-head.json"))
# Reminders "N days before" a deadline go out on the morning of that day in America/New_York,
# at this hour (0-23), across daylight-saving changes. The daily digest goes out at the same hour.
REMINDER_SEND_HOUR = env.int("REMINDER_SEND_HOUR", default=8)
if not 0 <= REMINDER_SEND_HOUR <= 23:
    raise ImproperlyConfigured("REMINDER_SEND_HOUR is an hour of the day, 0 to 23.")

# --- REST API (docs/api.md) -----------------------------------------------------------------
# Personal access tokens expire after at most this many days (the person picks up to this).
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=90)
if API_TOKEN_MAX_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_MAX_DAYS is at least 1.")
# Requests per token (or per signed-in person) and per minute; throttling counts in the cache (Redis).
API_RATE_PER_MINUTE = env.int("API_RATE_PER_MINUTE", default=120)
# A repeated Idempotency-Key returns the first answer for this long.
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.authentication.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": f"{API_RATE_PER_MINUTE}/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Checkpoint API",
    "DESCRIPTION": (
        "REST API v1 of Checkpoint, the portal of the voluntary pre-deployment review of frontier AI "
        "models. Authenticate with a personal access token (`Authorization: Bearer cp_...`) created on "
        "the portal's API tokens page after a sign-in with your second factor. Objects you may not see "
        "answer 404 like missing ones; a refused action answers 409 with the rule's reason in `detail`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {"Visibility": "core.models.Visibility.choices"},
}
# Webhooks: the CA bundle that verifies receivers' certificates (empty: the system's), the timeout
# of one delivery attempt, and how many attempts a delivery gets before it is given up.
WEBHOOK_CA_BUNDLE = env.str("WEBHOOK_CA_BUNDLE", default="")
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# Webhooks go to public addresses only (never loopback, private or link-local ones such as a cloud's
# metadata service); a private deployment whose receivers are internal switches this on.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
