"""Checks on an uploaded file before it is accepted: its name, its type (content and extension
agreeing), text rules, and archive limits. Each refusal raises DomainError with a sentence a person
understands and a short ``code`` for the audit log. Nothing here writes anything but temp files of
its own (nested archives), which it removes."""

from __future__ import annotations

import codecs
import copy
import os
import re
import stat
import struct
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core.errors import DomainError
from documents.active_content import check_ole, check_ooxml, check_pdf
from documents.markup import ActiveMarkup, CsvUnquoter, JsonUnescaper, MarkupScanner
from documents.rules import ALLOWED_TYPES, DISPLAY_NAME_MAX, FileType

CHUNK = 1024 * 1024

# Magic numbers: the allowed kinds, then kinds we name in a refusal so the message says what the file is.
_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
]
_FOREIGN_MAGIC: list[tuple[bytes, str]] = [
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"\xce\xfa\xed\xfe", "a macOS executable"),
    (b"\xca\xfe\xba\xbe", "a macOS executable or Java class"),
    (b"#!", "a script"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"PK\x05\x06", "an empty ZIP archive"),
]
_CONTENT_LABELS = {
    "pdf": "a PDF",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "zip": "a ZIP archive",
    "ole": "a Word, Excel or PowerPoint 97-2003 file",
}

# Markup a browser would take for HTML or SVG when it starts the file (WHATWG MIME sniffing). Active
# markup anywhere in a text file is found by documents.markup.
_MARKUP_START = re.compile(
    r"\A\s*<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--|\?xml|svg)"
    r"(?:[\s>/]|\Z)",
    re.IGNORECASE,
)
# JSON files up to this size are parsed to give a clear message when they are not JSON.
_JSON_PARSE_MAX = 8 * 1024 * 1024


def refuse(code: str, message: str) -> DomainError:
    return DomainError(message, code=code)


class UnreadableArchive(DomainError):
    """A refusal because an archive, or one of its entries, cannot be read at all (damaged,
    encrypted, an unknown compression method): a ZIP tool could not extract it either."""


def _unreadable(message: str) -> UnreadableArchive:
    return UnreadableArchive(message, code="zip")


# --- Names ------------------------------------------------------------------------------------


def clean_display_name(raw: str | None) -> str:
    """The name shown to readers: no path, no control or invisible characters (NUL, CR/LF,
    right-to-left overrides, zero-width marks), whitespace collapsed, at most 200 characters with the
    extension kept. The stored name is generated elsewhere and never derived from this."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Categories C*: controls (NUL, CR, LF, ESC), format characters (bidi overrides, zero-width),
    # surrogates, private use and unassigned code points.
    name = "".join(" " if ch.isspace() else ch for ch in name)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split())
    name = name.strip(" .")
    if len(name) > DISPLAY_NAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext[:20]
        name = stem[: DISPLAY_NAME_MAX - len(ext)].rstrip(" .") + ext
    if not name:
        raise refuse("name", "The file has no usable name. Rename it (for example report.pdf) and upload it again.")
    return name


def file_type_for(display_name: str) -> tuple[str, FileType]:
    ext = os.path.splitext(display_name)[1].lower()
    if not ext:
        raise refuse(
            "type",
            "The file name has no extension, so its type cannot be checked. "
            "Allowed: PDF, Office documents, text, Markdown, CSV, JSON, PNG, JPEG and ZIP.",
        )
    file_type = ALLOWED_TYPES.get(ext)
    if file_type is None:
        raise refuse(
            "type",
            f"Files of type {ext} are not accepted. "
            "Allowed: PDF, Office documents, text, Markdown, CSV, JSON, PNG, JPEG and ZIP.",
        )
    return ext, file_type


# --- Content ----------------------------------------------------------------------------------


def sniff(head: bytes) -> tuple[str | None, str | None]:
    """(allowed content kind, or None; a description of a known foreign kind, or None)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind, None
    for magic, description in _FOREIGN_MAGIC:
        if head.startswith(magic):
            return None, description
    return None, None


@dataclass(frozen=True)
class CheckedFile:
    display_name: str
    content_type: str
    label: str


def check_file(path: Path, display_name: str) -> CheckedFile:
    """Refuse a file whose content does not agree with its extension, or that breaks a rule."""
    ext, file_type = file_type_for(display_name)
    with open(path, "rb") as handle:
        head = handle.read(4096)
    kind, foreign = sniff(head)
    expected = "zip" if file_type.content == "ooxml" else file_type.content

    if expected == "text":
        # Only the allowed binary kinds count here: a text that happens to start with "MZ" or "#!"
        # is still text, and a real executable fails the UTF-8 and NUL checks.
        if kind is not None:
            raise refuse(
                "mismatch",
                f"The file is named {ext} but its content is {_CONTENT_LABELS[kind]}, not {file_type.label}.",
            )
        check_text(path, ext, file_type)
    elif kind != expected:
        if kind is not None:
            what = _CONTENT_LABELS[kind]
        elif foreign is not None:
            what = foreign
        elif _looks_like_markup(head):
            what = "HTML or SVG markup"
        else:
            what = "not recognisable"
        raise refuse(
            "mismatch",
            f"The file is named {ext} but its content is {what}, not {_article(file_type.label)}. "
            "Upload the file in the format its name says.",
        )

    if expected == "zip":
        check_zip(path, ooxml_folder=file_type.ooxml_folder, label=file_type.label)
        if file_type.content == "ooxml":
            check_ooxml(path, file_type.label)
    elif expected != "text":
        check_hidden_zip(path, file_type.label)
        if expected == "pdf":
            check_pdf(path)
        elif expected == "ole":
            check_ole(path, file_type.label)
    return CheckedFile(display_name=display_name, content_type=file_type.content_type, label=file_type.label)


def _article(label: str) -> str:
    return f"an {label}" if label[0].lower() in "aeiou" else f"a {label}"


def _looks_like_markup(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if _MARKUP_START.match(text):
        return True
    try:
        MarkupScanner().feed(text, final=True)
    except ActiveMarkup:
        return True
    return False


def _markup_scanners(ext: str) -> list[tuple[Any, MarkupScanner]]:
    """The text as it is, and as a reader of a CSV or JSON file sees its fields: ``""`` is a quote in
    CSV, and ``\\u003c`` is ``<`` in a JSON string, so markup spelled that way is markup too."""
    scanners: list[tuple[Any, MarkupScanner]] = [(None, MarkupScanner(markdown=ext in (".md", ".markdown")))]
    if ext == ".csv":
        scanners.append((CsvUnquoter(), MarkupScanner(label='in a quoted CSV field, reading "" as "')))
    elif ext == ".json":
        scanners.append((JsonUnescaper(), MarkupScanner(label="in a JSON string, reading escapes such as \\u003c")))
    return scanners


def check_text(path: Path, ext: str, file_type: FileType) -> None:
    """UTF-8 throughout, no NUL, no HTML/SVG/script markup (streamed: memory stays flat)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    scanners = _markup_scanners(ext)
    first = True
    offset = 0
    with open(path, "rb") as handle:
        while True:
            block = handle.read(CHUNK)
            final = not block
            try:
                text = decoder.decode(block, final=final)
            except UnicodeDecodeError as error:
                raise refuse(
                    "text",
                    f"The file is named {ext} but is not valid UTF-8 text (at byte {offset + error.start:,}). "
                    "Save it as UTF-8, or upload it as a PDF.",
                ) from None
            if "\x00" in text:
                raise refuse("text", f"The file is named {ext} but holds NUL bytes, so it is not a text file.")
            if first:
                text = text.lstrip("\ufeff")
                if _MARKUP_START.match(text):
                    raise refuse(
                        "markup",
                        f"The file is named {ext} but is HTML or SVG markup. HTML and SVG are not accepted; "
                        "upload a PDF instead.",
                    )
                if ext == ".json" and text.strip() and text.lstrip()[0] not in "{[":
                    raise refuse("text", "The file is named .json but does not hold a JSON object or array.")
                first = False if text else first
            for decode, scanner in scanners:
                try:
                    scanner.feed(decode(text, final=final) if decode else text, final=final)
                except ActiveMarkup as found:
                    raise _markup_refusal(found, scanner) from None
            offset += len(block)
            if final:
                break
    if ext == ".json" and offset <= _JSON_PARSE_MAX:
        import json

        try:
            with open(path, encoding="utf-8-sig") as handle:
                json.load(handle)
        except json.JSONDecodeError as error:
            raise refuse("text", f"The file is named .json but is not valid JSON ({error.msg}).") from None
        except ValueError as error:
            raise refuse("text", f"The file is named .json but is not valid JSON ({error}).") from None


def _markup_refusal(found: ActiveMarkup, scanner: MarkupScanner) -> DomainError:
    where = f" at character {found.offset + 1:,}" if found.offset is not None and not scanner.label else ""
    how = f" {scanner.label}" if scanner.label else ""
    excerpt = f" ({found.excerpt!r})" if found.excerpt else ""
    return refuse(
        "markup",
        f"The text file contains HTML, SVG or script markup: {found.what}{where}{how}{excerpt}. Text files may "
        "not hold markup that a browser or a Markdown viewer could run; put such material in a ZIP archive or "
        "a PDF instead.",
    )


# --- Archives ---------------------------------------------------------------------------------

# The compression ratio applies only once an entry, or an archive, has expanded past this floor. A
# 0-byte entry, a 200-byte README or a few KiB of very repetitive text (a CSV of zeros, a log of the
# same line) can compress far beyond 100:1 and harm nobody; so can a small sparse tensor or matrix:
# among 2,700 real archives (Python wheels, Java archives, ODF files) the only entries past 100:1 and
# 1 MiB were test tensors of 1.8 and 2.4 MiB, and none passed 100:1 beyond 4 MiB. A ZIP bomb has to
# expand to gigabytes to do harm, and is still stopped 4 MiB in, after a few milliseconds of work.
ZIP_RATIO_FLOOR = 4 * 1024 * 1024
# Entries are read past the size their header declares (up to the limits), so that the bytes counted
# are the bytes a tool that ignores the header would write.
_READ_PAST_DECLARED = 1 << 62
# Right-to-left overrides, embeddings and isolates: "invoice\u202Efdp.exe" is shown "invoiceexe.pdf".
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_ENCRYPTED, _DATA_DESCRIPTOR, _STRONG_ENCRYPTION, _UTF8_NAME = 0x1, 0x8, 0x40, 0x800
_ZIP64_SIZE = 0xFFFFFFFF


@dataclass
class _ZipBudget:
    """What the archives of one upload (nested ones included) have used so far, and the most all of
    them together may expand to by the ratio (nested archives counted at every level)."""

    upload_size: int
    label: str
    whole_limit: int
    entries: int = 0
    expanded: int = 0

    @classmethod
    def start(cls, path: Path, limits: _ZipLimits, label: str) -> _ZipBudget:
        size = os.path.getsize(path)
        return cls(upload_size=size, label=label, whole_limit=limits.ratio_limit(size))


@dataclass(frozen=True)
class _ZipLimits:
    entries: int
    expanded: int
    depth: int
    ratio: int

    @classmethod
    def from_settings(cls) -> _ZipLimits:
        return cls(
            entries=int(settings.DOCUMENT_ZIP_MAX_ENTRIES),
            expanded=int(settings.DOCUMENT_ZIP_MAX_EXPANDED_BYTES),
            depth=int(settings.DOCUMENT_ZIP_MAX_DEPTH),
            ratio=int(settings.DOCUMENT_ZIP_MAX_RATIO),
        )

    def ratio_limit(self, compressed: int) -> int:
        """The most ``compressed`` bytes may expand to."""
        return max(ZIP_RATIO_FLOOR, self.ratio * max(compressed, 1))


def check_zip(path: Path, *, ooxml_folder: str = "", label: str = "ZIP archive") -> None:
    """Refuse archives that hold too many entries, expand too far or by too much (by their declared
    sizes and by actually inflating every entry, past what its header declares), nest too deep, are
    encrypted, hold paths that escape (absolute, '..', drive letters), links, duplicate names or
    names with bidi controls, or whose entries' headers disagree with the central directory, overlap
    or hide entries between them."""
    limits = _ZipLimits.from_settings()
    if ooxml_folder:
        _check_ooxml_package(path, ooxml_folder, label)
    _check_zip(path, _ZipBudget.start(path, limits, label), limits, depth=1, label=label)


def check_hidden_zip(path: Path, label: str) -> None:
    """A PDF, image or 97-2003 Office file that is also a ZIP archive (a polyglot: the ZIP's
    directory sits at the end, after the other format's bytes) is held to the archive rules: a
    tool that opens it as a ZIP must not find a bomb or an escaping path there. A ZIP that an Office
    file or a PDF carries inside (an embedded workbook) passes them like any archive. What no ZIP
    tool could extract either (damaged, encrypted, or scattered over a compound file's sectors, so
    that its local headers are not where its directory says) is not refused: it cannot harm."""
    try:
        with zipfile.ZipFile(path) as archive:
            if not archive.infolist():
                return
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    limits = _ZipLimits.from_settings()
    budget = _ZipBudget.start(path, limits, "ZIP archive")
    try:
        _check_zip(path, budget, limits, depth=1, label="ZIP archive", hidden=True)
    except UnreadableArchive:
        return
    except DomainError as refusal:
        raise refuse(
            refusal.code,
            f"The {label} is also a ZIP archive (a polyglot file), and that archive breaks the archive rules. "
            f"{refusal.message}",
        ) from None


def _check_ooxml_package(path: Path, folder: str, label: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("zip", f"The file is not {_article(label)}: its ZIP package is damaged.") from None
    if "[Content_Types].xml" not in names or not any(name.startswith(folder) for name in names):
        raise refuse(
            "mismatch",
            f"The file is a ZIP archive but not {_article(label)}. Upload it as .zip, or save it from Office.",
        )


def _check_zip(
    path: Path,
    budget: _ZipBudget,
    limits: _ZipLimits,
    *,
    depth: int,
    label: str,
    where: str = "",
    hidden: bool = False,
) -> None:
    """``where`` names the archives this one is nested in, for the messages; ``hidden`` is an
    archive at the end of a file of another type, checked for what a ZIP tool would extract."""
    too_big = refuse(
        "zip",
        f"The archive expands to more than {filesizeformat(limits.expanded)}, the limit for archives "
        "(a 'ZIP bomb' looks like this). Split it into smaller archives.",
    )
    archive_size = os.path.getsize(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _unreadable("The archive is damaged or not a ZIP archive.") from None
    with archive:
        infos = archive.infolist()
        budget.entries += len(infos)
        if budget.entries > limits.entries:
            raise refuse(
                "zip", f"The archive holds more than {limits.entries:,} entries, the limit. Split it into smaller ones."
            )
        seen: set[str] = set()
        declared = 0
        for info in infos:
            _check_entry_name(info, where)
            if not hidden and info.flag_bits & (_ENCRYPTED | _STRONG_ENCRYPTION):
                raise _encrypted_refusal(f"{where}{info.filename}")
            key = info.orig_filename.replace("\\", "/")
            if key in seen:
                raise refuse(
                    "zip",
                    f"The archive holds two entries named {where}{key[:80]!r}: tools disagree about which one "
                    "is the file, so such an archive cannot be checked. Make the names unique.",
                )
            seen.add(key)
            declared += info.file_size
        # Headers that admit to a bomb are refused before a byte is inflated.
        if budget.expanded + declared > limits.expanded:
            raise too_big
        for info in infos:
            compressed = min(info.compress_size, archive_size)
            if info.file_size > limits.ratio_limit(compressed):
                raise _ratio_refusal(label, repr(f"{where}{info.filename}"), compressed, limits)
        archive_limit = limits.ratio_limit(archive_size)
        if declared > archive_limit:
            raise _ratio_refusal(label, _whole(where), archive_size, limits)
        if not hidden:
            _check_layout(path, archive, infos, where=where)

        expanded_here = 0
        for info in infos:
            nested = None
            compressed = min(info.compress_size, archive_size)
            entry_limit = limits.ratio_limit(compressed)
            entry_expanded = 0
            reading = copy.copy(info)
            reading.file_size = _READ_PAST_DECLARED
            try:
                if info.flag_bits & (_ENCRYPTED | _STRONG_ENCRYPTION):
                    raise _encrypted_refusal(f"{where}{info.filename}")
                with archive.open(reading) as source:
                    first = source.read(4)
                    if first == b"PK\x03\x04":
                        if depth >= limits.depth:
                            raise refuse(
                                "zip",
                                f"The archive nests archives more than {limits.depth} deep "
                                f"({where}{info.filename!r}). Unpack the inner archives first.",
                            )
                        nested = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed in the finally below
                            prefix="nested-", suffix=".part", dir=temp_dir()
                        )
                    block = first
                    while block:
                        entry_expanded += len(block)
                        expanded_here += len(block)
                        budget.expanded += len(block)
                        # Each limit is checked as the bytes come, so a bomb is stopped a megabyte
                        # past its limit, having cost no more CPU than that.
                        if budget.expanded > limits.expanded:
                            raise too_big
                        if entry_expanded > entry_limit:
                            raise _ratio_refusal(label, repr(f"{where}{info.filename}"), compressed, limits)
                        if expanded_here > archive_limit:
                            raise _ratio_refusal(label, _whole(where), archive_size, limits)
                        if budget.expanded > budget.whole_limit:
                            raise _ratio_refusal(
                                budget.label,
                                "the whole archive, with the archives inside it",
                                budget.upload_size,
                                limits,
                            )
                        if nested is not None:
                            nested.write(block)
                        block = source.read(CHUNK)
                if entry_expanded != info.file_size:
                    raise _unreadable(
                        f"The archive is damaged: {where}{info.filename!r} declares {info.file_size:,} bytes "
                        f"but holds {entry_expanded:,}.",
                    )
                if nested is not None:
                    nested.flush()
                    _check_zip(
                        Path(nested.name),
                        budget,
                        limits,
                        depth=depth + 1,
                        label="ZIP archive",
                        where=f"{where}{info.filename} → ",
                    )
            except UnreadableArchive:
                if hidden:
                    continue  # no ZIP tool could extract this entry either; the others are checked
                raise
            except DomainError:
                raise
            except (
                RuntimeError,
                NotImplementedError,
                zipfile.BadZipFile,
                zipfile.LargeZipFile,
                OSError,
                EOFError,
                ValueError,
            ) as error:
                if hidden:
                    continue
                raise _read_error(error, f"{where}{info.filename}") from None
            finally:
                if nested is not None:
                    nested.close()


def _read_error(error: Exception, name: str) -> UnreadableArchive:
    if isinstance(error, RuntimeError):
        # zipfile raises RuntimeError for an encrypted entry without a password.
        return _encrypted_refusal(name)
    if isinstance(error, NotImplementedError):
        return _unreadable(f"The archive uses a compression method that cannot be checked ({name!r}).")
    return _unreadable(f"The archive is damaged ({name!r}: {error}).")


def _whole(where: str) -> str:
    return f"{where.removesuffix(' → ')!r} as a whole" if where else "the whole archive"


def _ratio_refusal(label: str, what: str, compressed: int, limits: _ZipLimits) -> DomainError:
    return refuse(
        "zip",
        f"The {label} expands more than {limits.ratio} times its size ({what}: {filesizeformat(compressed)} "
        f"expands past {filesizeformat(limits.ratio_limit(compressed))}): it looks like a ZIP bomb. Upload the "
        "files uncompressed or in smaller archives, or ask the program office.",
    )


def _encrypted_refusal(name: str) -> UnreadableArchive:
    return _unreadable(
        f"The archive is encrypted ({name[:80]!r}), so its contents cannot be checked. Upload it without a "
        "password: the portal stores files privately.",
    )


def _check_entry_name(info: zipfile.ZipInfo, where: str) -> None:
    raw = info.orig_filename
    name = raw.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise refuse(
            "zip",
            f"The archive holds a path that escapes its folder ({where}{name[:80]!r}). Archives may hold only "
            "relative paths without '..'.",
        )
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise refuse(
            "zip",
            f"The archive holds a name with a control character such as NUL ({where}{name[:80]!r}); tools cut or "
            "read such names differently. Rename the file.",
        )
    if _BIDI_CONTROLS.search(raw):
        raise refuse(
            "zip",
            f"The archive holds a name with a right-to-left override or a similar invisible control "
            f"({where}{name[:80]!r}), which makes a file look like another type. Rename the file.",
        )
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        raise refuse("zip", f"The archive holds a symbolic link ({where}{name[:80]!r}); links are not accepted.")


def _check_layout(path: Path, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], *, where: str) -> None:
    """Every entry's local header agrees with the central directory (name, method, encryption and,
    unless a data descriptor follows, CRC and sizes), and the entries neither overlap (a way of
    building a ZIP bomb) nor leave room for entries the directory does not list (a tool that reads
    the local headers in order would find and extract them, unchecked)."""
    disagree = "The archive's directory and the header of {name!r} disagree ({field}); tools would read it differently."
    spans: list[tuple[int, int]] = []
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        for info in infos:
            name = f"{where}{info.filename}"[:80]
            handle.seek(info.header_offset)
            header = handle.read(_LOCAL_HEADER.size)
            if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                raise refuse("zip", f"The archive is damaged: {name!r} has no entry header where its directory says.")
            _sig, _version, flags, method, _time, _date, crc, csize, usize, name_len, extra_len = _LOCAL_HEADER.unpack(
                header
            )
            local_name = handle.read(name_len).decode("utf-8" if flags & _UTF8_NAME else "cp437", errors="replace")
            if local_name != info.orig_filename:
                raise refuse("zip", disagree.format(name=name, field="the file name"))
            if method != info.compress_type:
                raise refuse("zip", disagree.format(name=name, field="the compression method"))
            if (flags ^ info.flag_bits) & (_ENCRYPTED | _STRONG_ENCRYPTION):
                raise refuse("zip", disagree.format(name=name, field="whether it is encrypted"))
            if not (flags | info.flag_bits) & _DATA_DESCRIPTOR:
                if crc != info.CRC:
                    raise refuse("zip", disagree.format(name=name, field="the CRC"))
                if _ZIP64_SIZE not in (csize, usize) and (csize, usize) != (info.compress_size, info.file_size):
                    raise refuse("zip", disagree.format(name=name, field="the sizes"))
            data_end = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len + info.compress_size
            if data_end > size:
                raise refuse("zip", f"The archive is damaged: {name!r} runs past the end of the file.")
            spans.append((info.header_offset, data_end))
        spans.sort()
        previous_end = 0
        directory = getattr(archive, "start_dir", None)
        for start, end in [*spans, (directory, directory)] if directory is not None else spans:
            if start < previous_end:
                raise refuse(
                    "zip",
                    "The archive's entries overlap (one entry's data is part of another's), a way of building "
                    "a ZIP bomb; it cannot be accepted.",
                )
            if start > previous_end and _holds_local_header(handle, previous_end, start):
                raise refuse(
                    "zip",
                    "The archive holds entries that its directory does not list (hidden between the listed "
                    "ones), so tools disagree about what it contains. Create the archive again.",
                )
            previous_end = max(previous_end, end)


def _holds_local_header(handle: Any, start: int, end: int) -> bool:
    """Whether the bytes from ``start`` to ``end`` hold an entry header's signature."""
    handle.seek(start)
    tail = b""
    while start < end:
        block = handle.read(min(CHUNK, end - start))
        if not block:
            return False
        if b"PK\x03\x04" in tail + block:
            return True
        tail = block[-3:]
        start += len(block)
    return False


def temp_dir() -> str:
    """The project's own folder for partial uploads (created private on first use)."""
    path = str(settings.DOCUMENT_UPLOAD_TEMP_DIR)
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path
