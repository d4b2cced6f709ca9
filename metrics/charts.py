"""Bar charts drawn on the server as SVG, accessible: a title and a description inside the SVG
(``role="img"`` labelled by both), and the page puts the figure's data table beside each chart."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
TOP = 8


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def bar_chart(
    *, key: str, title: str, description: str, labels: Sequence[str], values: Sequence[float | None], unit: str = ""
) -> SafeString:
    """Horizontal bars, one per label; a missing value (None) is drawn as "no data"."""
    present = [v for v in values if v is not None]
    top = max(present, default=0) or 1
    height = TOP * 2 + len(labels) * (BAR_HEIGHT + GAP)
    scale = (WIDTH - LABEL_WIDTH - 70) / top
    rows = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + i * (BAR_HEIGHT + GAP)
        text = "no data" if value is None else f"{_number(value)}{unit}"
        width = 0 if value is None else max(1.0, value * scale)
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="#005ea2"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">{escape(text)}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cp-chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" aria-labelledby="{key}-title {key}-desc" font-family="sans-serif" font-size="13" fill="#1b1b1b">'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(description)}</desc>'
        + "".join(rows)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped  # nosec B308 B703
