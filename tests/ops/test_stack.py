"""The production-shaped stack (scripts/stack.sh), started once for this module on free loopback
ports with a database of its own: nginx in front of two gunicorn nodes, two Celery workers and a
beat, Redis, moto's S3 server and an SMTP sink, with production settings (MFA enforced).

It proves the web nodes stateless (a session alternating nodes, a document uploaded through one
node and downloaded through the other, a node killed while a scripted user works loses nothing),
a killed worker's reminders delivered once by the other, and /readyz turning unhealthy when Redis
or the object store stops."""

from __future__ import annotations

import copy
import dataclasses
import email
import hashlib
import json
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import pdf_bytes, totp_code
from tests.ops.stack_client import Visitor

pytestmark = [pytest.mark.stack, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "stack.sh"
PYTHON = ROOT / ".venv" / "bin" / "python"
MESSAGE_START = "---------- MESSAGE FOLLOWS ----------"
MESSAGE_END = "------------ END MESSAGE ------------"
CREATE_BUCKET = (
    "import boto3, os; boto3.client('s3', endpoint_url=os.environ['DOCUMENT_S3_ENDPOINT_URL'], "
    "region_name='us-east-1').create_bucket(Bucket=os.environ['DOCUMENT_S3_BUCKET'])"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class Stack:
    directory: Path
    env: dict[str, str]
    ports: dict[str, int]

    def script(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    @property
    def portal_env(self) -> dict[str, str]:
        lines = self.script("env").stdout.splitlines()
        return {**self.env, **dict(line.split("=", 1) for line in lines if "=" in line)}

    def python(self, *args: str) -> str:
        done = subprocess.run(
            [str(PYTHON), *args], cwd=ROOT, env=self.portal_env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def try_python(self, *args: str) -> bool:
        done = subprocess.run([str(PYTHON), *args], cwd=ROOT, env=self.portal_env, capture_output=True, timeout=120)
        return done.returncode == 0

    def seed(self, what: str) -> dict:
        return json.loads(self.python("-m", "tests.ops.stack_seed", what).splitlines()[-1])

    def sql(self, query: str) -> str:
        database = self.env["STACK_DATABASE"]
        return subprocess.run(
            ["psql", f"postgres://postgres@127.0.0.1:5432/{database}", "-tAc", query],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def emails(self) -> list[email.message.Message]:
        log = (self.directory / "logs" / "smtp.log").read_text(errors="replace")
        bodies = re.findall(re.escape(MESSAGE_START) + r"\n(.*?)\n" + re.escape(MESSAGE_END), log, re.S)
        return [email.message_from_string(body) for body in bodies]

    def logs(self) -> str:
        parts = []
        for log in sorted((self.directory / "logs").glob("*.log")):
            parts.append(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(parts)

    def wait(self, what: str, condition, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {seconds} s\n{self.logs()}")
            time.sleep(0.25)


def ready(visitor: Visitor, via: str) -> bool:
    try:
        return visitor.get("/readyz", via=via).status == 200
    except OSError:  # the node is not listening yet
        return False


def readiness_of(visitor: Visitor, check_name: str) -> str:
    try:
        return json.loads(visitor.get("/readyz", via="a").body)["checks"][check_name]
    except (OSError, ValueError):
        return "unavailable"


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("stack")
    ports = {
        name: free_port() for name in ("STACK_HTTPS_PORT", "STACK_WEB_PORT_A", "STACK_WEB_PORT_B", "STACK_REDIS_PORT")
    }
    ports |= {name: free_port() for name in ("STACK_S3_PORT", "STACK_SMTP_PORT")}
    env = {
        **{key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ},
        "STACK_DIR": str(directory),
        "STACK_DATABASE": f"checkpoint_stack_test_{os.getpid()}",
        "STACK_COORDINATOR_EMAIL": "first@checkpoint.test",
        **{name: str(port) for name, port in ports.items()},
    }
    stack = Stack(directory, env, ports)
    started = time.monotonic()
    up = stack.script("up")
    if up.returncode != 0:
        stack.script("down")
        pytest.fail(f"scripts/stack.sh up failed:\n{up.stderr}\n{stack.logs()}")
    print(f"stack up in {time.monotonic() - started:.1f} s\n{up.stderr}")
    try:
        yield stack
    finally:
        stack.script("down")
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", env["STACK_DATABASE"]], check=False
        )


@pytest.fixture(scope="module")
def people(stack) -> dict:
    return stack.seed("people")


@pytest.fixture(scope="module")
def visitor(stack, people) -> Visitor:
    visitor = Visitor(
        https_port=stack.ports["STACK_HTTPS_PORT"],
        certificate=stack.directory / "tls" / "cert.pem",
        node_ports={"a": stack.ports["STACK_WEB_PORT_A"], "b": stack.ports["STACK_WEB_PORT_B"]},
    )
    visitor.sign_in(people["email"], people["password"], lambda: totp_code(people["secret"]))
    return visitor


def test_up_started_every_process_and_printed_the_first_sign_in_link(stack, visitor):
    status = stack.script("status")
    assert status.returncode == 0, status.stdout
    for name in ("redis", "s3", "smtp", "web-a", "web-b", "worker-1", "worker-2", "beat", "nginx"):
        assert re.search(rf"^{name}\s+running", status.stdout, re.M), status.stdout
    link = (stack.directory / "coordinator-link.txt").read_text()
    assert f"https://localhost:{stack.ports['STACK_HTTPS_PORT']}/accounts/password/reset/key/" in link
    ready = visitor.get("/readyz")
    assert ready.status == 200
    assert json.loads(ready.body)["checks"] == dict.fromkeys(
        ("database", "migrations", "redis", "storage", "beat"), "ok"
    )


def test_production_settings_through_nginx(visitor):
    page = visitor.get("/")
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "'nonce-" in page.headers["Content-Security-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])  # nginx's $request_id, kept
    assert "__Host-checkpoint-session" in visitor.cookies
    assert "nginx/" not in page.headers.get("Server", "")  # no version


def test_a_session_keeps_working_when_requests_alternate_between_nodes(visitor):
    for via in ("a", "b", "a", "b", "nginx", "nginx"):
        page = visitor.get("/", via=via)
        assert page.status == 200, via
        assert "<h1>Dashboard</h1>" in page.text or "Dashboard" in page.text


def test_a_document_uploaded_through_node_a_downloads_through_node_b(stack, visitor, people):
    content = pdf_bytes("uploaded through node A")
    response = visitor.post_file(
        f"/cases/{people['case']}/documents/new/",
        {"kind": "evaluation_report", "title": "Evaluation through node A", "marking": "PROPRIETARY"},
        "evaluation.pdf",
        content,
        via="a",
    )
    assert response.status == 302, response.text[:2000]
    document = int(re.search(r"/documents/(\d+)/", response.headers["Location"])[1])
    download = visitor.get(f"/documents/{document}/versions/1/download/", via="b")
    assert download.status == 200
    assert download.body == content
    stored = stack.sql(f"SELECT sha256 FROM documents_documentversion WHERE document_id = {document}")
    assert stored == hashlib.sha256(content).hexdigest()


def test_killing_a_node_while_a_person_works_loses_no_request_and_no_data(stack, visitor):
    # A second tab of the same person reads pages without pause the whole time, in its own thread:
    # the node is killed under its requests, not between them.
    reader = copy.copy(visitor)
    reader.cookies = dict(visitor.cookies)
    read: list[object] = []
    stop = threading.Event()

    def read_pages() -> None:
        while not stop.is_set():
            for path in ("/", "/cases/"):
                try:
                    read.append(reader.get(path).status)
                except OSError as error:  # nginx itself refused: a lost request
                    read.append(repr(error))

    thread = threading.Thread(target=read_pages)
    thread.start()
    answers = []
    try:
        for i in range(24):
            if i == 8:
                assert stack.script("kill", "web-a").returncode == 0
            answers.append(visitor.get("/").status)
            response = visitor.post("/cases/models/new/", {"name": f"Failover {i}", "version": "1"})
            answers.append(response.status)
    finally:
        stop.set()
        thread.join()
    assert answers == [200, 302] * 24
    assert len(read) > 10
    assert set(read) == {200}, [answer for answer in read if answer != 200]
    names = stack.sql("SELECT name FROM cases_aimodel WHERE name LIKE 'Failover %' ORDER BY id").splitlines()
    assert names == [f"Failover {i}" for i in range(24)]  # each once, none lost
    stack.script("start", "web-a")
    stack.wait("node A back", lambda: ready(visitor, "a"), 60)


def test_a_killed_workers_notices_and_reminders_are_delivered_once_by_the_other(stack, visitor, people):
    assert stack.script("kill", "worker-1").returncode == 0
    response = visitor.post(f"/cases/{people['case']}/submit/", {})
    assert response.status == 302
    reminder = stack.seed("reminder")

    def to(address: str, reference: str) -> list[email.message.Message]:
        return [m for m in stack.emails() if address in m["To"] and reference in m.as_string()]

    # The submission's notice, and the window's reminders at the next sweeps (run now, twice).
    stack.python(
        "-c",
        "import django; django.setup(); from notifications.tasks import sweep_reminders as s; s.delay(); s.delay()",
    )
    stack.wait("the notice to the coordinator", lambda: to(people["coordinator"], people["reference"]), 30)
    member = reminder["agency_members"][0]
    stack.wait("the window reminder", lambda: to(member, reminder["reference"]), 30)
    stack.python("-c", "import django; django.setup(); from notifications.tasks import sweep_reminders as s; s.delay()")
    time.sleep(2)  # what a duplicate would need to arrive
    for address, reference in ((people["coordinator"], people["reference"]), (member, reminder["reference"])):
        subjects = [m["Subject"] for m in to(address, reference)]
        assert len(subjects) == len(set(subjects)), subjects
    worker_log = (stack.directory / "logs" / "worker-2.log").read_text()
    assert '"task":"notifications.tasks.deliver_event"' in worker_log
    assert f'"case":"{people["reference"]}"' in worker_log
    stack.script("start", "worker-1")


def test_readyz_turns_unhealthy_when_redis_or_the_object_store_stops(stack, visitor):
    for name, check_name in (("s3", "storage"), ("redis", "redis")):
        assert stack.script("kill", name).returncode == 0
        answer = visitor.get("/readyz", via="a")
        assert answer.status == 503
        assert json.loads(answer.body)["checks"][check_name] == "unavailable"
        stack.script("start", name)
        if name == "s3":
            # moto keeps its buckets in memory: the operator's object store would not lose them
            stack.wait("the S3 server back", lambda: stack.try_python("-c", CREATE_BUCKET), 30)
        # Back as soon as the check passes again (the beat's next heartbeat may take 10 s more).
        stack.wait(f"{name} back", lambda: readiness_of(visitor, check_name) == "ok", 60)  # noqa: B023
