"""How the API answers a refusal: the services' ``DomainError`` becomes 409 (the rule's reason in
``detail``), 403 when the action is not the person's at all, 400 for input the service rejected
(per field when it names one), 413 for a file over the limit."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

# Codes of input the services rejected (the default "refused" included); every other code is a
# rule's refusal (``core.policy.Refusal``: not_now, read_only, frozen, needs_supervisor, ...).
INPUT_CODES = frozenset({"refused", "invalid", "empty", "multiple", "cut_off", "missing_file", "sha256_mismatch"})
STATUS_BY_CODE = {"forbidden": status.HTTP_403_FORBIDDEN, "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE}


def domain_status(error: DomainError) -> int:
    if error.field or error.code in INPUT_CODES:
        return status.HTTP_400_BAD_REQUEST
    return STATUS_BY_CODE.get(error.code, status.HTTP_409_CONFLICT)


def domain_response(error: DomainError) -> Response:
    code = domain_status(error)
    if code == status.HTTP_400_BAD_REQUEST and error.field:
        return Response({error.field: [error.message]}, status=code)
    return Response({"detail": error.message, "code": error.code}, status=code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return domain_response(exc)
    return drf_exception_handler(exc, context)
