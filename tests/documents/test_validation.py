"""The checks on their own: every allowed type is accepted when its content agrees with its name,
and display names are cleaned."""

from __future__ import annotations

import random
import zipfile

import pytest

from core.errors import DomainError
from documents.validation import CHUNK, ZIP_RATIO_FLOOR, check_file, clean_display_name
from tests.builders import pdf_bytes
from tests.documents.support import (
    JPEG_BYTES,
    OLE_HEADER,
    PNG_BYTES,
    docx_bytes,
    encrypted_flag_zip,
    lying_headers_zip,
    nested_zip,
    object_stream,
    ole_bytes,
    ooxml_bytes,
    pdf_with,
    relationships,
    zip_bytes,
)


def _scattered_zip() -> bytes:
    """A workbook package with a sector of other data inside it, as a compound file may store it."""
    package = ooxml_bytes("xl/", "workbook.xml")
    directory = package.index(b"PK\x01\x02")
    return package[:directory] + b"\0" * 512 + package[directory:]


def _digits(count: int) -> bytes:
    """Numbers as a CSV would hold them: compresses about 2:1, as real data does."""
    generator = random.Random(9)
    return b"".join(b"%d,%d\n" % (generator.randrange(10**6), generator.randrange(10**6)) for _ in range(count))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", pdf_bytes(), "application/pdf"),
        ("Report.PDF", pdf_bytes(), "application/pdf"),
        ("eval.docx", ooxml_bytes("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (
            "scores.xlsx",
            ooxml_bytes("xl/", "workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "deck.pptx",
            ooxml_bytes("ppt/", "presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("old.doc", OLE_HEADER + b"\0" * 504, "application/msword"),
        ("old.xls", OLE_HEADER + b"\0" * 504, "application/vnd.ms-excel"),
        ("old.ppt", OLE_HEADER + b"\0" * 504, "application/vnd.ms-powerpoint"),
        ("notes.txt", "Résumé: the model refused 97% of prompts.\n".encode(), "text/plain; charset=utf-8"),
        ("notes.txt", b"MZ-7 evaluation: a text that starts like an executable.\n", "text/plain; charset=utf-8"),
        ("bom.txt", b"\xef\xbb\xbfWith a byte-order mark\n", "text/plain; charset=utf-8"),
        ("report.md", b"# Report\n\n- a <b>bold</b> claim, 3 < 4 and 5 > 2\n", "text/markdown; charset=utf-8"),
        ("table.csv", b"prompt,outcome\n1,refused\n", "text/csv; charset=utf-8"),
        ("data.json", b'{"refusals": [1, 2, 3]}', "application/json"),
        ("figure.png", PNG_BYTES, "image/png"),
        ("photo.jpg", JPEG_BYTES, "image/jpeg"),
        ("photo.jpeg", JPEG_BYTES, "image/jpeg"),
        ("logs.zip", zip_bytes({"logs/run1.txt": b"ok", "logs/run2.txt": b"ok"}), "application/zip"),
        ("office.zip", ooxml_bytes("word/"), "application/zip"),
        ("dolls.zip", nested_zip(3), "application/zip"),
        # Tiny entries compress far more than 100:1 and are not bombs: the ratio applies past 1 MiB.
        (
            "tiny.zip",
            zip_bytes({"empty.txt": b"", "a.txt": b"a", "same.txt": b"x" * 4096, "zeros.bin": b"\0" * (900 * 1024)}),
            "application/zip",
        ),
        ("data.zip", zip_bytes({"results.csv": _digits(300_000)}), "application/zip"),
        # A sparse tensor of 3 MiB compresses past 1000:1: under the floor, it is not a bomb.
        ("tensor.zip", zip_bytes({"weights.bin": b"\0" * (3 * 1024 * 1024 - 8) + b"\x01" * 8}), "application/zip"),
        # A PDF that carries a ZIP at its end passes, as long as that ZIP keeps the archive rules.
        ("with-data.pdf", pdf_bytes() + zip_bytes({"data.csv": b"a,b\n1,2\n"}), "application/pdf"),
        # ...and one that no ZIP tool could extract either is no risk: a workbook embedded in a .doc
        # whose sectors split it, an encrypted attachment.
        ("embedded.doc", ole_bytes("Root Entry", "WordDocument") + _scattered_zip(), "application/msword"),
        ("locked-attachment.pdf", pdf_bytes() + encrypted_flag_zip(), "application/pdf"),
        # What ordinary Office and PDF files carry is accepted.
        (
            "links.docx",
            docx_bytes(
                rels=relationships(
                    ("hyperlink", "https://example.com/model-card", "External"),
                    ("hyperlink", "mailto:evals@example.com", "External"),
                    ("attachedTemplate", "file:///C:\\Users\\alex\\Templates\\Report.dotx", "External"),
                    ("attachedTemplate", "https://northwind.sharepoint.com/Templates/Report.dotx", "External"),
                    ("oleObject", "file:///C:\\Data\\scores.xlsx", "External"),
                    ("image", "media/image1.png", ""),
                )
            ),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "words.doc",
            ole_bytes("Root Entry", "WordDocument", text=b"x" + "_VBA_PROJECT".encode("utf-16-le")),
            "application/msword",
        ),
        (
            "attachment.pdf",
            pdf_with(
                b"<< /Type /Filespec /F (data.csv) /EF << /F 3 0 R >> >>",
                b"<< /Type /EmbeddedFile /Length 4 >>\nstream\na,b\nendstream",
                b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.com) >> >>",
                object_stream(b"5 0 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
            ),
            "application/pdf",
        ),
        (
            "encrypted.pdf",
            pdf_with(b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n\x8a\x01\x02garbled\nendstream")
            + b"trailer\n<< /Encrypt 9 0 R >>\n",
            "application/pdf",
        ),
    ],
)
def test_allowed_files_pass(tmp_path, settings, name, content, content_type):
    settings.DOCUMENT_UPLOAD_TEMP_DIR = tmp_path / "tmp"
    path = tmp_path / "upload"
    path.write_bytes(content)
    assert check_file(path, name).content_type == content_type


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\alex\\Desktop\\card.pdf", "card.pdf"),
        ("a\x00b\x1b[31m.pdf", "ab[31m.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("  many    spaces\t\tand tabs .pdf ", "many spaces and tabs .pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("Évaluation finale.pdf", "Évaluation finale.pdf"),
    ],
)
def test_display_names_are_cleaned(raw, shown):
    assert clean_display_name(raw) == shown


@pytest.mark.parametrize("raw", ["", "...", "\u202e\u200b", "../..", "/"])
def test_a_name_with_nothing_left_is_refused(raw):
    with pytest.raises(DomainError, match="no usable name"):
        clean_display_name(raw)


def test_a_bomb_whose_headers_lie_is_stopped_soon_after_its_limit(tmp_path, settings, monkeypatch):
    """256 MiB of zeros declared as 10 bytes: the check counts what it inflates and stops a chunk past
    100 times the compressed size, long before the end (and well under the 4 GiB expanded limit)."""
    settings.DOCUMENT_UPLOAD_TEMP_DIR = tmp_path / "tmp"
    path = tmp_path / "bomb.zip"
    path.write_bytes(lying_headers_zip(256 * 1024 * 1024))
    compressed = zipfile.ZipFile(path).infolist()[0].compress_size
    inflated = []
    read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    with pytest.raises(DomainError, match="expands more than 100 times its size") as refused:
        check_file(path, "bomb.zip")
    assert refused.value.code == "zip"
    assert sum(inflated) <= max(ZIP_RATIO_FLOOR, 100 * compressed) + CHUNK
    assert sum(inflated) < 256 * 1024 * 1024 // 5
    assert not (tmp_path / "tmp").exists() or list((tmp_path / "tmp").iterdir()) == []
