"""How the API answers a refusal: the services' ``DomainError`` becomes 409 (the rule's reason in
``detail``), 403 when the action is not the person's at all, 400 for input the service rejected
(per field when it names one), 413 for a file over the limit."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def domain_status(error: DomainError) -> int:
    if error.code == "forbidden":
        return status.HTTP_403_FORBIDDEN
    if error.rule or error.code in ("duplicate", "read_only"):
        return status.HTTP_409_CONFLICT
    if error.code == "too_large":
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    return status.HTTP_400_BAD_REQUEST


def domain_response(error: DomainError) -> Response:
    code = domain_status(error)
    if code == status.HTTP_400_BAD_REQUEST and error.field:
        return Response({error.field: [error.message]}, status=code)
    return Response({"detail": error.message, "code": error.code}, status=code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return domain_response(exc)
    return drf_exception_handler(exc, context)
