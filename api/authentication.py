"""How API requests are authenticated: a personal access token (``Authorization: Bearer cp_...``),
or the portal's own session (for the pages' htmx calls, with CSRF), and what a token's scope allows."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions, permissions

from api import services
from api.models import ApiToken
from core.errors import DomainError


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw = header.partition(" ")
        if keyword != self.keyword:
            return None
        raw = raw.strip()
        if not raw or " " in raw:
            raise exceptions.AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        try:
            token = services.token_authenticate(raw)
        except DomainError as error:
            raise exceptions.AuthenticationFailed(error.message) from None
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="checkpoint"'


class PortalSessionAuthentication(authentication.SessionAuthentication):
    """The signed-in session of the portal (its middleware has already enforced MFA and the
    session's timeouts); CSRF is checked on every unsafe request."""


class TokenScope(permissions.BasePermission):
    """A read-only token reads; a change takes the write scope (refusals are audited)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken):
            try:
                services.token_scope_check(token=token, writes=request.method not in permissions.SAFE_METHODS)
            except DomainError as error:
                raise exceptions.PermissionDenied(error.message) from None
        return True
