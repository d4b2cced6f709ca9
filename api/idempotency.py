"""``Idempotency-Key`` on the POSTs that create: a repeat with the same key and body gets the first
answer back (with ``Idempotent-Replayed: true``) and creates nothing; the same key with another
body is refused. Keys are kept per token (per person for session calls) for API_IDEMPOTENCY_HOURS."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import ApiToken, IdempotentAnswer

HEADER = "Idempotency-Key"
KEY_MAX = 200


def _holder(request: Request) -> str:
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    @wraps(method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        if not key or len(key) > KEY_MAX or not key.isprintable():
            return Response({HEADER: [f"An {HEADER} is 1 to {KEY_MAX} printable characters."]}, status=400)
        holder, fingerprint = _holder(request), _fingerprint(request)
        horizon = timezone.now() - datetime.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
        IdempotentAnswer.objects.filter(holder=holder, key=key, created_at__lt=horizon).delete()
        try:
            with transaction.atomic():
                record = IdempotentAnswer.objects.create(
                    holder=holder, key=key, method=request.method, path=request.path[:300], body_sha256=fingerprint
                )
        except IntegrityError:
            first = IdempotentAnswer.objects.filter(holder=holder, key=key).first()
            if first is None:  # removed meanwhile: the first request failed; try again
                return Response({"detail": "Repeat the request."}, status=409)
            if (first.method, first.path, first.body_sha256) != (request.method, request.path[:300], fingerprint):
                return Response(
                    {"detail": f"This {HEADER} was used for another request. Use a new key for a new request."},
                    status=422,
                )
            if first.status_code is None:
                return Response({"detail": f"The first request with this {HEADER} is still running."}, status=409)
            return Response(first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"})
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            record.delete()  # nothing was created: a repeat may try again
            raise
        if response.status_code >= 500 or response.status_code == 429:
            record.delete()
            return response
        record.status_code = response.status_code
        record.body = response.data
        record.save(update_fields=["status_code", "body"])
        return response

    return wrapper
