"""Saved searches: a person's search with its filters, optionally shared with their own
organisation, optionally with a daily email when new results appear. A shared search shares the
words and filters only: whoever runs it sees their own results."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedSearch(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=120)
    query = models.CharField(max_length=200)
    filters = models.JSONField(default=dict, blank=True, help_text="search.selectors.Filters, as a dict.")
    # The organisation it is shared with (the owner's own, when saved): one of these, or none.
    shared_firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    shared_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    shared_with_coordinators = models.BooleanField(default=False)
    daily_email = models.BooleanField(default=False)
    # What the owner has been told of: "kind:pk" of every result at the last check (new = not in it).
    seen = models.JSONField(default=list, blank=True)
    last_emailed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(shared_firm__isnull=False) & models.Q(shared_agency__isnull=False)),
                name="saved_search_shared_with_one_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return bool(self.shared_firm_id or self.shared_agency_id or self.shared_with_coordinators)
