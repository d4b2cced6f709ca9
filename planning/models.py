from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarFeed(models.Model):
    """A person's secret iCalendar feed address (``/calendar/<token>.ics``). Only the sha256 of its
    token is kept: the address is shown once, when it is made; making a new one or revoking it
    ends the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
