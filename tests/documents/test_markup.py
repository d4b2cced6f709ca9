"""The markup scanner on its own: a finding split by a chunk boundary is still found,
wherever the boundary falls; ordinary text is not refused; and hostile text costs bounded work."""

from __future__ import annotations

import pytest

from documents import markup
from documents.markup import ActiveMarkup, CsvUnquoter, JsonUnescaper, MarkupScanner


def scan(text: str, *, chunk: int | None = None) -> str | None:
    scanner = MarkupScanner(markdown=True)
    try:
        if chunk:
            for start in range(0, len(text), chunk):
                scanner.feed(text[start : start + chunk])
            scanner.feed("", final=True)
        else:
            scanner.feed(text, final=True)
    except ActiveMarkup as found:
        return found.what
    return None


HOSTILE = [
    '<img src="x"onerror=alert(1)>',
    "<img alt='>' onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="java&#x09;script&colon;alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x]: vbscript:msgbox(1)",
    "<javascript:alert(1)>",
    "{: onclick=alert(1)}",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_finding_is_seen_wherever_a_chunk_boundary_falls(payload):
    text = "Some prose before it.\n" + payload + "\nand after.\n"
    assert scan(text)
    for size in range(1, len(text) + 1):
        assert scan(text, chunk=size), f"missed with chunks of {size}"


def test_a_tag_opened_a_megabyte_earlier_is_still_a_tag(monkeypatch):
    # The tokenizer's state crosses the overlap: the handler is far from its "<img".
    text = "<img src=x title=" + "a" * (3 * markup.OVERLAP) + " onerror=alert(1)>"
    assert scan(text, chunk=1000)
    # ...and a ">" inside a quoted value, far from both, does not end the tag.
    text = '<img alt="' + ">" * (3 * markup.OVERLAP) + '" onerror=alert(1)>'
    assert scan(text, chunk=1000)


def test_whitespace_longer_than_the_overlap_before_the_equals_sign():
    text = "<img src=x onerror" + " " * (3 * markup.OVERLAP) + "=alert(1)>"
    assert scan(text, chunk=1000)


def test_padding_longer_than_the_overlap_inside_a_url():
    text = '<a href="' + "&#9;" * (3 * markup.OVERLAP) + 'javascript:alert(1)">x</a>'
    assert scan(text, chunk=1000)
    text = "[x](&#" + "0" * (3 * markup.OVERLAP) + "106;avascript:alert(1))"
    assert scan(text, chunk=1000)


@pytest.mark.parametrize(
    "text",
    [
        "a < b, x<y, a <- b, a <= b, 1<2, std::vector<int>\n",
        "x<y then one = 1 and only = 2 and later z > w\n",
        "<https://example.com> <someone@example.com> <!-- note -->\n",
        "<details><summary>More</summary></details> <b>bold</b> <br/> <s> <pad> </s>\n",
        '<img src="https://example.com/x.png" alt="chart">\n',
        "Prose about javascript: URLs and the onclick attribute.\n",
        "[link](https://example.com/a_(b)) ![img](data:image/png;base64,AAAA)\n",
        "function f() { return a.onload; } a = {x: 1}\n",
    ],
)
def test_ordinary_text_passes_in_any_chunking(text):
    assert scan(text) is None
    for size in (1, 2, 3, 7, 64):
        assert scan(text, chunk=size) is None


def test_too_many_tag_like_constructs_are_refused_rather_than_checked_forever(monkeypatch):
    monkeypatch.setattr(markup, "EVENT_BUDGET", 1000)
    assert "too many to check" in scan('x<y a="b" ' * 1000)


def test_csv_and_json_views_decode_across_chunk_boundaries():
    unquote = CsvUnquoter()
    assert unquote('a,"say ""hi"', final=False) + unquote('""",b', final=True) == 'a,"say "hi"",b'
    unescape = JsonUnescaper()
    pieces = ['{"a": "\\', "u003", 'cimg\\\\u003c\\"', '"}']
    decoded = "".join(unescape(piece, final=False) for piece in pieces) + unescape("", final=True)
    assert decoded == '{"a": "<img\\u003c""}'
