"""The closeout record: what each audience of a case could see of its review, frozen when the
case closed. One per audience (the firm; the government, i.e. what every assigned agency sees;
each assigned agency for itself). Written once, never edited, never regenerated."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Audience(models.TextChoices):
    FIRM = "firm", "The firm"
    GOVERNMENT = "government", "The government (every assigned agency)"
    AGENCY = "agency", "One agency"


class ImmutableRecordError(Exception):
    pass


class CloseoutRecord(models.Model):
    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="closeout_records")
    closeout = models.ForeignKey("cases.Closeout", on_delete=models.PROTECT, related_name="records")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    html = models.FileField(max_length=300)
    # The sha256 printed in the record: of the HTML file without its one line holding
    # ``data-record-sha256`` (README, "The closeout record").
    sha256 = models.CharField(max_length=64)
    html_size = models.PositiveBigIntegerField()
    # The PDF is drawn from the stored HTML once, after the closing commits (WeasyPrint).
    pdf = models.FileField(max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "audience", "agency"]
        constraints = [
            # One record per audience: the firm's and the government's once per case, each agency's once.
            models.UniqueConstraint(
                fields=["case", "audience"], condition=Q(agency__isnull=True), name="closeout_record_once_per_audience"
            ),
            models.UniqueConstraint(
                fields=["case", "agency"], condition=Q(agency__isnull=False), name="closeout_record_once_per_agency"
            ),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="closeout_record_audience_valid"),
            models.CheckConstraint(
                condition=Q(audience="agency", agency__isnull=False) | (~Q(audience="agency") & Q(agency__isnull=True)),
                name="closeout_record_agency_iff_agency_audience",
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="closeout_record_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"Closeout record of {self.case} for {self.audience_label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableRecordError("A closeout record is frozen: it is never edited or regenerated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("A closeout record is never deleted.")

    @property
    def audience_label(self) -> str:
        if self.audience == Audience.AGENCY and self.agency is not None:
            return self.agency.short_name
        return str(Audience(self.audience).label)


class CloseoutRecordUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CloseoutRecord, on_delete=models.CASCADE)


class CloseoutRecordGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CloseoutRecord, on_delete=models.CASCADE)
