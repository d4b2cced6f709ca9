"""The settings refuse to start without two-factor authentication outside the demo, and pass
``manage.py check --deploy`` with production's environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FERNET_KEY = "OEODccaWMVLK_TcdKlYf6CpjHD1Dn4JofdBZ-Ia4B9M="
# What production sets (README, "Settings"); nothing is read from the developer's shell.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "checkpoint.example.gov",
    "DATABASE_URL": "postgres://checkpoint@db.internal:5432/checkpoint",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "MFA_ENCRYPTION_KEY": FERNET_KEY,
    "EMAIL_URL": "smtp+tls://mailer@smtp.internal:587",
}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120
    )


SETUP = "import django; django.setup(); from django.conf import settings; print(settings.CHECKPOINT_REQUIRE_MFA)"


def test_production_settings_start_with_mfa_required():
    result = run_python(SETUP, **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize("debug", ["0", "1"])
def test_switching_mfa_off_outside_the_demo_refuses_to_start(debug):
    result = run_python(SETUP, **{**PRODUCTION_ENV, "DEBUG": debug, "CHECKPOINT_REQUIRE_MFA": "0"})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CHECKPOINT_REQUIRE_MFA" in result.stderr


def test_the_demo_keeps_mfa_optional_so_its_logins_work_with_a_password():
    result = run_python(SETUP, DJANGO_SETTINGS_MODULE="portal.settings", CHECKPOINT_DEMO="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_demo_can_require_mfa():
    result = run_python(
        SETUP, DJANGO_SETTINGS_MODULE="portal.settings", CHECKPOINT_DEMO="1", CHECKPOINT_REQUIRE_MFA="1"
    )

    assert result.stdout.strip() == "True"


def test_a_demo_with_debug_off_may_not_switch_mfa_off():
    result = run_python(
        SETUP, DJANGO_SETTINGS_MODULE="portal.settings", CHECKPOINT_DEMO="1", DEBUG="0", CHECKPOINT_REQUIRE_MFA="0"
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_needs_an_mfa_encryption_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "MFA_ENCRYPTION_KEY"}

    result = run_python(SETUP, **env)

    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEY is not set" in result.stderr


def test_a_malformed_mfa_encryption_key_refuses_to_start():
    result = run_python(SETUP, **{**PRODUCTION_ENV, "MFA_ENCRYPTION_KEY": "not-a-fernet-key"})

    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEY is not a Fernet key" in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_secure_and_sessions_bounded():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_AGE, "
        "s.SESSION_IDLE_TIMEOUT_SECONDS, s.CACHES['default']['BACKEND'], s.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN)"
    )

    result = run_python(code, **PRODUCTION_ENV)

    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "43200",
        "1800",
        "django.core.cache.backends.redis.RedisCache",
        "False",
    ]
