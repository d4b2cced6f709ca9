"""Active content inside Office and PDF files: what runs, or loads something from elsewhere,
when a reviewer opens a downloaded file on their own computer. The portal never renders these files
(they are served as attachments with ``nosniff`` and ``Content-Security-Policy: sandbox``); these
checks protect the reader's machine, and refuse only what ordinary documents do not carry.

- Office Open XML (``.docx .xlsx .pptx``): macros (a VBA project, a macro-enabled content type, an
  Excel 4.0 macro sheet: what a ``.docm``/``.xlsm``/``.pptm`` holds under an allowed name); and
  external relationships that load an OLE object or a frame from the network when the document
  opens (CVE-2021-40444) or call a protocol handler (``ms-msdt:``, ``mhtml:``, ... CVE-2022-30190).
- Word/Excel/PowerPoint 97-2003 (``.doc .xls .ppt``): a VBA project in the compound file.
- PDF: JavaScript and Launch actions (``/S /JavaScript``, ``/S /Launch``), in the file's own syntax,
  with ``#xx``-escaped names, and inside Flate-compressed object streams.

Each check is a tripwire for the usual carriers, not a parser that a file built to evade it cannot
pass; docs/documents.md says what is left to the virus scanner and to the readers' settings.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.parsers import expat

from core.errors import DomainError

CHUNK = 1024 * 1024
CODE = "active_content"


def _refuse(message: str) -> DomainError:
    return DomainError(message, code=CODE)


# --- Office Open XML ----------------------------------------------------------------------------------

# Parts that only a macro-enabled package holds.
_MACRO_PARTS = re.compile(r"(?:^|/)(?:vbaProject\.bin|vbaProjectSignature\.bin|vbaData\.xml)$|^xl/macrosheets/", re.I)
# Content types and relationship types of macros.
_MACRO_TYPES = re.compile(r"macroEnabled|vbaProject|macrosheet", re.I)
# External relationships of these types are fetched when the document opens.
_LOADED_ON_OPEN = ("/oleobject", "/frame", "/subdocument")
# Schemes an ordinary document links to; anything else is a protocol handler (ms-msdt:, mhtml:, ...).
_ORDINARY_SCHEMES = {"http", "https", "mailto", "file", "ftp", "tel"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def check_ooxml(path: Path, label: str) -> None:
    """Refuse macros and external content loaded on open in an Office Open XML package (already
    checked against the archive rules, so reading its parts is bounded)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if _MACRO_PARTS.search(info.filename):
                raise _macro_refusal(label, info.filename)
        for info in archive.infolist():
            name = info.filename
            if name == "[Content_Types].xml" or name.endswith(".rels"):
                _parse_xml_part(
                    archive,
                    info,
                    label,
                    lambda element, attributes, part=name: _check_package_element(label, part, element, attributes),
                )


def _macro_refusal(label: str, part: str) -> DomainError:
    return _refuse(
        f"The {label} contains macros ({part[:80]!r}), as a macro-enabled file (.docm, .xlsm, .pptm) does. "
        "Macros are not accepted: save it again as a document without macros, or as a PDF."
    )


def _check_package_element(label: str, part: str, element: str, attributes: dict[str, str]) -> None:
    local = element.rsplit(" ", 1)[-1]
    if local in ("Default", "Override") and _MACRO_TYPES.search(attributes.get("ContentType", "")):
        raise _macro_refusal(label, f"{part}: {attributes['ContentType']}")
    if local != "Relationship":
        return
    kind = attributes.get("Type", "")
    target = attributes.get("Target", "")
    if _MACRO_TYPES.search(kind):
        raise _macro_refusal(label, f"{part}: {target or kind}")
    if attributes.get("TargetMode", "").strip().lower() != "external":
        return
    normalized = "".join(ch for ch in target if ch > " ").lower()
    match = _SCHEME.match(normalized)
    scheme = match.group(1) if match and len(match.group(1)) > 1 else ""  # "c:" is a drive letter
    loaded = kind.lower().endswith(_LOADED_ON_OPEN)
    if (scheme and scheme not in _ORDINARY_SCHEMES) or (loaded and scheme not in ("", "file")):
        raise _refuse(
            f"The {label} links to external content that Office would load or run "
            f"({kind.rsplit('/', 1)[-1] or 'link'} to {target[:80]!r}). Remove the link, or save the document "
            "as a PDF."
        )


class _NotPlainXml(Exception):
    pass


def _parse_xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, element: Any) -> None:
    """Call ``element(name, attributes)`` for each element of one XML part, as it streams. A DOCTYPE
    (which Office Open XML forbids, and which entity tricks need) is refused."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_args: Any) -> None:
        raise _NotPlainXml

    parser.StartElementHandler = element
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        with archive.open(info) as source:
            while block := source.read(CHUNK):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except (_NotPlainXml, expat.ExpatError):
        raise _refuse(
            f"The {label} has a damaged or unusual package part ({info.filename[:80]!r}), so it cannot be checked. "
            "Save it again from Office."
        ) from None


# --- Word, Excel and PowerPoint 97-2003 (compound files) ------------------------------------------------

# A compound file's directory entries are 128 bytes, at 128-byte boundaries (sectors are 512 or
# 4096 bytes after a 512-byte header): the name in UTF-16 (any case), its length in bytes with the
# terminator at 64, the entry type at 66 (2: a stream). Every VBA project has a "_VBA_PROJECT" stream.
_VBA_STREAM = re.compile("_VBA_PROJECT".encode("utf-16-le") + b"\x00\x00", re.IGNORECASE)


def check_ole(path: Path, label: str) -> None:
    """Refuse a 97-2003 Office file that holds a VBA project (macros)."""
    with open(path, "rb") as handle:
        offset = 0
        while block := handle.read(CHUNK):  # CHUNK is a multiple of 128: no entry straddles two blocks
            for match in _VBA_STREAM.finditer(block):
                at = match.start()
                if (offset + at) % 128 == 0 and block[at + 64 : at + 67] == b"\x1a\x00\x02":
                    raise _refuse(
                        f"The {label} contains macros (a VBA project). Macros are not accepted: save it again "
                        "without macros, or as a PDF."
                    )
            offset += len(block)


# --- PDF ---------------------------------------------------------------------------------------------------


def _pdf_name(name: str) -> bytes:
    """A pattern for the PDF name ``/name``, each character literal or ``#xx``-escaped."""
    parts = []
    for char in name:
        escaped = "".join(f"[{d.upper()}{d.lower()}]" if d.isalpha() else d for d in f"{ord(char):02x}")
        parts.append(f"(?:{re.escape(char)}|#{escaped})")
    return ("/" + "".join(parts)).encode()


_PDF_SPACE = rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]{0,4096}[\r\n]){0,64}"
_PDF_END = rb"(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"
_PDF_ACTION = re.compile(
    _pdf_name("S")
    + _PDF_SPACE
    + b"(?:(?P<javascript>"
    + _pdf_name("JavaScript")
    + b")|(?P<launch>"
    + _pdf_name("Launch")
    + b"))"
    + _PDF_END
)
_PDF_RENDITION_JS = re.compile(
    _pdf_name("S") + _PDF_SPACE + _pdf_name("Rendition") + _PDF_END + rb"[^>]{0,2048}?" + _pdf_name("JS") + _PDF_END
)
_PDF_OBJECT_STREAM = re.compile(_pdf_name("Type") + _PDF_SPACE + _pdf_name("ObjStm") + _PDF_END)
_PDF_ENCRYPT = re.compile(_pdf_name("Encrypt") + _PDF_SPACE + rb"(?:\d+\s+\d+\s+R|<<)")
_PDF_FILTER = re.compile(_pdf_name("Filter") + _PDF_SPACE + rb"(\[[^\]]*\]|/[^\x00\t\n\x0c\r /\[\]<>()]+)")
_PDF_FLATE = re.compile(rb"\[?" + _PDF_SPACE + _pdf_name("FlateDecode") + _PDF_END + _PDF_SPACE + rb"\]?\Z")
_PDF_PREDICTOR = re.compile(_pdf_name("Predictor") + _PDF_SPACE + rb"(\d+)")
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj")
_PDF_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_PDF_OVERLAP = 64 * 1024
# Inflated object streams: more than this, for one PDF, and it is refused as too large to check.
_PDF_INFLATE_MAX = 256 * 1024 * 1024


def check_pdf(path: Path) -> None:
    """Refuse a PDF with a JavaScript or Launch action, in its objects or in its Flate-compressed
    object streams; and one whose object streams cannot be read to check them (unless the PDF is
    encrypted, when they cannot be read without its key: see docs/documents.md)."""
    encrypted = False
    object_streams: list[int] = []
    with open(path, "rb") as handle:
        carry, base = b"", 0
        while True:
            block = handle.read(CHUNK)
            window = carry + block
            _check_pdf_actions(window)
            encrypted = encrypted or bool(_PDF_ENCRYPT.search(window))
            object_streams.extend(base + m.start() for m in _PDF_OBJECT_STREAM.finditer(window))
            if not block:
                break
            cut = max(0, len(window) - _PDF_OVERLAP)
            carry, base = window[cut:], base + cut
        inflated = 0
        for at in sorted(set(object_streams)):
            inflated += _check_object_stream(handle, at, _PDF_INFLATE_MAX - inflated, encrypted=encrypted)


def _check_pdf_actions(data: bytes) -> None:
    match = _PDF_ACTION.search(data)
    if match and match.group("launch"):
        raise _refuse(
            "The PDF contains a Launch action (/Launch), which asks the PDF reader to start a program or open "
            "a file. Print or save it to a new PDF without it (for example with 'Print to PDF') and upload that."
        )
    if match or _PDF_RENDITION_JS.search(data):
        raise _refuse(
            "The PDF contains JavaScript (a /JavaScript action), which PDF readers run when the file is opened "
            "or used. Print or save it to a new PDF without scripts (for example with 'Print to PDF') and upload "
            "that."
        )


def _check_object_stream(handle: Any, at: int, budget: int, *, encrypted: bool) -> int:
    """Inflate the object stream whose dictionary holds ``/Type /ObjStm`` at ``at`` and look for
    actions in it; returns the bytes inflated."""
    unreadable = _refuse(
        "The PDF stores objects in a compressed stream that cannot be checked for scripts. Print or save it to "
        "a new PDF (for example with 'Print to PDF') and upload that."
    )
    handle.seek(max(0, at - 4096))
    before = handle.read(at - max(0, at - 4096))
    after = handle.read(4096)
    headers = list(_PDF_OBJECT.finditer(before))
    stream = _PDF_STREAM.search(after)
    if not headers or stream is None:
        return 0  # not a stream's dictionary after all (the words in a string, say)
    dictionary = before[headers[-1].end() :] + after[: stream.start()]
    filters = _PDF_FILTER.search(dictionary)
    if filters is None:
        return 0  # not compressed: its objects were read with the rest of the file
    predictor = _PDF_PREDICTOR.search(dictionary)
    if not _PDF_FLATE.match(filters.group(1)) or (predictor and int(predictor.group(1)) > 1):
        raise unreadable
    handle.seek(at + stream.end())
    inflater = zlib.decompressobj()
    inflated, tail = 0, b""
    try:
        while not inflater.eof:
            compressed = inflater.unconsumed_tail or handle.read(64 * 1024)
            if not compressed:
                break
            data = inflater.decompress(compressed, CHUNK)
            inflated += len(data)
            if inflated > budget:
                raise unreadable
            _check_pdf_actions(tail + data)
            tail = data[-_PDF_OVERLAP:]
    except zlib.error:
        if encrypted:
            return inflated  # encrypted streams cannot be read without the key
        raise unreadable from None
    return inflated
