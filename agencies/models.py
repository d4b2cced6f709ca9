from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class Agency(models.Model):
    """A federal agency whose reviewers examine models (DoD, Treasury, CISA, ...)."""

    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. dod.")
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40)
    # The handling marking its reviewers' working files start with (a documents.Marking value;
    # agencies sit below documents, so the choices are checked where a document is made).
    working_file_marking = models.CharField(max_length=40, default="CUI")
    # Every member of the agency is in this group; object permissions are granted to it.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.short_name


class AgencyRole(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    SUPERVISOR = "supervisor", "Supervisor"


class AgencyMembership(models.Model):
    """An agency reviewer or supervisor. One membership per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agency_membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=AgencyRole.choices, default=AgencyRole.REVIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__short_name", "user__email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=AgencyRole.values), name="agency_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency})"

    @property
    def is_supervisor(self) -> bool:
        return self.role == AgencyRole.SUPERVISOR
