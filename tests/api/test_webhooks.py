"""Signed webhooks to a firm, against a real local HTTPS receiver (a self-signed CA from trustme,
trusted through WEBHOOK_CA_BUNDLE): the signature verifies, a 500 is retried with backoff, a
delivery answered 2xx is never sent again, and the payload carries ids and the reference only."""

from __future__ import annotations

import datetime
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
import trustme
from django.utils import timezone

from api import webhooks
from api.models import DeliveryState, WebhookDelivery
from api.services import webhook_endpoint_add
from api.tasks import sweep_webhooks
from audit.models import AuditEvent
from tests import builders

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTPS server on 127.0.0.1 that records each POST and answers the next status of ``answers``."""

    def __init__(self, tmp_path):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1")
        self.ca_path = str(tmp_path / "ca.pem")
        ca.cert_pem.write_to_path(self.ca_path)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/hooks/checkpoint"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(tmp_path, settings):
    server = Receiver(tmp_path)
    settings.WEBHOOK_CA_BUNDLE = server.ca_path
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver listens on 127.0.0.1
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    yield server
    server.close()


@pytest.fixture
def endpoint(receiver, alex):
    endpoint, secret = webhook_endpoint_add(actor=alex, url=receiver.url, description="tracker")
    endpoint.plain_secret = secret
    return endpoint


def _release_to_firm(case, reviewer, supervisor, capture):
    with capture(execute=True):
        return builders.released(
            case, reviewer, supervisor, visibility="firm", title="Secret title", description="Secret text"
        )


def test_a_finding_released_to_the_firm_is_posted_signed_and_content_free(
    receiver, endpoint, case, dod_reviewer, dod_supervisor, django_capture_on_commit_callbacks
):
    finding = _release_to_firm(case, dod_reviewer, dod_supervisor, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    assert webhooks.verify(endpoint.plain_secret, sent["headers"]["X-Checkpoint-Signature"], sent["body"])
    assert not webhooks.verify("another-secret", sent["headers"]["X-Checkpoint-Signature"], sent["body"])
    assert not webhooks.verify(endpoint.plain_secret, sent["headers"]["X-Checkpoint-Signature"], sent["body"] + b" ")
    body = json.loads(sent["body"])
    assert body["type"] == "finding.released"
    assert body["case"] == {"id": case.pk, "reference": case.reference}
    assert body["finding"] == {"id": finding.pk}
    assert b"Secret" not in sent["body"]
    assert sent["headers"]["X-Checkpoint-Delivery"] == body["id"]
    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED


def test_a_release_within_the_government_is_not_sent(
    receiver, endpoint, case, dod_reviewer, dod_supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        builders.released(case, dod_reviewer, dod_supervisor, visibility="government")
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_500_is_retried_with_backoff_and_a_2xx_is_never_sent_again(
    receiver, endpoint, case, dod_reviewer, dod_supervisor, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    _release_to_firm(case, dod_reviewer, dod_supervisor, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.PENDING, 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    sweep_webhooks()  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(seconds=1)):
        sweep_webhooks()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.DELIVERED, 2, 200)
        # A sweep and a late task after the 2xx send nothing (a worker restarted, a second beat).
        sweep_webhooks()
        assert webhooks.deliver(delivery.pk) is None
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        sweep_webhooks()
    assert len(receiver.requests) == 2
    assert (
        receiver.requests[0]["headers"]["X-Checkpoint-Delivery"]
        == receiver.requests[1]["headers"]["X-Checkpoint-Delivery"]
    )


def test_an_unreachable_receiver_is_given_up_after_the_last_attempt(endpoint, case, settings, receiver):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [503, 503]
    delivery = webhooks.enqueue(endpoint=endpoint, event_id="evt_x", event_type="case.closed", payload={})
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(seconds=1)):
        webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 2)


def test_the_admin_registers_an_endpoint_and_sends_a_test_event(
    client_for, alex, receiver, django_capture_on_commit_callbacks
):
    client = client_for(alex)
    added = client.post("/webhooks/", {"url": receiver.url, "description": "tracker"})
    assert added.status_code == 200
    secret = added.context["new_secret"]
    endpoint = alex.firm_membership.firm.webhook_endpoints.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/webhooks/{endpoint.pk}/test/").status_code == 302
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["type"] == "ping"
    assert webhooks.verify(
        secret, receiver.requests[0]["headers"]["X-Checkpoint-Signature"], receiver.requests[0]["body"]
    )
    log = client.get(f"/webhooks/{endpoint.pk}/")
    assert b"Delivered" in log.content
    assert list(
        AuditEvent.objects.filter(action__startswith="webhook.").order_by("id").values_list("action", flat=True)
    ) == ["webhook.endpoint_added", "webhook.test_sent"]


def test_only_https_and_only_the_firms_admin(client_for, alex, sam, kim, endpoint):
    refused = client_for(alex).post("/webhooks/", {"url": "http://example.test/hook"})
    assert "https" in refused.content.decode()
    assert alex.firm_membership.firm.webhook_endpoints.count() == 1
    assert client_for(sam).get("/webhooks/").status_code == 403
    assert client_for(kim).get(f"/webhooks/{endpoint.pk}/").status_code == 404
    assert client_for(kim).post(f"/webhooks/{endpoint.pk}/remove/").status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.removed_at is None


def test_a_response_reminder_is_told_once_per_finding_not_per_liaison(
    receiver, endpoint, case, dod_reviewer, dod_supervisor, alex, sam, django_capture_on_commit_callbacks
):
    import uuid

    from notifications.models import Reminder

    finding = _release_to_firm(case, dod_reviewer, dod_supervisor, django_capture_on_commit_callbacks)
    receiver.requests.clear()
    deadline = builders.days(3)
    for liaison in (alex, sam):
        Reminder.objects.create(
            kind="response_due",
            target_id=finding.pk,
            case=case,
            recipient=liaison,
            threshold=-3,
            deadline=deadline,
            due_at=timezone.now(),
            claim_token=uuid.uuid4(),
        )
    sweep_webhooks()
    sweep_webhooks()  # a second beat, or the next minute: nothing more
    reminders = [json.loads(r["body"]) for r in receiver.requests]
    assert [r["type"] for r in reminders] == ["reminder.response_due"]
    assert reminders[0]["finding"] == {"id": finding.pk}
    assert reminders[0]["response_due"] == deadline.isoformat()


def test_an_address_inside_the_network_is_never_called(receiver, endpoint, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    delivery = webhooks.enqueue(endpoint=endpoint, event_id="evt_private", event_type="ping", payload={})
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert "not a public address" in delivery.last_error
    assert webhooks.address_refusal("https://169.254.169.254/latest/meta-data/")
