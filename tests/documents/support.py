"""Helpers for the document tests: sample files of every allowed type (and of hostile ones), a fake
clamd, and ``Ledger.assert_nothing_kept``: a refusal left no row, no stored file and no temp file,
and was recorded in the audit log. Cases and plain PDFs come from tests/builders.py."""

from __future__ import annotations

import io
import itertools
import socketserver
import struct
import threading
import zipfile
from pathlib import Path

from audit.models import AuditEvent
from tests.assertions import changed_tables, database_digest

_counter = itertools.count(1)


# --- sample files -----------------------------------------------------------------------------


def zip_bytes(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ooxml_bytes(folder: str = "word/", main: str = "document.xml") -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/"/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            f"{folder}{main}": f"<?xml version='1.0'?><doc n='{next(_counter)}'/>".encode(),
        }
    )


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
HTML_BYTES = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG_HTML_POLYGLOT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><foreignObject><html><body>'
    b"<script>fetch('/documents/')</script></body></html></foreignObject></svg>\n"
)
# The EICAR test string, assembled so that this source file itself is not flagged by scanners.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def nested_zip(depth: int) -> bytes:
    data = b"innermost"
    for level in range(depth):
        data = zip_bytes({f"level{level}.zip" if level else "readme.txt": data})
    return data


def zip_with_patched_central_directory(entries: dict[str, bytes], *, offset: int, value: bytes) -> bytes:
    """A ZIP whose first central-directory record has ``value`` written at ``offset`` (a lying size
    at 24, the general-purpose flags at 8)."""
    data = bytearray(zip_bytes(entries))
    start = data.index(b"PK\x01\x02")
    data[start + offset : start + offset + len(value)] = value
    return bytes(data)


def zip_with_symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("notes/link")
        info.create_system = 3
        info.external_attr = (0o120777 << 16) & 0xFFFF0000
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def lying_size_zip() -> bytes:
    return zip_with_patched_central_directory({"big.txt": b"A" * 100_000}, offset=24, value=struct.pack("<I", 10))


def encrypted_flag_zip() -> bytes:
    return zip_with_patched_central_directory({"secret.txt": b"secret"}, offset=8, value=struct.pack("<H", 1))


# --- what a refusal leaves --------------------------------------------------------------------


def files_under(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


class Ledger:
    """What exists before an upload, to show afterwards that a refusal kept nothing: no row of any
    table (tests/assertions.py's digest, which leaves the record of the refusal out), no stored
    file, no temp file."""

    def __init__(self, store: Path, temp: Path) -> None:
        self.store, self.temp = store, temp
        self.digest = database_digest()
        self.files = files_under(store)
        self.last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new_events(self, action: str | None = None) -> list[AuditEvent]:
        events = AuditEvent.objects.filter(id__gt=self.last_event).order_by("id")
        return list(events.filter(action=action) if action else events)

    def assert_nothing_kept(self, *, code: str | None = None) -> AuditEvent | None:
        changed = changed_tables(self.digest, database_digest())
        assert not changed, f"the refused upload changed rows of {changed}"
        assert files_under(self.store) == self.files, "a file was left in the storage"
        assert files_under(self.temp) == [], "a temp file was left behind"
        if code is None:
            return None
        refusals = self.new_events("document.upload_refused")
        assert [event.data["code"] for event in refusals] == [code], f"expected one refusal {code!r}: {refusals}"
        return refusals[0]


# --- a fake clamd ----------------------------------------------------------------------------


class _FakeClamd(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM: answers FOUND when the stream holds the EICAR string."""

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.request.recv(size - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self._read(1)
        assert command == b"zINSTREAM\0", command
        seen = b""
        while True:
            (length,) = struct.unpack("!L", self._read(4))
            if length == 0:
                break
            seen += self._read(length)
        self.server.scanned.append(len(seen))  # type: ignore[attr-defined]
        reply = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in seen else b"stream: OK\0"
        self.request.sendall(reply)


class FakeClamd:
    def __init__(self) -> None:
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeClamd)
        self.server.daemon_threads = True
        self.server.scanned = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    @property
    def scanned(self) -> list[int]:
        return self.server.scanned  # type: ignore[attr-defined]

    def __enter__(self) -> FakeClamd:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def unused_port_address() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"127.0.0.1:{port}"
