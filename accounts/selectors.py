"""Reads about accounts: one's own signed-in sessions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import SignedInSession, User
from accounts.sessions import CLIENT_KEY, SEEN_AT_KEY, STARTED_AT_KEY


@dataclass(frozen=True)
class SessionRow:
    """What a person sees of one of their sessions (never its key)."""

    started_at: datetime.datetime | None
    seen_at: datetime.datetime | None
    ip: str
    browser: str
    is_current: bool


def _moment(value: Any) -> datetime.datetime | None:
    if not isinstance(value, int | float):
        return None
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def sessions_of(user: User, *, current_session_key: str | None) -> list[SessionRow]:
    """``user``'s sessions that are still alive (not expired, not past the idle or absolute
    limit), this one first, then the most recently used. One query."""
    now = timezone.now().timestamp()
    rows = []
    for session in SignedInSession.objects.filter(user=user, expire_date__gt=timezone.now()):
        data = session.get_decoded()
        started, seen = data.get(STARTED_AT_KEY), data.get(SEEN_AT_KEY)
        if isinstance(started, int | float) and now - started >= settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
            continue
        if isinstance(seen, int | float) and now - seen >= settings.SESSION_IDLE_TIMEOUT_SECONDS:
            continue
        client = data.get(CLIENT_KEY) or {}
        rows.append(
            SessionRow(
                started_at=_moment(started),
                seen_at=_moment(seen),
                ip=str(client.get("ip") or ""),
                browser=str(client.get("browser") or ""),
                is_current=session.session_key == current_session_key,
            )
        )
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    rows.sort(key=lambda row: (not row.is_current, -(row.seen_at or epoch).timestamp()))
    return rows
