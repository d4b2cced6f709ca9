"""The search page: the header's box leads here; results grouped by kind, each count what the
reader may open (search.selectors)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.db import custom_plans
from core.policy import decide
from core.web import attempt, keyset_page
from search import policy, selectors, services
from search.forms import SaveSearchForm, SearchForm

PER_KIND = 10  # hits shown of each kind on the grouped page; "Show all" pages through one kind
PER_PAGE = 50  # matches on a page of one kind


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
    # Each statement planned for its words (core.db.custom_plans: a plan made once for any words
    # computes the query again for every row it reads).
    with custom_plans():
        for group in groups:
            # Counted no further than selectors.CANDIDATES (group.newest): a common word costs what
            # a rare one does.
            if filters.kind:
                # One kind: every match, newest first, paged by keyset (no COUNT, no OFFSET).
                page = keyset_page(request, group.pageable, per_page=PER_PAGE, noun=group.label.lower())
                group.rows = page.rows
            else:
                group.rows = group.best(PER_KIND)
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
            "total": sum(min(group.count, selectors.CANDIDATES) for group in groups),
            "total_capped": any(group.capped for group in groups),
            "full_text": full_text,
            "per_kind": PER_KIND,
            "candidates": selectors.CANDIDATES,
            "save_form": SaveSearchForm(),
        },
    )


def _search_url(query: str, filters: dict[str, str]) -> str:
    params = {"q": query, **{name: value for name, value in filters.items() if value}}
    return "/search/?" + urlencode(params)


@login_required
@require_POST
def saved_create(request: HttpRequest) -> HttpResponse:
    search_form = SearchForm(request.POST)
    form = SaveSearchForm(request.POST)
    if not (search_form.is_valid() and form.is_valid()):
        messages.error(request, "Name the search before saving it.")
        return redirect(_search_url(request.POST.get("q", ""), {}))
    saved = attempt(
        request,
        lambda: services.saved_search_create(
            owner=request.user,
            name=form.cleaned_data["name"],
            query=search_form.cleaned_data.get("q", ""),
            filters=search_form.filters(),
            share=form.cleaned_data["share"],
            daily_email=form.cleaned_data["daily_email"],
        ),
    )
    if saved is not None:
        messages.success(request, f"Search saved as “{saved.name}”.")
        return redirect("search:saved_list")
    return redirect(_search_url(search_form.cleaned_data.get("q", ""), {}))


@login_required
@require_GET
def saved_list(request: HttpRequest) -> HttpResponse:
    rows = [
        (saved, decide(policy.saved_search_delete_refusal(request.user, saved)))
        for saved in selectors.saved_searches_for(request.user).select_related("shared_firm", "shared_agency")
    ]
    return render(request, "search/saved_list.html", {"rows": rows})


@login_required
@require_GET
def saved_run(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.get_saved_search_for(request.user, pk)
    return redirect(_search_url(saved.query, saved.filters or {}))


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.get_saved_search_for(request.user, pk)
    if attempt(request, lambda: services.saved_search_delete(saved=saved, actor=request.user)) is not None:
        messages.success(request, "Saved search deleted.")
    return redirect("search:saved_list")
