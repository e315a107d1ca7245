"""Placement statistics: nightly snapshots of aggregated figures, the runs that compute
them, and the log of who looked at named students on a dashboard.

Snapshots hold numbers only (counts, rates, averages) grouped by scope, period and one
dimension; never a student's name or id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StatSnapshot(models.Model):
    class ScopeType(models.TextChoices):
        INSTITUTION = "institution", "Institution"
        ORGANIZATION = "organization", "Organization"
        SITE = "site", "Whole site"

    class PeriodType(models.TextChoices):
        YEAR = "year", "Academic year (July–June)"
        MONTH = "month", "Month"

    class Dimension(models.TextChoices):
        HEADLINE = "", "Headline"
        MAJOR = "major", "Major"
        GRADUATION_YEAR = "graduation_year", "Graduation year"
        CATEGORY = "category", "Project category"
        SKILL = "skill", "Skill"
        ORGANIZATION = "organization", "Organization"

    scope_type = models.CharField(max_length=16, choices=ScopeType.choices)
    # The institution's or organization's id; 0 for the site.
    scope_id = models.PositiveBigIntegerField()
    period_type = models.CharField(max_length=8, choices=PeriodType.choices)
    # July 1 of the academic year, or the first day of the month.
    period_start = models.DateField()
    dimension = models.CharField(max_length=24, choices=Dimension.choices, blank=True)
    dimension_value = models.CharField(max_length=200, blank=True)
    metrics = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scope_type", "scope_id", "period_type", "period_start", "dimension"]
        constraints = [
            # The upsert target: two concurrent runs update the same rows, never add.
            models.UniqueConstraint(
                fields=[
                    "scope_type",
                    "scope_id",
                    "period_type",
                    "period_start",
                    "dimension",
                    "dimension_value",
                ],
                name="one_snapshot_per_group",
            )
        ]
        indexes = [
            # "Figures computed … ago" and the stale-row sweep read by computation time.
            models.Index(fields=["-computed_at"], name="snapshot_computed_at"),
        ]

    def __str__(self) -> str:
        dimension = f" {self.dimension}={self.dimension_value}" if self.dimension else ""
        return (
            f"{self.scope_type} {self.scope_id} {self.period_type} {self.period_start}{dimension}"
        )


class StatsRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="statsrun_status_newest")]

    def __str__(self) -> str:
        return f"Statistics run {self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class DashboardAccessLog(models.Model):
    """Who saw which named students on a career-office dashboard (page or CSV)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey(
        "accounts.Institution", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewed_student_ids = models.JSONField(default=list)
    path = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["institution", "-at"], name="accesslog_institution_at")]

    def __str__(self) -> str:
        return f"{self.user} viewed {len(self.viewed_student_ids)} students at {self.at:%Y-%m-%d}"
