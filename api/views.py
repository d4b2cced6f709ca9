"""Pages of the API: a person's access tokens (created only after a sign-in with the second
factor, shown once), the coordinators' list of every live token, and a firm admin's webhooks with
their delivery log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import coordinator_required
from accounts.roles import is_coordinator
from accounts.sessions import session_passed_mfa
from api import policy, selectors, services
from api.forms import TokenForm, WebhookForm
from core.policy import decide
from core.web import attempt, paginate


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    passed_mfa = session_passed_mfa(request, request.user)
    create = decide(policy.token_create_refusal(request.user, passed_mfa=passed_mfa))
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        made = attempt(
            request,
            lambda: services.token_create(actor=request.user, **form.cleaned_data, passed_mfa=passed_mfa),
            form=form,
        )
        if made is not None:
            _token, new_token = made
            form = TokenForm()
    context: dict[str, Any] = {
        "tokens": selectors.tokens_of(request.user),
        "form": form,
        "create": create,
        "new_token": new_token,
        "now": timezone.now(),
    }
    return render(request, "api/token_list.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_token_for(request.user, pk)
    if attempt(request, lambda: services.token_revoke(token=token, actor=request.user)) is not None:
        messages.success(request, f"The token {token.name} ({token.prefix}…) is revoked: it no longer works.")
    if is_coordinator(request.user) and token.user_id != request.user.pk:
        return redirect("api_pages:all_tokens")
    return redirect("api_pages:tokens")


@coordinator_required
def all_tokens(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.live_tokens())
    return render(request, "api/all_tokens.html", {"page": page, "now": timezone.now()})


# --- webhooks (firm admins) ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    manage = decide(policy.webhook_manage_refusal(request.user))
    if not manage.allowed:
        raise PermissionDenied(manage.reason)
    form = WebhookForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        made = attempt(
            request, lambda: services.webhook_endpoint_add(actor=request.user, **form.cleaned_data), form=form
        )
        if made is not None:
            _endpoint, new_secret = made
            form = WebhookForm()
    context = {"endpoints": selectors.webhooks_for(request.user), "form": form, "new_secret": new_secret}
    return render(request, "api/webhook_list.html", context)


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.get_webhook_for(request.user, pk)
    page = paginate(request, selectors.deliveries_of(endpoint))
    return render(request, "api/webhook_detail.html", {"endpoint": endpoint, "page": page})


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.get_webhook_for(request.user, pk)
    if attempt(request, lambda: services.webhook_test(endpoint=endpoint, actor=request.user)) is not None:
        messages.success(request, "A test event (ping) is on its way: its delivery is listed below.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@login_required
@require_POST
def webhook_remove(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.get_webhook_for(request.user, pk)
    if attempt(request, lambda: services.webhook_endpoint_remove(endpoint=endpoint, actor=request.user)) is not None:
        messages.success(request, f"{endpoint.url} is removed: nothing more is sent to it.")
    return redirect("webhooks:list")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The portal's 404: JSON under /api/ (a path that names no route answers like a missing id),
    the page otherwise."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    from accounts.sessions import is_api_request

    if is_api_request(request):
        return JsonResponse({"detail": "No such object, or it is not yours to see."}, status=404)
    return page_not_found(request, exception)
