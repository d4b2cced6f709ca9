"""Finding active markup in text files: markup that a browser, or a Markdown renderer that
passes HTML through, would make live.

A text file is refused when it holds, anywhere:

- a tag that runs script, loads content, changes the page or switches to foreign content
  (``<script``, ``<iframe``, ``<object``, ``<meta``, ``<style``, ``<svg`` ..., see ``DANGEROUS_TAGS``);
- an event-handler attribute (``on…=``) inside a tag. Tags are tokenized as the HTML tokenizer does
  (attribute names start after whitespace, ``/`` or a closing quote, and a ``>`` inside a quoted
  value does not end the tag), and *every* ``<`` + letter is taken as a possible tag start, even
  inside another tag's quoted value or an HTML comment: a Markdown renderer that escapes the first
  tag (it does, when the tag is broken by a blank line) makes the inner one live;
- a ``javascript:``, ``vbscript:``, ``livescript:``, ``data:text/html`` or
  ``data:application/xhtml+xml`` URL as an attribute value (``href=…``), a Markdown link or image
  destination (``](…)``), a link reference definition (``]: …``) or an autolink (``<…>``), after
  decoding character references and backslash escapes and dropping the whitespace and control
  characters that browsers ignore in a URL (``java&#x09;script&colon;`` is ``javascript:``);
- an event-handler attribute in a Pandoc or kramdown attribute list (``{onclick=…}``).

Ordinary Markdown passes: ``a < b``, ``x<y``, ``<-`` and ``<=``, autolinks such as
``<https://example.com>`` and ``<someone@example.com>``, HTML comments, and plain tags such as
``<b>``, ``<br>``, ``<details>`` or ``<img src="https://…" alt="…">``.

The text arrives in chunks (``feed``) and memory stays flat: a window of the previous chunk's last
``OVERLAP`` characters is scanned again with the next chunk, with the tokenizer's state at the
window's cut, so a pattern split by a chunk boundary is still seen. The tokenizer keeps the *set* of
states all possible tag starts are in (in a tag, before an attribute value, in a quoted value), so
its work grows with the text, never with the number of tags open at once; runs of text and simple
complete tags are passed by one regular expression, without a Python step per character.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right

# Elements refused wherever they appear, whatever their attributes: they run script or load content
# (script, iframe, frame, frameset, object, embed, applet, portal), change the page around them (base,
# meta, link, form, style, html, head, body), or switch to foreign content with its own script and
# link elements (svg, math). Raw-text elements (title, textarea, xmp, noscript, ...) are not among
# them: "</title>" inside what looks like an attribute value ends a <title> early, but every "<" +
# letter is taken as a tag start here, so the markup after it is checked anyway; and "<title>" is a
# common placeholder in prose ("git notes add <title>").
DANGEROUS_TAGS = (
    "applet",
    "base",
    "body",
    "embed",
    "form",
    "frame",
    "frameset",
    "head",
    "html",
    "iframe",
    "link",
    "math",
    "meta",
    "object",
    "portal",
    "script",
    "style",
    "svg",
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:text/html", "data:application/xhtml+xml")

# How much of a window is scanned again with the next chunk (longer than any pattern below).
OVERLAP = 8192
# Whitespace after a handler-like name longer than this is refused without waiting for its "=":
# it could run past the overlap.
_LONG_SPACE = 2048
# Steps of the tokenizer (each a tag start, an end, a quote or an "=" inside a tag) for one file.
# Ordinary text takes a handful; past this the text is refused as too markup-dense to check.
EVENT_BUDGET = 5_000_000

_WS = "\t\n\f\r "
# Tokenizer states, as bits of a set: in a tag (name, attributes, unquoted value), just after an
# "=" (before the value), in a double-quoted value, in a single-quoted value.
_TAG, _BEFORE_VALUE, _DQ, _SQ = 1, 2, 4, 8

_DANGEROUS_TAG_SET = frozenset(DANGEROUS_TAGS)
# A "<" and a name as long as the dangerous ones, ending where a tag name ends (or at the end).
_TAG_NAME = re.compile(r"<([A-Za-z]{3,8})(?=[\t\n\f\r />]|\Z)")
# English words that start with "on" but name no event ("one" would be the handler of an event
# called "e"): a stray "<" before "one = 1" in a code sample is not a tag with a handler.
NOT_HANDLERS = (
    "one",
    "ones",
    "only",
    "once",
    "onto",
    "onset",
    "onion",
    "onus",
    "online",
    "ongoing",
    "onward",
    "onwards",
)
_HANDLER_NAME = r"(on(?!(?:" + "|".join(word[2:] for word in NOT_HANDLERS) + r")(?![a-z]))[a-z]{1,40})"
# An attribute name starting with "on", after whitespace, a slash or a closing quote, with its "="
# (or a run of whitespace too long to wait for one).
_HANDLER = re.compile(
    r"[\t\n\f\r /\"']" + _HANDLER_NAME + r"(?:[\t\n\f\r ]*+=|[\t\n\f\r ]{" + str(_LONG_SPACE) + "})",
    re.IGNORECASE,
)
# Pandoc ``[text]{onclick=...}`` and kramdown ``{: onclick="..."}`` attribute lists.
_BRACE_HANDLER = re.compile(r"\{(?:[^{}\n]{0,4096}?[\t :\"'])?" + _HANDLER_NAME + r"[\t ]*=", re.IGNORECASE)

# A complete tag that needs no further look: tokenized exactly as the HTML tokenizer does, with no
# attribute name starting with "on" and no "<" anywhere inside it (a "<" + letter inside a value
# is a possible tag start of its own). Everything else goes through the state-set tokenizer.
_CLEAN_TAG = (
    r"<[A-Za-z][^\t\n\f\r /><]*+"
    r"(?>"
    r"[\t\n\f\r /]++"
    r"|(?![oO][nN])[^\t\n\f\r /><][^\t\n\f\r />=<]*+"
    r"(?>[\t\n\f\r ]*+=[\t\n\f\r ]*+(?>\"[^\"<]*+\"|'[^'<]*+'|[^\t\n\f\r >\"'<][^\t\n\f\r ><]*+|(?=>))"
    r"|(?![\t\n\f\r ]*+=))"
    r")*+>"
)
_SKIP = re.compile(r"(?:[^<]++|<+(?=[^A-Za-z])|" + _CLEAN_TAG + r")*+")


def _event_pattern(states: int) -> re.Pattern[str]:
    """The characters that change at least one of ``states`` (all others leave each as it is)."""
    parts = []
    if not states & _TAG:
        parts.append("<[A-Za-z]")  # a tag opens (inside a tag already, a '<' is part of a name)
    if states & _TAG:
        parts.append("[>=]")
    if states & _BEFORE_VALUE:
        parts.append("[^\t\n\f\r ]")
    if states & _DQ:
        parts.append('"')
    if states & _SQ:
        parts.append("'")
    return re.compile("|".join(parts))


_EVENTS = {states: _event_pattern(states) for states in range(1, 16)}

# The URL view: character references decoded, then backslashes, whitespace and control characters
# dropped (browsers ignore tabs and newlines anywhere in a URL and spaces and controls around it).
_URL_TRIGGERS = ("](", "]:", "=", "<")
_URL_QUOTES = "\"'<"
_URL_DROPPED = dict.fromkeys([*range(0x21), ord("\\"), 0x7F])
# Leading zeros of a numeric character reference (any number of them is allowed: "&#0000106;" is j).
_REF_ZEROS = re.compile(r"(&#[xX]?)0+(?=[0-9a-fA-F]|\Z)")
# A character reference cut by the end of a chunk: kept for the next one.
_REF_TAIL = re.compile(r"&(?:#[xX]?[0-9a-fA-F]{0,8}|[A-Za-z][A-Za-z0-9]{0,31})?\Z")
_URL_OVERLAP = 256


class ActiveMarkup(Exception):
    """What was found, in words; where (a character offset in the text, when known); and the text."""

    def __init__(self, what: str, offset: int | None = None, excerpt: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.offset = offset
        self.excerpt = excerpt


def _is_letter(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


def _excerpt(text: str, start: int, length: int = 40) -> str:
    return " ".join(text[start : start + length].split())


class MarkupScanner:
    """Feed the text in order (``feed(chunk)``, then ``feed("", final=True)``); raises
    ActiveMarkup at the first finding."""

    def __init__(self, *, label: str = "", markdown: bool = False) -> None:
        self.label = label  # "" for the text itself, else how it was decoded ("as JSON strings")
        self.markdown = markdown  # also refuse handlers in Pandoc/kramdown attribute lists
        self._carry = ""
        self._carry_offset = 0  # offset in the whole text of the carry's first character
        self._states = 0
        self._events = 0
        self._url_pending = ""
        self._url_carry = ""

    def feed(self, text: str, *, final: bool = False) -> None:
        window = self._carry + text
        base = self._carry_offset
        cut = len(window) if final else max(0, len(window) - OVERLAP)
        intervals, states_at_cut = self._tokenize(window, cut)
        self._check_window(window, base, intervals, final)
        self._check_urls(text, final)
        self._carry = window[cut:]
        self._carry_offset = base + cut
        self._states = states_at_cut

    # --- the tokenizer ---------------------------------------------------------------------------

    def _tokenize(self, text: str, cut: int) -> tuple[list[tuple[int, int]], int]:
        """The stretches of ``text`` that some tag start has in a tag, and the state set at ``cut``."""
        n = len(text)
        states = self._states
        intervals: list[tuple[int, int]] = []
        tag_start = 0 if states & _TAG else -1
        pos = 0
        states_at_cut = states
        for end in (cut, n):
            while pos < end:
                if not states:
                    # The fast path stops before the cut, so that the state there is exact.
                    skipped = _SKIP.match(text, pos, end)
                    assert skipped is not None  # the pattern matches the empty string
                    pos = skipped.end()
                    if pos >= end or pos + 1 >= n:
                        break  # a '<' at the very end is read again with what follows it
                    if _is_letter(text[pos + 1]):
                        # A '<' + letter that opens a tag the fast path could not pass.
                        states, tag_start = _TAG, pos
                        self._count()
                    pos += 1
                    continue
                # Searched past ``end`` so that a '<' just before it sees the letter after it.
                match = _EVENTS[states].search(text, pos)
                if match is None or match.start() >= end:
                    pos = end
                    break
                i = match.start()
                char = text[i]
                new = 0
                if states & _TAG:
                    if char == "=":
                        new |= _TAG | _BEFORE_VALUE
                    elif char != ">":
                        new |= _TAG
                if states & _BEFORE_VALUE:
                    if char in _WS:
                        new |= _BEFORE_VALUE
                    elif char == '"':
                        new |= _DQ
                    elif char == "'":
                        new |= _SQ
                    elif char != ">":
                        new |= _TAG
                if states & _DQ:
                    new |= _TAG if char == '"' else _DQ
                if states & _SQ:
                    new |= _TAG if char == "'" else _SQ
                if char == "<" and i + 1 < n and _is_letter(text[i + 1]):
                    new |= _TAG
                if new & _TAG and not states & _TAG:
                    tag_start = i
                elif states & _TAG and not new & _TAG:
                    intervals.append((tag_start, i))
                    tag_start = -1
                states = new
                self._count()
                pos = i + 1
            if end == cut:
                states_at_cut = states
                if cut == n:
                    break
        if states & _TAG:
            intervals.append((tag_start, n))
        return intervals, states_at_cut

    def _count(self) -> None:
        self._events += 1
        if self._events > EVENT_BUDGET:
            raise ActiveMarkup(f"more than {EVENT_BUDGET:,} tag-like constructs, too many to check")

    # --- what is refused ---------------------------------------------------------------------------

    def _check_window(self, window: str, base: int, intervals: list[tuple[int, int]], final: bool) -> None:
        for match in _TAG_NAME.finditer(window):
            name = match.group(1).lower()
            if name in _DANGEROUS_TAG_SET and (final or match.end() < len(window)):
                raise ActiveMarkup(f"a <{name}> tag", base + match.start(), _excerpt(window, match.start()))
        if intervals:
            starts = [start for start, _end in intervals]
            for found in _HANDLER.finditer(window):
                at = found.start(1)
                k = bisect_right(starts, at) - 1
                if k >= 0 and at <= intervals[k][1]:
                    raise ActiveMarkup(
                        f"an {found.group(1).lower()}= event-handler attribute", base + at, _excerpt(window, at)
                    )
        brace = _BRACE_HANDLER.search(window) if self.markdown else None
        if brace:
            raise ActiveMarkup(
                f"an {brace.group(1).lower()}= event handler in an attribute list",
                base + brace.start(),
                _excerpt(window, brace.start()),
            )

    def _check_urls(self, text: str, final: bool) -> None:
        raw = _REF_ZEROS.sub(r"\1", self._url_pending + text)
        pending = ""
        if not final:
            tail = _REF_TAIL.search(raw)
            if tail:
                pending, raw = raw[tail.start() :], raw[: tail.start()]
        view = self._url_carry + html.unescape(raw).translate(_URL_DROPPED)
        scheme = _dangerous_url(view.lower())
        if scheme:
            raise ActiveMarkup(f"a {scheme} URL in a link or attribute value")
        self._url_pending = pending
        self._url_carry = view[-_URL_OVERLAP:]


def _dangerous_url(view: str) -> str | None:
    """The dangerous scheme that starts a link or attribute value in the (lower-case) URL view: one of
    ``](``, ``]:``, ``=`` or ``<``, then at most three quotes or "<", then the scheme."""
    for scheme in DANGEROUS_SCHEMES:
        at = view.find(scheme)
        while at >= 0:
            for quotes in range(4):
                start = at - quotes
                if start < 0 or any(char not in _URL_QUOTES for char in view[start:at]):
                    break
                if view.endswith(_URL_TRIGGERS, 0, start):
                    return scheme
            at = view.find(scheme, at + 1)
    return None


# --- decoded views of CSV and JSON --------------------------------------------------------------


class CsvUnquoter:
    """A CSV field's text as a reader of the file sees it: a doubled quote is one quote."""

    def __init__(self) -> None:
        self._pending = ""

    def __call__(self, text: str, *, final: bool = False) -> str:
        text = self._pending + text
        self._pending = ""
        if not final:
            # An odd run of quotes at the end may pair with the first quote of the next chunk.
            run = len(text) - len(text.rstrip('"'))
            if run % 2:
                text, self._pending = text[:-1], '"'
        return text.replace('""', '"')


_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([\"\\/bfnrt]))")
_JSON_ESCAPE_TAIL = re.compile(r"(\\+)(u[0-9a-fA-F]{0,3})?\Z")
_JSON_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _json_unescape(match: re.Match[str]) -> str:
    if match.group(1):
        return chr(int(match.group(1), 16))
    return _JSON_SIMPLE[match.group(2)]


class JsonUnescaper:
    """JSON strings as a reader of the file sees them: ``\\u003c`` is ``<`` and ``\\"`` is ``"``."""

    def __init__(self) -> None:
        self._pending = ""

    def __call__(self, text: str, *, final: bool = False) -> str:
        text = self._pending + text
        self._pending = ""
        if not final:
            tail = _JSON_ESCAPE_TAIL.search(text)
            if tail and len(tail.group(1)) % 2 == 1:
                split = tail.end(1) - 1
                text, self._pending = text[:split], text[split:]
        return _JSON_ESCAPE.sub(_json_unescape, text)
