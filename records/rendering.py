"""A record's HTML (with print styles) and its PDF (WeasyPrint).

The record's sha256 is printed in it. It is the sha256 of the HTML file without the one line that
holds ``data-record-sha256`` (where the figure is printed), so anyone holding the file can check it:

    grep -v 'data-record-sha256' record.html | sha256sum
"""

from __future__ import annotations

import hashlib

from django.template.loader import render_to_string

from records.sections import sections
from records.selectors import RecordContent

HASH_LINE_TOKEN = b"data-record-sha256"
_PLACEHOLDER = "0" * 64


def without_hash_line(html: bytes) -> bytes:
    return b"".join(line for line in html.splitlines(keepends=True) if HASH_LINE_TOKEN not in line)


def record_sha256(html: bytes) -> str:
    return hashlib.sha256(without_hash_line(html)).hexdigest()


def render_html(content: RecordContent) -> tuple[bytes, str]:
    """The record's HTML and its sha256 (printed in it)."""
    parts = []
    for section in sections():
        extra = section.context(content) if section.context else {}
        parts.append({"section": section, "html": render_to_string(section.template, {"content": content, **extra})})
    html = render_to_string("records/record.html", {"content": content, "parts": parts, "sha256": _PLACEHOLDER})
    data = html.encode("utf-8")
    if data.count(_PLACEHOLDER.encode()) != 1:
        raise ValueError("A record's HTML must hold its hash line exactly once.")
    sha256 = record_sha256(data)
    return data.replace(_PLACEHOLDER.encode(), sha256.encode()), sha256


def render_pdf(html: bytes) -> bytes:
    """The PDF of a record's HTML: the marking and page numbers in every page's margins."""
    from weasyprint import HTML

    return HTML(string=html.decode("utf-8"), base_url=None).write_pdf()
