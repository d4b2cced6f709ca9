"""The project's URLs plus one ``/api/`` page, to see how the MFA middleware answers API paths
whether or not the API exists yet."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def api_probe(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("api/probe/", api_probe, name="api_probe"),
    path("", include("portal.urls")),
]
