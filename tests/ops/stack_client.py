"""A scripted visitor of the stack: cookies kept across requests, no redirect followed, and every
request sent either through nginx (https, the stack's certificate) or straight to one web node
(http, with the headers nginx adds), so that a test chooses which node answers."""

from __future__ import annotations

import dataclasses
import http.client
import re
import ssl
import time
import uuid
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclasses.dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Visitor:
    def __init__(self, *, https_port: int, certificate: Path, node_ports: dict[str, int]) -> None:
        self.https_port = https_port
        self.context = ssl.create_default_context(cafile=str(certificate))
        self.node_ports = node_ports
        self.host = f"localhost:{https_port}"
        self.origin = f"https://{self.host}"
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        via: str = "nginx",
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Response:
        headers = {"Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers |= {"Content-Type": content_type or "", "Origin": self.origin, "Referer": f"{self.origin}{path}"}
        if via == "nginx":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "localhost", self.https_port, context=self.context, timeout=60
            )
        else:  # straight to a node, as nginx would send it
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
            conn = http.client.HTTPConnection("127.0.0.1", self.node_ports[via], timeout=60)
        try:
            conn.request(method, path, body, headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, *, via: str = "nginx") -> Response:
        return self.request("GET", path, via=via)

    def csrf(self, path: str, *, via: str = "nginx") -> str:
        page = self.get(path, via=via)
        assert page.status == 200, (path, page.status)
        return CSRF_FIELD.search(page.text)[1]

    def post(self, path: str, form: dict[str, str], *, via: str = "nginx") -> Response:
        """Submits the form of the page at ``path`` (fetched just before, on the same node)."""
        data = {"csrfmiddlewaretoken": self.csrf(path, via=via), **form}
        return self.request(
            "POST",
            path,
            via=via,
            body=urlencode(data, doseq=True).encode(),
            content_type="application/x-www-form-urlencoded",
        )

    def post_file(self, path: str, form: dict[str, str], filename: str, content: bytes, *, via: str) -> Response:
        boundary = uuid.uuid4().hex
        fields = {"csrfmiddlewaretoken": self.csrf(path, via=via), **form}
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, via=via, body=b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
        )

    def sign_in(self, email: str, password: str, code: Callable[[], str]) -> None:
        """The real flow: password, then the authenticator's code of the moment (``code()``). A code
        is good for its 30-second period only: on a busy machine the period may end between
        reading the code and the server checking it, so a refused code is tried again with the
        next period's (never the same code twice: that is refused as a replay)."""
        response = self.post("/accounts/login/", {"login": email, "password": password})
        assert (response.status, response.headers["Location"]) == (302, "/accounts/2fa/authenticate/")
        for _ in range(2):
            token = self.csrf("/accounts/2fa/authenticate/")
            if 30 - time.time() % 30 < 5:  # too close to the end of the period
                time.sleep(30 - time.time() % 30 + 0.5)
            response = self.request(
                "POST",
                "/accounts/2fa/authenticate/",
                body=urlencode({"csrfmiddlewaretoken": token, "code": code()}).encode(),
                content_type="application/x-www-form-urlencoded",
            )
            if response.status == 302:
                break
            time.sleep(30 - time.time() % 30 + 0.5)
        assert (response.status, response.headers["Location"]) == (302, "/")
