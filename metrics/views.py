"""The metrics page (charts with their tables) and each figure as CSV. Coordinators read the
program, supervisors their agency (metrics.policy); everyone else is refused (403, a role page)."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from metrics import policy, selectors, services


def _metrics(request: HttpRequest) -> selectors.Metrics:
    refusal = policy.metrics_view_refusal(request.user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return services.metrics_current(reader=request.user)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "metrics/dashboard.html", {"metrics": _metrics(request)})


def _cell(value: object) -> object:
    # Neutralise spreadsheet formulas in text cells (CSV injection).
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_GET
def figure_csv(request: HttpRequest, key: str) -> HttpResponse:
    metrics = _metrics(request)
    try:
        figure = metrics.figure(key)
    except StopIteration:
        raise Http404("No such figure.") from None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(figure.columns)
    writer.writerows([[_cell(c) for c in row] for row in figure.rows])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="checkpoint-metrics-{figure.key}.csv"'
    return response
