"""What the portal accepts as a document file: the one table the checks, the upload form and the
README read, so that the rules shown to people are the rules enforced."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class FileType:
    label: str
    # What the content must be: "pdf", "ooxml", "ole", "text", "png", "jpeg", "zip".
    content: str
    content_type: str
    # For Office Open XML: the folder of the main part inside the package ("word/", "xl/", "ppt/").
    ooxml_folder: str = ""


# By lower-case extension. The content must agree with the extension (checked by magic bytes).
ALLOWED_TYPES: dict[str, FileType] = {
    ".pdf": FileType("PDF", "pdf", "application/pdf"),
    ".docx": FileType(
        "Word document",
        "ooxml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "word/",
    ),
    ".xlsx": FileType(
        "Excel workbook", "ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"
    ),
    ".pptx": FileType(
        "PowerPoint presentation",
        "ooxml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ppt/",
    ),
    ".doc": FileType("Word 97-2003 document", "ole", "application/msword"),
    ".xls": FileType("Excel 97-2003 workbook", "ole", "application/vnd.ms-excel"),
    ".ppt": FileType("PowerPoint 97-2003 presentation", "ole", "application/vnd.ms-powerpoint"),
    ".txt": FileType("plain text", "text", "text/plain; charset=utf-8"),
    ".md": FileType("Markdown", "text", "text/markdown; charset=utf-8"),
    ".markdown": FileType("Markdown", "text", "text/markdown; charset=utf-8"),
    ".csv": FileType("CSV", "text", "text/csv; charset=utf-8"),
    ".json": FileType("JSON", "text", "application/json"),
    ".png": FileType("PNG image", "png", "image/png"),
    ".jpg": FileType("JPEG image", "jpeg", "image/jpeg"),
    ".jpeg": FileType("JPEG image", "jpeg", "image/jpeg"),
    ".zip": FileType("ZIP archive", "zip", "application/zip"),
}

# Longest display name kept (the stored name is always generated).
DISPLAY_NAME_MAX = 200


def max_upload_bytes() -> int:
    return int(settings.DOCUMENT_MAX_UPLOAD_BYTES)


def upload_rules() -> list[str]:
    """The rules in sentences, for the upload form and the README."""
    extensions = ", ".join(sorted(ALLOWED_TYPES))
    return [
        f"Allowed types: PDF, Word, Excel and PowerPoint (Office 2007+ and 97-2003), plain text, Markdown, CSV, "
        f"JSON, PNG, JPEG and ZIP ({extensions}). The file's content must match its extension.",
        f"At most {filesizeformat(max_upload_bytes())} per file. Empty files are refused.",
        "Text files (.txt, .md, .csv, .json) must be UTF-8 without NUL bytes, and may not contain markup a "
        "browser or Markdown viewer could run (script, iframe, svg or style tags, on...= event handlers, "
        "javascript: links); put such material in a ZIP archive or a PDF.",
        f"ZIP archives (and Office files, which are ZIP packages) may hold at most "
        f"{settings.DOCUMENT_ZIP_MAX_ENTRIES:,} entries, expand to at most "
        f"{filesizeformat(settings.DOCUMENT_ZIP_MAX_EXPANDED_BYTES)} and to at most "
        f"{settings.DOCUMENT_ZIP_MAX_RATIO} times their compressed size, nest archives at most "
        f"{settings.DOCUMENT_ZIP_MAX_DEPTH} deep, and may not be encrypted or hold absolute paths, '..' paths, "
        "links or duplicate names.",
        "Office files may not contain macros (save .docm, .xlsm and .pptm files without them), and PDFs may not "
        "contain JavaScript or Launch actions: print or save such a file to a new PDF.",
        "A file identical to the document's latest version is refused: nothing would change.",
        "Every upload is kept as a new version; nothing is overwritten or deleted. Your file's name is shown "
        "to readers (cleaned of paths and invisible characters); it is stored under a generated name.",
    ]
