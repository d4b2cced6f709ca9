"""Checks on an uploaded file before it is accepted: its name, its type (content and extension
agreeing), text rules, and archive limits. Each refusal raises DomainError with a sentence a person
understands and a short ``code`` for the audit log. Nothing here writes anything but temp files of
its own (nested archives), which it removes."""

from __future__ import annotations

import codecs
import os
import re
import stat
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core.errors import DomainError
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
        except ValueError as error:
            raise refuse("text", f"The file is named .json but is not valid JSON ({error.msg}).") from None


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


@dataclass
class _ZipBudget:
    entries: int = 0
    expanded: int = 0


def check_zip(path: Path, *, ooxml_folder: str = "", label: str = "ZIP archive") -> None:
    """Refuse archives that hold too many entries, expand too far (by their declared sizes and by
    actually inflating every entry, which also catches lying headers), nest too deep, are encrypted,
    or hold paths that escape (absolute, '..', drive letters) or links."""
    budget = _ZipBudget()
    if ooxml_folder:
        _check_ooxml_package(path, ooxml_folder, label)
    _check_zip(path, budget, depth=1)


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


def _check_zip(path: Path, budget: _ZipBudget, *, depth: int) -> None:
    max_entries = int(settings.DOCUMENT_ZIP_MAX_ENTRIES)
    max_expanded = int(settings.DOCUMENT_ZIP_MAX_EXPANDED_BYTES)
    max_depth = int(settings.DOCUMENT_ZIP_MAX_DEPTH)
    too_big = refuse(
        "zip",
        f"The archive expands to more than {filesizeformat(max_expanded)}, the limit for archives "
        "(a 'ZIP bomb' looks like this). Split it into smaller archives.",
    )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse("zip", "The archive is damaged or not a ZIP archive.") from None
    with archive:
        infos = archive.infolist()
        budget.entries += len(infos)
        if budget.entries > max_entries:
            raise refuse(
                "zip", f"The archive holds more than {max_entries:,} entries, the limit. Split it into smaller ones."
            )
        declared = 0
        for info in infos:
            _check_entry_name(info)
            declared += info.file_size
        if budget.expanded + declared > max_expanded:
            raise too_big
        for info in infos:
            if info.is_dir():
                continue
            nested = None
            try:
                with archive.open(info) as source:
                    first = source.read(4)
                    if first == b"PK\x03\x04":
                        if depth >= max_depth:
                            raise refuse(
                                "zip",
                                f"The archive nests archives more than {max_depth} deep "
                                f"({info.filename!r}). Unpack the inner archives first.",
                            )
                        nested = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed in the finally below
                            prefix="nested-", suffix=".part", dir=temp_dir()
                        )
                    block = first
                    while block:
                        budget.expanded += len(block)
                        if budget.expanded > max_expanded:
                            raise too_big
                        if nested is not None:
                            nested.write(block)
                        block = source.read(CHUNK)
                if nested is not None:
                    nested.flush()
                    _check_zip(Path(nested.name), budget, depth=depth + 1)
            except DomainError:
                raise
            except RuntimeError:
                # zipfile raises RuntimeError for an encrypted entry without a password.
                raise refuse(
                    "zip",
                    "The archive is encrypted, so its contents cannot be checked. Upload it without a password: "
                    "the portal stores files privately.",
                ) from None
            except NotImplementedError:
                raise refuse(
                    "zip", f"The archive uses a compression method that cannot be checked ({info.filename!r})."
                ) from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
                raise refuse("zip", f"The archive is damaged ({info.filename!r}: {error}).") from None
            finally:
                if nested is not None:
                    nested.close()


def _check_entry_name(info: zipfile.ZipInfo) -> None:
    raw = info.orig_filename
    name = raw.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if (
        name.startswith("/")
        or re.match(r"^[A-Za-z]:", name)
        or ".." in parts
        or "\x00" in raw
        or any(unicodedata.category(ch) == "Cc" for ch in raw)
    ):
        raise refuse(
            "zip",
            f"The archive holds a path that escapes its folder ({name[:80]!r}). Archives may hold only "
            "relative paths without '..'.",
        )
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        raise refuse("zip", f"The archive holds a symbolic link ({name[:80]!r}); links are not accepted.")
    if info.flag_bits & 0x1:
        raise refuse(
            "zip",
            "The archive is encrypted, so its contents cannot be checked. Upload it without a password: "
            "the portal stores files privately.",
        )


def temp_dir() -> str:
    """The project's own folder for partial uploads (created private on first use)."""
    path = str(settings.DOCUMENT_UPLOAD_TEMP_DIR)
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path
