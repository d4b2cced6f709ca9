"""One JSON line per request and per task; the request id in a header and on the 500 page; no
password, token or content in any line."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.urls import path

from ops.logging import JsonFormatter, RequestIdFilter
from tests import builders


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", _broken)]


@pytest.fixture
def json_lines():
    """Every line the portal logs meanwhile, as the production handler formats it."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def _requests(lines):
    return [json.loads(line) for line in lines if json.loads(line)["message"] == "request"]


def test_one_json_line_per_request_with_id_user_route_status_duration_queries(client_for, alex, json_lines):
    case = builders.make_case(alex, state="submitted")
    response = client_for(alex).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    [line] = _requests(json_lines)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == alex.pk
    assert line["route"] == "/cases/<int:pk>/"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["queries"] > 0
    assert line["duration_ms"] >= 0


def test_a_proxy_request_id_is_kept_and_a_strange_one_replaced(client, db):
    kept = client.get("/healthz", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    assert kept["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    replaced = client.get("/healthz", headers={"X-Request-ID": 'evil" line\nbreak'})
    assert replaced["X-Request-ID"] != 'evil" line\nbreak'
    assert len(replaced["X-Request-ID"]) == 32


def test_no_password_or_token_in_the_logs(client, alex, json_lines):
    client.post("/accounts/login/", {"login": alex.email, "password": "a-very-secret-password-42"})
    client.get("/invitations/accept/tok3n-that-must-not-be-logged/")
    text = "\n".join(json_lines)
    assert "a-very-secret-password-42" not in text
    assert "tok3n-that-must-not-be-logged" not in text
    assert len(_requests(json_lines)) == 2


@pytest.mark.urls("tests.ops.test_logging")
def test_the_500_page_names_the_request_id(db, json_lines):
    from portal import urls as portal_urls

    globals()["handler500"] = portal_urls.handler500
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert request_id in page
    assert "Something went wrong" in page
    assert "boom" not in page
    [line] = _requests(json_lines)
    assert line["status"] == 500
    assert line["request_id"] == request_id
    # the trace is logged with the same id
    errors = [json.loads(x) for x in json_lines if json.loads(x)["level"] == "ERROR"]
    assert errors
    assert errors[0]["request_id"] == request_id
    assert "RuntimeError" in errors[0]["exception"]


def test_one_json_line_per_task_with_its_id_and_case(db, alex, json_lines):
    from ops.task_logging import _postrun, _prerun

    case = builders.make_case(alex, state="submitted")

    class Task:
        name = "cases.tasks.example"

    _prerun(task_id="task-123")
    _postrun(task_id="task-123", task=Task(), args=(), kwargs={"case_id": case.pk}, state="SUCCESS")
    [line] = [json.loads(x) for x in json_lines if json.loads(x)["message"] == "task"]
    assert line["task_id"] == "task-123"
    assert line["case"] == case.reference
    assert line["state"] == "SUCCESS"
