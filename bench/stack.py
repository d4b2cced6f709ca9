"""Benchmark of the production-shaped stack: the same pages through nginx with two web nodes, then
with one (the other stopped), printing requests per second and the 95th percentile latency.

    make stack                      # or: scripts/stack.sh up
    .venv/bin/python bench/stack.py [--seconds 20] [--threads 8]

A signed-in firm admin (made through the services in the stack's database, with a TOTP factor)
asks for the dashboard, the case list and a case page, round-robin, from ``--threads`` threads,
each with its own keep-alive TLS connection to nginx. Between the two runs web-b is stopped
(``scripts/stack.sh kill web-b``) and started again afterwards. The figures depend on the machine:
on a shared 2-core machine two nodes cannot do twice the work of one (gunicorn's workers and
PostgreSQL compete for the same cores); on separate machines they would.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import ssl
import statistics
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.stack_client import Visitor  # noqa: E402

STACK = ROOT / "scripts" / "stack.sh"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238: SHA-1, 30 s, 6 digits, base32 secret)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def stack_env() -> dict[str, str]:
    lines = subprocess.run([str(STACK), "env"], capture_output=True, text=True, check=True).stdout.splitlines()
    return {**os.environ, **dict(line.split("=", 1) for line in lines if "=" in line)}


def seed(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tests.ops.stack_seed", "people"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


def run(
    port: int, cert: Path, cookies: str, paths: list[str], seconds: float, threads: int
) -> tuple[float, float, int]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    context = ssl.create_default_context(cafile=str(cert))

    def worker(offset: int) -> None:
        conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=30)
        mine: list[float] = []
        i = offset
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookies, "Host": f"localhost:{port}"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=30)
            elapsed = time.perf_counter() - started
            if ok:
                mine.append(elapsed)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    duration = time.monotonic() - started
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) >= 20 else float("nan")
    return len(latencies) / duration, p95 * 1000, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()

    env = stack_env()
    port = int(env["SITE_URL"].rsplit(":", 1)[1])
    cert = Path(env["STATIC_ROOT"]).parent / "tls" / "cert.pem"
    people = seed(env)
    visitor = Visitor(https_port=port, certificate=cert, node_ports={})
    visitor.sign_in(people["email"], people["password"], lambda: totp_code(people["secret"]))
    cookies = "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())
    paths = ["/", "/cases/", f"/cases/{people['case']}/"]

    print(f"{options.threads} threads, {options.seconds:.0f} s each, pages {paths}")
    two = run(port, cert, cookies, paths, options.seconds, options.threads)
    print(f"two nodes through nginx: {two[0]:7.1f} req/s  p95 {two[1]:6.0f} ms  errors {two[2]}")
    subprocess.run([str(STACK), "kill", "web-b"], check=True)
    try:
        time.sleep(1)
        one = run(port, cert, cookies, paths, options.seconds, options.threads)
        print(f"one node through nginx:  {one[0]:7.1f} req/s  p95 {one[1]:6.0f} ms  errors {one[2]}")
    finally:
        subprocess.run([str(STACK), "start", "web-b"], check=True)


if __name__ == "__main__":
    main()
