"""Health endpoints for the proxy and the operator, and the page of an unexpected error."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.http import require_GET

from ops.health import readiness


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is asked (no database, no Redis)."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The node can serve: database, migrations, Redis, document storage and a recent beat."""
    checks = readiness()
    ready = all(result == "ok" for result in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, self-contained (no context processor, no database): it names the request id
    so that a person can quote it to the program office, and the operator finds the log line."""
    template = loader.get_template("500.html")
    context = {
        "request_id": getattr(request, "request_id", ""),
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
    return HttpResponse(template.render(context), status=500)
