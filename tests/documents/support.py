"""Helpers for the document tests: sample files of every allowed type (and of hostile ones), a fake
clamd, and ``Ledger.assert_nothing_kept``: a refusal left no row, no stored file and no temp file,
and was recorded in the audit log. Cases and plain PDFs come from tests/builders.py."""

from __future__ import annotations

import io
import itertools
import socketserver
import struct
import threading
import warnings
import zipfile
import zlib
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


# --- archives that tools would read differently, and ZIP bombs ------------------------------------


def _headers(data: bytes) -> list[tuple[int, int]]:
    """(local header offset, central-directory record offset) of each entry, in order."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    records, position = [], archive.start_dir
    for _info in archive.infolist():
        records.append(position)
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[position + 28 : position + 34])
        position += 46 + name_len + extra_len + comment_len
    return [(info.header_offset, record) for info, record in zip(archive.infolist(), records, strict=True)]


def patch_zip(data: bytes, *, entry: int = 0, local: dict[int, bytes] | None = None, central=None) -> bytes:
    """``data`` with bytes written at offsets of one entry's local header and central record."""
    patched = bytearray(data)
    local_at, central_at = _headers(data)[entry]
    for offset, value in (local or {}).items():
        patched[local_at + offset : local_at + offset + len(value)] = value
    for offset, value in (central or {}).items():
        patched[central_at + offset : central_at + offset + len(value)] = value
    return bytes(patched)


def zeros_zip(size: int, name: str = "zeros.bin") -> bytes:
    """A ZIP bomb: ``size`` zero bytes, deflated (written in blocks, so memory stays small)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as entry:
        block = b"\0" * (1024 * 1024)
        for start in range(0, size, len(block)):
            entry.write(block[: size - start])
    return buffer.getvalue()


def lying_headers_zip(size: int, declared: int = 10) -> bytes:
    """A bomb whose local header and central record agree on a small uncompressed size."""
    value = struct.pack("<I", declared)
    return patch_zip(zeros_zip(size), local={22: value}, central={24: value})


def zip_with_renamed_entry(entries: dict[str, bytes], placeholder: str, name: bytes) -> bytes:
    """A ZIP whose entry names have ``placeholder`` replaced by ``name`` (same length), in both headers."""
    return zip_bytes(entries).replace(placeholder.encode(), name)


def duplicate_names_zip() -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")
        archive.writestr("report.txt", b"what the checks see")
        archive.writestr("report.txt", b"what an unzip tool writes last")
    return buffer.getvalue()


def overlapping_entries_zip() -> bytes:
    """The first entry's data, by both its headers, runs into the second entry's header."""
    data = zip_bytes({"a.txt": b"a" * 100, "b.txt": b"b" * 100}, compression=zipfile.ZIP_STORED)
    size = struct.pack("<I", 160)
    return patch_zip(data, local={18: size, 22: size}, central={20: size, 24: size})


def concatenated_zips() -> bytes:
    """Two archives end to end: the directory at the end lists only the second one's entry."""
    return zip_bytes({"hidden/payload.txt": b"not listed"}) + zip_bytes({"listed.txt": b"listed"})


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


# --- active content in Office and PDF files --------------------------------------------

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def content_types(*overrides: tuple[str, str]) -> bytes:
    parts = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f"{parts}</Types>"
    ).encode()


def relationships(*entries: tuple[str, str, str]) -> bytes:
    """(type's last word, target, target mode) of each relationship."""
    items = "".join(
        f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"'
        f' Target="{target}"' + (f' TargetMode="{mode}"' if mode else "") + "/>"
        for n, (kind, target, mode) in enumerate(entries, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}</Relationships>'
    ).encode()


def docx_bytes(*, main_type: str = WORD_MAIN, parts: dict[str, bytes] | None = None, rels: bytes = b"") -> bytes:
    """A Word package: content types, the main part, and ``rels`` as the main part's relationships."""
    entries = {
        "[Content_Types].xml": content_types(("/word/document.xml", main_type)),
        "_rels/.rels": relationships(("officeDocument", "word/document.xml", "")),
        "word/document.xml": f"<w:document n='{next(_counter)}'/>".encode(),
        **(parts or {}),
    }
    if rels:
        entries["word/_rels/document.xml.rels"] = rels
    return zip_bytes(entries)


def ole_bytes(*directory_names: str, text: bytes = b"") -> bytes:
    """A compound-file header, one directory sector with a stream entry per name, then ``text``."""
    sector = bytearray(512)
    for index, name in enumerate(directory_names):
        encoded = name.encode("utf-16-le") + b"\0\0"
        entry = encoded.ljust(64, b"\0") + struct.pack("<HB", len(encoded), 2)
        sector[index * 128 : index * 128 + len(entry)] = entry
    return OLE_HEADER + b"\0" * 504 + bytes(sector) + text


def pdf_with(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A small PDF holding ``objects`` (numbered from 2) after its catalog."""
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, obj) for n, obj in enumerate(objects, 2))
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /OpenAction 2 0 R >>\nendobj\n"
        + body
        + f"% sample {next(_counter)}\n".encode()
        + b"trailer\n<< /Root 1 0 R "
        + trailer
        + b" >>\n%%EOF\n"
    )


def object_stream(content: bytes, *, filters: bytes = b"/FlateDecode") -> bytes:
    data = zlib.compress(content) if filters == b"/FlateDecode" else content.hex().encode() + b">"
    return b"<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %d >>\nstream\n%s\nendstream" % (
        filters,
        len(data),
        data,
    )
