"""``normal_html(html)``: markup with its layout taken out, for comparing what a tag writes with
what the template it replaced wrote (runs of whitespace as one space, none between two tags, none
at the start of a class list)."""

from __future__ import annotations

import re


def normal_html(html: str) -> str:
    html = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()
    return html.replace('class=" ', 'class="')
