"""Response headers every page of the portal carries, and the portal's own "Page not found" in the demo."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.defaults import page_not_found


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response the portal itself makes (static files are
    served before this by WhiteNoise, with their own long-lived headers). Case pages, documents,
    findings and exports are confidential: no browser cache, shared proxy or back button on a
    shared computer may keep a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response


class PortalNotFoundMiddleware:
    """With ``DEBUG`` on (the demo), Django answers a missing page with its debug page, which lists
    the URL patterns and looks like no page of the portal: answer with the portal's own "Page not
    found" instead, as production does. HTML only (the API keeps its JSON); a no-op without DEBUG,
    where Django's own handler already renders ``404.html``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "checkpoint_portal_page", False)
        ):
            page = page_not_found(request, Http404())
            page.checkpoint_portal_page = True  # type: ignore[attr-defined]
            return page
        return response
