"""The audit log, for program coordinators: filtered by days, action, actor and case, its objects
named as people read them, and exported as CSV (audited)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.db.models import CharField, Exists, Model, OuterRef, QuerySet, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import coordinator_required
from accounts.models import User
from agencies.models import Agency
from audit import services
from audit.models import AuditEvent
from audit.selectors import action_choices, audit_log_filtered
from audit.services import verify_chain
from cases.models import AIModel, ReviewCase
from cases.selectors import cases_for
from core import forms as cp
from core.formats import iso
from core.web import keyset_page
from firms.models import Firm


class AuditFilterForm(cp.Form):
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.ChoiceField(required=False, label="Action")
    actor = forms.CharField(required=False, label="Actor email")
    case = forms.CharField(required=False, label="Case reference")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *action_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The last day must not be before the first.")
        return data


# How a person reads an object of each kind: these are looked up, all kinds in one query (a UNION);
# the others are named by their kind and number.
_NAMED: dict[str, tuple[type[Model], Any]] = {
    "cases.reviewcase": (ReviewCase, Concat(Value("case "), "reference", output_field=CharField())),
    "cases.aimodel": (AIModel, Concat(Value("model "), "name", Value(" "), "version", output_field=CharField())),
    "accounts.user": (User, Concat(Value("account "), "email", output_field=CharField())),
    "firms.firm": (Firm, Concat(Value("firm "), "name", output_field=CharField())),
    "agencies.agency": (Agency, Concat(Value("agency "), "short_name", output_field=CharField())),
}


def _kind(target_type: str) -> str:
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def name_objects(events: Iterable[AuditEvent], *, known: dict[tuple[str, str], str] | None = None) -> dict[int, str]:
    """Each event's object as people read it ("case CP-2026-0013", "finding 12 of case CP-2026-0013"),
    by event id. ``known``: names the page has already, by (target type, id), not looked up again."""
    events = list(events)
    known = known or {}
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if (event.target_type, event.target_id) in known:
            continue
        if event.target_type in _NAMED and event.target_id.isdigit():
            wanted[event.target_type].add(int(event.target_id))
    parts = [
        _NAMED[target_type][0]
        ._default_manager.filter(pk__in=ids)
        .order_by()
        .annotate(kind=Value(target_type, output_field=CharField()), label=_NAMED[target_type][1])
        .values_list("kind", "pk", "label")
        for target_type, ids in sorted(wanted.items())
    ]
    found: dict[tuple[str, str], str] = dict(known)
    if parts:
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        found.update({(kind, str(pk)): label for kind, pk, label in union})
    names = {}
    for event in events:
        if not event.target_type:
            names[event.pk] = ""
            continue
        name = found.get((event.target_type, event.target_id))
        if name is None:
            name = f"{_kind(event.target_type)} {event.target_id}"
            if event.case_id and event.target_type != "cases.reviewcase":
                name += f" of case {event.case.reference}"
        names[event.pk] = name
    return names


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        events = audit_log_filtered(
            since=data["since"],
            until=data["until"],
            action=data["action"],
            actor=data["actor"],
            case_reference=data["case"],
        )
    elif form.is_bound:
        events = audit_log_filtered().none()
    else:
        events = audit_log_filtered()
    return form, events


@coordinator_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    # A row links its case only if the reader may open it (a draft is the firm's own): no link of
    # ours leads to "Page not found".
    events = events.annotate(case_openable=Exists(cases_for(request.user).filter(pk=OuterRef("case_id"))))
    # Newest first, found from the last page's first or last event: no COUNT over a log that grows
    # to millions of rows, no OFFSET.
    page = keyset_page(request, events, per_page=50)
    names = name_objects(page.rows)
    rows = [(event, names[event.pk]) for event in page.rows]
    # The export is the filtered view, every row: not the page shown.
    export_query = request.GET.copy()
    for cursor in ("before", "after", "page"):
        export_query.pop(cursor, None)
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page": page, "rows": rows, "export_query": export_query.urlencode()},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    # Neutralise spreadsheet formulas in text cells (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return value


EXPORT_HEADER = ["at", "actor", "action", "case", "object", "address", "data"]


@coordinator_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered view of the log as CSV (every row, not only the page shown), moments in ISO 8601
    in the program's time zone. Audited, with the filters and the number of rows."""
    form, events = _filtered(request)
    if form.is_bound and not form.is_valid():
        messages.error(
            request, "Correct the filters first: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
        return redirect("audit:list")
    services.audit_log_export_record(actor=request.user, filters=getattr(form, "cleaned_data", {}), rows=events.count())
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_HEADER)
        batch: list[AuditEvent] = []
        for event in events.iterator(chunk_size=500):
            batch.append(event)
            if len(batch) == 500:
                yield from _write(writer, batch)
                batch = []
        yield from _write(writer, batch)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="checkpoint-audit-log.csv"'
    return response


def _write(writer: Any, batch: list[AuditEvent]) -> Iterator[str]:
    names = name_objects(batch)
    for event in batch:
        cells = [
            iso(event.at),
            event.actor_label,
            event.action,
            event.case.reference if event.case_id else "",
            names[event.pk],
            event.ip or "",
            json.dumps(event.data, sort_keys=True) if event.data else "",
        ]
        yield writer.writerow([_cell(c) for c in cells])


@coordinator_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    problem = verify_chain()
    if problem is None:
        messages.success(request, "The audit chain is intact: no event was altered or removed.")
    else:
        messages.error(request, problem.message)
    return redirect("audit:list")
