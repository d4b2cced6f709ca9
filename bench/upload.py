"""Upload benchmark: a generated file (1 GiB by default) through the real upload view.

It starts gunicorn (one sync worker) on loopback with the test settings, signs a liaison in, and
uploads the file as a browser would (multipart POST with the CSRF token), then prints the
throughput, the serving worker's peak RSS (VmHWM, before and after), and the ratio of the upload's
throughput to ``sha256sum`` on the same file, measured in the same run. It checks that the stored
version's sha256 is the one sha256sum computed.

    .venv/bin/python bench/upload.py            # 1 GiB
    .venv/bin/python bench/upload.py --mib 256  # smaller

It uses its own database (cp_bench_documents, created and dropped; PostgreSQL on loopback as for
the tests) and its own folders under var/bench-upload-<pid>/, removed at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def vm_hwm_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def generate(path: Path, size: int) -> None:
    """A PDF-headed file of random bytes (incompressible, unique per run)."""
    block = os.urandom(MIB)
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.7\n")
        written = 9
        counter = 0
        while written < size:
            piece = (counter.to_bytes(8, "little") + block)[: min(MIB, size - written)]
            handle.write(piece)
            written += len(piece)
            counter += 1


def timed_sha256sum(path: Path) -> tuple[str, float, float]:
    """(digest, wall seconds, CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    output = subprocess.run(["sha256sum", str(path)], check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return output.split()[0], wall, cpu


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ensure_database(url: str, *, drop: bool = False) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if drop and exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        elif not drop and not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="size of the generated file in MiB (default 1024)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the folders")
    args = parser.parse_args()
    size = args.mib * MIB

    work = ROOT / "var" / f"bench-upload-{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cp_bench_documents"),
        "CACHE_KEY_PREFIX": "bench-documents",
        "DOCUMENT_STORAGE_ROOT": str(work / "store"),
        "DOCUMENT_UPLOAD_TEMP_DIR": str(work / "upload-tmp"),
        "DOCUMENT_MAX_UPLOAD_BYTES": str(max(size + MIB, 1024**3)),
        "CLAMAV_ADDRESS": "",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    work.mkdir(parents=True)
    ensure_database(env["DATABASE_URL"])
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        from accounts.models import User
        from cases.services import ai_model_register, case_create
        from documents.models import DocumentVersion
        from firms.services import firm_create, firm_membership_add
        from tests.builders import sign_in

        firm = firm_create(name=f"Bench Firm {os.getpid()}", actor=None)
        user = User.objects.create_user(email=f"bench{os.getpid()}@bench.test", password="bench-password-123")
        firm_membership_add(firm=firm, user=user, is_admin=True, actor=None)
        model = ai_model_register(actor=user, name="Bench model", version=str(os.getpid()))
        case = case_create(model=model, actor=user)
        from django.conf import settings

        session_cookie, csrf_cookie_name = settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME
        session = sign_in(Client(), user).cookies[session_cookie].value
        from django import db

        db.connections.close_all()

        data_file = work / "bench.pdf"
        print(f"Generating {args.mib} MiB file ...", flush=True)
        generate(data_file, size)
        timed_sha256sum(data_file)  # warm the page cache: both measurements read from memory
        expected_sha, sha_seconds, sha_cpu = timed_sha256sum(data_file)

        port = free_port()
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "900",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        path = f"/cases/{case.pk}/documents/new/"
        deadline = time.time() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
                conn.request("GET", path, headers={"Cookie": f"{session_cookie}={session}"})
                page = conn.getresponse()
                body = page.read().decode()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        assert page.status == 200, (page.status, body[:500])
        csrf_cookie = re.search(rf"{re.escape(csrf_cookie_name)}=([^;]+)", page.getheader("Set-Cookie")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        worker = children(server.pid)[0]
        hwm_before = vm_hwm_kib(worker)
        cpu_before = cpu_seconds(worker)

        boundary = "----checkpoint-bench-" + os.urandom(8).hex()
        fields = {
            "csrfmiddlewaretoken": token,
            "kind": "evaluation_report",
            "title": "Bench upload",
            "marking": "PROPRIETARY",
        }
        preamble = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        preamble += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        epilogue = f"\r\n--{boundary}--\r\n".encode()
        head = preamble.encode()
        length = len(head) + size + len(epilogue)

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        start = time.perf_counter()
        conn.putrequest("POST", path)
        for name, value in (
            ("Content-Type", f"multipart/form-data; boundary={boundary}"),
            ("Content-Length", str(length)),
            ("Cookie", f"{session_cookie}={session}; {csrf_cookie_name}={csrf_cookie}"),
            ("Accept", "application/json"),
            ("Origin", f"http://127.0.0.1:{port}"),
            ("Referer", f"http://127.0.0.1:{port}{path}"),
        ):
            conn.putheader(name, value)
        conn.endheaders()
        conn.sock.sendall(head)
        with open(data_file, "rb") as handle:
            conn.sock.sendfile(handle)
        conn.sock.sendall(epilogue)
        response = conn.getresponse()
        answer = response.read()
        seconds = time.perf_counter() - start
        hwm_after = vm_hwm_kib(worker)
        worker_cpu = cpu_seconds(worker) - cpu_before
        assert response.status == 200, (response.status, answer[:500])
        assert json.loads(answer)["ok"], answer

        version = DocumentVersion.objects.filter(document__case=case).latest("pk")
        assert version.sha256 == expected_sha, "the stored sha256 differs from sha256sum's"
        assert version.size == size

        upload_mbs = size / seconds / 1e6
        sha_mbs = size / sha_seconds / 1e6
        print(f"file:                 {size / MIB:.0f} MiB ({size} bytes), sha256 {expected_sha}")
        print(f"upload (view, gunicorn 1 sync worker, loopback): {seconds:.2f} s = {upload_mbs:.0f} MB/s")
        print(f"sha256sum, same file, same run:                  {sha_seconds:.2f} s = {sha_mbs:.0f} MB/s")
        print(f"ratio upload / sha256sum:                        {upload_mbs / sha_mbs:.2f}")
        print(
            f"CPU time: serving worker {worker_cpu:.2f} s ({size / worker_cpu / 1e6:.0f} MB/s of CPU), "
            f"sha256sum {sha_cpu:.2f} s ({size / sha_cpu / 1e6:.0f} MB/s of CPU); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(
            f"serving worker peak RSS (VmHWM):                 {hwm_after / 1024:.0f} MiB "
            f"(before the upload {hwm_before / 1024:.0f} MiB)"
        )
        print(f"stored version {version.pk}: {version.file.name}, sha256 matches sha256sum")
        return 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            from django import db

            db.connections.close_all()
            ensure_database(env["DATABASE_URL"], drop=True)


if __name__ == "__main__":
    sys.exit(main())
