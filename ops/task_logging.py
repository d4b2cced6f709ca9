"""One JSON line per Celery task: id, name, outcome, duration, and the case reference when the
task concerns a case. Arguments are never logged (only the ids the reference is found from)."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import signals

from ops.logging import request_id_var

logger = logging.getLogger("checkpoint.task")

_started: dict[str, tuple[float, Any]] = {}
_CASE_ARGUMENTS = ("case_id", "case_pk")


def _case_reference(args: tuple[Any, ...], kwargs: dict[str, Any], task_name: str | None) -> str | None:
    from cases.models import ReviewCase

    for name in _CASE_ARGUMENTS:
        if kwargs.get(name):
            return ReviewCase.objects.filter(pk=kwargs[name]).values_list("reference", flat=True).first()
    if task_name == "notifications.tasks.deliver_event":
        from notifications.models import NotificationEvent

        event_id = kwargs.get("event_id") or (args[0] if args else None)
        if event_id:
            return NotificationEvent.objects.filter(pk=event_id).values_list("case__reference", flat=True).first()
    return None


def _prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = (time.perf_counter(), request_id_var.set(task_id))


def _postrun(
    task_id: str | None = None,
    task: Any = None,
    args: tuple[Any, ...] | None = None,
    kwargs: dict[str, Any] | None = None,
    state: str | None = None,
    **_: Any,
) -> None:
    started, token = _started.pop(task_id or "", (None, None))
    try:
        case = _case_reference(tuple(args or ()), kwargs or {}, getattr(task, "name", None))
    except Exception:  # the log line must not fail the task
        case = None
    logger.info(
        "task",
        extra={
            "task_id": task_id,
            "task": getattr(task, "name", None),
            "state": state,
            "case": case,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        },
    )
    if token is not None:
        request_id_var.reset(token)


def connect() -> None:
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="ops-task-prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="ops-task-postrun")
