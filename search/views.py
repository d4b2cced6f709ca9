"""The search page: the header's box leads here; results grouped by kind, each count what the
reader may open (search.selectors)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.web import paginate
from search import selectors
from search.forms import SearchForm

PER_KIND = 10  # hits shown of each kind on the grouped page; "Show all" pages through one kind


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    filters = form.filters()
    full_text = selectors.full_text_available()
    terms = selectors.terms_of(text)
    groups = selectors.search_for(request.user, text, filters, full_text=full_text)
    page = None
    for group in groups:
        if filters.kind:
            page = paginate(request, group.hits)
            group.count, group.rows = page.paginator.count, list(page.object_list)
        else:
            group.count = group.hits.count()
            group.rows = list(group.hits[:PER_KIND]) if group.count else []
        for row in group.rows:
            row.snippet = selectors.snippet_html(row.snippet_raw, terms, full_text=full_text)
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "text": text,
            "searched": bool(terms),
            "groups": groups,
            "page": page,
            "total": sum(group.count for group in groups),
            "full_text": full_text,
            "per_kind": PER_KIND,
        },
    )
