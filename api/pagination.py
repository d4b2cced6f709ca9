from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Opaque cursors (``next``/``previous`` links): stable while rows are added."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:  # a cursor that is not one of ours is bad input, not a missing object
            raise ValidationError(
                {self.cursor_query_param: ["Invalid cursor: use the next or previous link."]}
            ) from None
