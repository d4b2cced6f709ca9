"""``object_url``: the address of one object's page, as ``reverse`` writes it, for pages that list
dozens of objects.

``reverse`` matches the route's pattern, converts and quotes its arguments, and checks the result
against the pattern again: about 20 µs a link, a third of a list row's cost. For a route whose one
argument is a key (``<int:pk>``), the address is the same text around the number each time, so the
text is reversed once per URLconf and route (with a probe key) and the key written between.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# A key no table reaches, written once into each route and found again in the address.
_PROBE = 7_000_000_000_000_000_003
_SHAPES: dict[tuple[object, str, str], tuple[str, str]] = {}


def object_url(viewname: str, pk: int) -> str:
    """``reverse(viewname, args=[pk])`` for a route of one ``<int:...>`` argument (another route
    raises reverse's ``NoReverseMatch``, or ``ValueError`` when the key is not in its address)."""
    if not isinstance(pk, int) or isinstance(pk, bool) or pk < 0:
        return reverse(viewname, args=[pk])  # not a key: reverse's own answer (or its error)
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), viewname)
    shape = _SHAPES.get(key)
    if shape is None:
        probed = reverse(viewname, args=[_PROBE])
        before, found, after = probed.partition(str(_PROBE))
        if not found or str(_PROBE) in after:
            raise ValueError(f"{viewname!r} does not take one key: use reverse().")
        shape = _SHAPES[key] = (before, after)
    return f"{shape[0]}{pk}{shape[1]}"
