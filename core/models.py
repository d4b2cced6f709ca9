from django.db import models


class Visibility(models.TextChoices):
    """Who may read an annotation, a finding or an agency working file (docs/design.md)."""

    AGENCY = "agency", "Authoring agency only"
    GOVERNMENT = "government", "All assigned agencies"
    FIRM = "firm", "Assigned agencies and the firm"
