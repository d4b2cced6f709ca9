"""schemathesis, in process, against the live OpenAPI schema: every operation, with the tokens of a
liaison, a reviewer, a supervisor and a coordinator, answers no server error and nothing that
breaks the schema (statuses, content types, bodies). Examples are bounded to keep the run short."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 2  # per operation (each tried with every role's token)


def _schema() -> dict:
    generated = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, default=str))


schema = schemathesis.openapi.from_dict(_schema())
APP = get_wsgi_application()


@pytest.fixture(autouse=True)
def _documents_in_tmp():
    """This module's documents stay in the suite's document folder (portal/test_settings.py), not
    in a folder per test (tests/api/conftest.py): the case ``role_headers`` stores once is read by
    every example, and a document downloaded from another test's folder would be missing."""


@pytest.fixture(scope="module")
def role_headers(django_db_setup, django_db_blocker) -> Iterator[dict[str, dict[str, str]]]:
    """A Northwind case in review by DoD with a released finding, and a write token of each role."""
    from api.services import token_create
    from tests import builders

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                northwind = builders.make_firm("Northwind AI")
                alex = builders.make_liaison(northwind, is_admin=True, email="alex@northwind.test")
                reviewer = builders.make_agency_member("dod", role="reviewer", email="reviewer@dod.test")
                supervisor = builders.make_agency_member("dod", role="supervisor", email="supervisor@dod.test")
                coordinator = builders.make_coordinator(email="coordinator@checkpoint.test")
                case = builders.make_case(
                    alex, state="in_review", coordinator=coordinator, reviewers={supervisor: reviewer}
                )
                builders.released(case, reviewer, supervisor, visibility="firm")
                headers = {}
                for role, user in (
                    ("liaison", alex),
                    ("reviewer", reviewer),
                    ("supervisor", supervisor),
                    ("coordinator", coordinator),
                ):
                    _token, raw = token_create(actor=user, name="schemathesis", scope="write", days=1, passed_mfa=True)
                    headers[role] = {"Authorization": f"Bearer {raw}"}
            yield headers
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def in_process():
    """Keep the test's database connection across the app's requests, as Django's test client does
    (a finished request would otherwise close it, and the test's transaction with it)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_for_every_role(case, role_headers, unthrottled, in_process):
    for role, headers in role_headers.items():
        response = case.call(app=APP, headers=headers)
        case.validate_response(
            response,
            checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        )
        assert response.status_code != 401, f"{role}: the token was refused"
