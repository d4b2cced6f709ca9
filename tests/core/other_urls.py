"""URLconfs where pages live elsewhere (tests/core/test_object_url.py)."""

from django.http import HttpResponse
from django.urls import include, path, register_converter


class _Hex:
    regex = "[0-9a-f]+"

    def to_python(self, value: str) -> int:
        return int(value, 16)

    def to_url(self, value: int) -> str:
        return f"{value:x}"


register_converter(_Hex, "hex")


def _page(request: object, pk: int) -> HttpResponse:
    return HttpResponse()


urlpatterns = [
    path("elsewhere/<int:pk>/", include(([path("", _page, name="detail")], "cases"))),
    path("hex/<hex:pk>/", include(([path("", _page, name="detail")], "findings"))),
]
