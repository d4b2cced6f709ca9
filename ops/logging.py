"""Structured logs: one JSON object a line, with the request id of the request being served.

Only the fields a caller names in ``extra`` are written, besides the time, level, logger and
message: nothing from a request's body, headers or query string ever reaches a log line unless a
caller puts it there on purpose (and none does: passwords, tokens, document contents and finding
texts stay out).
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any

# The id of the request (or task) this thread is serving, for every log line written meanwhile.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("checkpoint_request_id", default="")

# Attributes every LogRecord has; anything else on a record came from ``extra``. Django's own
# ``request`` extra (its text is the full path, which may hold a token) is left out too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
    "request",
    "request_tag",
}


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record written while a request or task is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and value not in ("", None):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


class PlainFormatter(logging.Formatter):
    """The demo's console (and the test suite's): time, level, logger, the request or task id in
    brackets when there is one, then the message, last, as Django's own format has it."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", "")
        record.request_tag = f"[{request_id}] " if request_id else ""
        return super().format(record)
