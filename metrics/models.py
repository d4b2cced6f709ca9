"""The metrics page's figures, computed ahead for each scope (the program, each agency).

At program scale every figure is a scan of the whole program (10,000 cases, 64,000 released
findings: each aggregate statement alone takes 45 to 60 ms on our machine, with a covering index),
so the page reads the figures a Celery beat task computed, and says when ("as of").
"""

from __future__ import annotations

from django.db import models


class MetricsSnapshot(models.Model):
    """Every figure of one scope's metrics page, as computed at ``computed_at``.

    ``scope`` is ``program`` (the program office's view) or ``agency-<id>`` (that agency's
    supervisors' view): a supervisor reads their own agency's row only (``metrics.policy``).
    """

    scope = models.CharField(max_length=40, unique=True)
    scope_name = models.CharField(max_length=200)
    # When; its day in the program's time zone is the day the months and overdue counts are of.
    computed_at = models.DateTimeField()
    # The newest audit event when computed: every state change writes one, so a newer event
    # means the figures may have moved (a cheap test: the primary key's last entry).
    audit_head = models.BigIntegerField(default=0)
    months = models.JSONField(default=list)
    figures = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.scope} as of {self.computed_at:%Y-%m-%d %H:%M}"
