"""PostgreSQL plans a statement the portal runs often once per connection, not on every request:
parameters are bound on the server and psycopg prepares a statement once it has run five times
(``DATABASE_PREPARED_STATEMENTS``, on by default; off for a pooler that cannot keep them)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from tests.accounts.test_settings_guard import PRODUCTION_ENV, run_python

OPTIONS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default'].get('OPTIONS', {}))"
)


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_statement_run_five_times_is_prepared_on_its_connection(alex):
    assert not any("accounts_user" in statement and "full_name" in statement for statement in prepared())
    for _ in range(6):
        assert User.objects.filter(pk=alex.pk).values_list("full_name", flat=True).get() == alex.full_name
    statements = [s for s in prepared() if "accounts_user" in s and "full_name" in s]
    assert len(statements) == 1
    assert "$1" in statements[0]  # its parameter bound on the server, not written into the text


def test_production_prepares_statements_unless_told_not_to():
    on = run_python(OPTIONS, **PRODUCTION_ENV)
    off = run_python(OPTIONS, **PRODUCTION_ENV, DATABASE_PREPARED_STATEMENTS="0")

    assert on.returncode == 0, on.stderr
    assert "'server_side_binding': True" in on.stdout
    assert "'prepare_threshold': 5" in on.stdout
    assert off.returncode == 0, off.stderr
    assert "server_side_binding" not in off.stdout
