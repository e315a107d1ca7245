"""Placement statistics: the compact facts the career-office and site figures are
computed from (see ``marketplace.placement``), the runs that rebuild them, and the log
of who looked at named students on a dashboard. Also a student's data exports and the
audit rows of deleted accounts (see ``marketplace.privacy``).

Facts hold numbers and a student's id, major and class only; never a name.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class PlacementUnit(models.Model):
    """One institution's academic year of placement facts (``institution_key`` 0: events
    of students who belonged to no verified institution at the time). The unit is what a
    rebuild replaces at once, and what closes: once the year's reporting window has
    ended its facts are frozen ``as of`` ``frozen_at``."""

    institution_key = models.PositiveBigIntegerField()
    year = models.DateField(help_text="July 1 of the academic year.")
    built_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    # Set when an event of the unit changed after ``built_at``; the refresh task clears it.
    dirty_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["institution_key", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["institution_key", "year"], name="one_placement_unit")
        ]
        indexes = [models.Index(fields=["dirty_at"], name="placement_unit_dirty")]

    def __str__(self) -> str:
        return f"Placement unit {self.institution_key} {self.year:%Y}"


class PlacementFact(models.Model):
    """One student's year at one institution, in numbers: the compact fact every
    career-office and site figure is summed or counted from. Student attributes are
    copied in, so a filter is a WHERE on this table alone."""

    institution_key = models.PositiveBigIntegerField()
    year = models.DateField()
    student_id = models.PositiveBigIntegerField()
    major = models.CharField(max_length=120, blank=True)
    graduation_year = models.PositiveSmallIntegerField(null=True)
    has_graduation_date = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    applications = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    engagements_started = models.PositiveIntegerField(default=0)
    engagements_completed = models.PositiveIntegerField(default=0)
    engagements_cancelled = models.PositiveIntegerField(default=0)
    # Of engagements_completed: those after which a recommendation was written.
    engagements_recommended = models.PositiveIntegerField(default=0)
    feedback_count = models.PositiveIntegerField(default=0)
    overall_rating_sum = models.PositiveIntegerField(default=0)
    offers_extended = models.PositiveIntegerField(default=0)
    offers_accepted_full_time = models.PositiveIntegerField(default=0)
    offers_accepted_other = models.PositiveIntegerField(default=0)
    # Completed an engagement this year and accepted a full-time offer from one of those
    # organizations within the reporting window.
    converted = models.BooleanField(default=False)
    # Graduated in this academic year (graduation_date), and whether their outcome was
    # recorded within six months of that date.
    graduate = models.BooleanField(default=False)
    outcome_known = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution_key", "year", "student_id"], name="one_placement_fact"
            )
        ]
        indexes = [
            models.Index(fields=["institution_key", "year", "major"], name="fact_unit_major"),
            models.Index(
                fields=["institution_key", "year", "graduation_year"], name="fact_unit_class"
            ),
            models.Index(fields=["year"], name="fact_year"),
        ]

    def __str__(self) -> str:
        return f"Student {self.student_id} in unit {self.institution_key} {self.year:%Y}"


class PlacementCell(models.Model):
    """Additive counts of one unit by student major and class, and by one more value:
    a month (``dimension`` "month", value "YYYY-MM"), a project category, a skill, an
    organization or a competency. ``students`` is the number of distinct students behind
    the row (each student is in one major and class, so it adds up across them)."""

    class Dimension(models.TextChoices):
        MONTH = "month", "Month"
        CATEGORY = "category", "Project category"
        SKILL = "skill", "Skill"
        ORGANIZATION = "organization", "Organization"
        COMPETENCY = "competency", "Competency"

    institution_key = models.PositiveBigIntegerField()
    year = models.DateField()
    major = models.CharField(max_length=120, blank=True)
    graduation_year = models.PositiveSmallIntegerField(null=True)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=200)
    students = models.PositiveIntegerField(default=0)
    applications = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    engagements_started = models.PositiveIntegerField(default=0)
    engagements_completed = models.PositiveIntegerField(default=0)
    offers_extended = models.PositiveIntegerField(default=0)
    hires = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["institution_key", "year", "dimension"], name="cell_unit_dimension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value} in unit {self.institution_key} {self.year:%Y}"


class PlacementDiscrepancy(models.Model):
    """A recomputation of a frozen (closed) year that would have changed a figure: kept
    for staff to review instead of silently rewriting a reported number."""

    unit = models.ForeignKey(PlacementUnit, on_delete=models.CASCADE, related_name="discrepancies")
    figure = models.CharField(max_length=64)
    frozen_value = models.BigIntegerField()
    recomputed_value = models.BigIntegerField()
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-detected_at", "pk"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.figure} {self.frozen_value} → {self.recomputed_value}"


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


# ------------------------------------------------------------------------------
# People's control of their data (marketplace.privacy)
# ------------------------------------------------------------------------------
def data_export_token() -> str:
    return secrets.token_urlsafe(32)


class DataExport(models.Model):
    """An archive of everything Internly holds about a student, built by a task and
    downloadable by its owner until ``expires_at``. The token names the download link;
    the link also needs the owner's session, so it is kept in clear to be listed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, default=data_export_token)
    file = models.FileField(blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One archive in preparation per person: pressing the button twice queues once.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_data_export_per_user",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="dataexport_user_newest"),
            models.Index(fields=["status", "expires_at"], name="dataexport_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"Data export {self.pk} of user {self.user_id} ({self.get_status_display()})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and timezone.now() >= self.expires_at

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.READY and bool(self.file) and not self.is_expired


class AccountDeletion(models.Model):
    """The audit row of a deleted (anonymized) account: who, by whom, when, and what the
    erasure did, in counts. It holds no personal data: the user row it points to is the
    anonymized one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_deletion"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-deleted_at", "-pk"]

    def __str__(self) -> str:
        return f"Account {self.user_id} deleted at {self.deleted_at:%Y-%m-%d %H:%M}"
