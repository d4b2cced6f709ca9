"""The daily email of saved searches (Celery beat): safe to run twice or late."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from search.services import saved_searches_email_daily


@shared_task(acks_late=True)
def email_saved_searches() -> int:
    return saved_searches_email_daily(today=timezone.localdate())
