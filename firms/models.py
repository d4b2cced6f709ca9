from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class Firm(models.Model):
    """An AI firm that offers its models for voluntary review."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    # Every liaison of the firm is in this group; object permissions are granted to it.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="firm")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FirmMembership(models.Model):
    """A firm liaison. A person has exactly one organisation, so one membership at most."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="firm_membership")
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="memberships")
    is_admin = models.BooleanField(default=False, help_text="A firm admin may invite colleagues.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["firm__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} at {self.firm}"
