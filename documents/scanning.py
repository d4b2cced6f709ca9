"""The virus-scanning hook: when CLAMAV_ADDRESS is set, every upload is streamed to clamd with its
INSTREAM command before it is accepted. The check fails closed: a scanner that cannot be reached,
times out or answers anything but "OK" refuses the upload.

CLAMAV_ADDRESS is ``host:port`` (``127.0.0.1:3310``, ``[::1]:3310``) or the path of clamd's unix
socket (``/run/clamav/clamd.ctl``, optionally written ``unix:/run/clamav/clamd.ctl``). clamd's
``StreamMaxLength`` must be at least DOCUMENT_MAX_UPLOAD_BYTES, or large files are refused.
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path

from django.conf import settings

from core.errors import DomainError

_CHUNK = 1024 * 1024
_REPLY_MAX = 4096


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("unix:"):
        address = address[len("unix:") :]
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except BaseException:
            sock.close()
            raise
        return sock
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise OSError(f"CLAMAV_ADDRESS {address!r} is neither host:port nor a socket path")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def _read_reply(sock: socket.socket) -> str:
    reply = b""
    while b"\0" not in reply and len(reply) < _REPLY_MAX:
        data = sock.recv(_REPLY_MAX)
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()


def clamd_instream(address: str, path: str | Path, *, timeout: float) -> str:
    """Send the file to clamd (INSTREAM: 4-byte big-endian lengths, then a zero length) and return
    its reply, e.g. ``stream: OK`` or ``stream: Eicar-Test-Signature FOUND``."""
    with _connect(address, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        try:
            with open(path, "rb") as handle:
                while block := handle.read(_CHUNK):
                    sock.sendall(struct.pack("!L", len(block)) + block)
            sock.sendall(struct.pack("!L", 0))
        except (BrokenPipeError, ConnectionResetError):
            # clamd stops reading when the stream passes its StreamMaxLength, and says why.
            return _read_reply(sock)
        return _read_reply(sock)


def scan_file(path: str | Path) -> None:
    """Refuse the file if the scanner finds something, or cannot say that it found nothing."""
    address = (getattr(settings, "CLAMAV_ADDRESS", "") or "").strip()
    if not address:
        return
    timeout = float(getattr(settings, "CLAMAV_TIMEOUT", 120.0))
    try:
        reply = clamd_instream(address, path, timeout=timeout)
    except OSError:
        raise DomainError(
            "The virus scanner could not be reached, so the file was not accepted. Try again later; "
            "if this goes on, tell the program office.",
            code="scanner_unavailable",
        ) from None
    if reply.endswith(" OK") or reply == "OK":
        return
    if reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream:").removesuffix(" FOUND").strip()[:120]
        raise DomainError(
            f"The virus scanner found {signature} in this file, so it was not accepted.", code="virus_found"
        )
    if "size limit exceeded" in reply.lower():
        raise DomainError(
            "The virus scanner refused a file this large, so it was not accepted. Ask the program office.",
            code="scanner_error",
        )
    raise DomainError(
        "The virus scanner could not scan this file, so it was not accepted. Try again later.",
        code="scanner_error",
    )
