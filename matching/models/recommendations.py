"""Recommendations a member of the organization writes for a student after a completed
engagement, at the student's request.

RecommendationRequest:  pending ──write──▶ written
                           ├──decline (a kind message)──▶ declined
                           ├──withdraw (the student)────▶ withdrawn
                           └──expire (beat, unanswered)─▶ expired
Recommendation:         issued ──revoke (its author)──▶ revoked

The student chooses at request time whether to waive their right to read the letter;
the recommendation keeps that choice. A waived letter is read only by its author and by
the employers the student attaches it to (``RecommendationAttachment``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from core.statemachine import StatefulModel, StatusChange

from .core import Application, Engagement


class RecommendationRequest(StatefulModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting an answer"
        WRITTEN = "written", "Written"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired unanswered"

    TRANSITIONS = {
        Status.PENDING: frozenset(
            {Status.WRITTEN, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED}
        ),
        Status.WRITTEN: frozenset(),
        Status.DECLINED: frozenset(),
        Status.WITHDRAWN: frozenset(),
        Status.EXPIRED: frozenset(),
    }
    #: A request in one of these blocks asking the same person again for the same
    #: engagement (a declined one too: asking again after a "no" is not kind).
    BLOCKING = (Status.PENDING, Status.WRITTEN, Status.DECLINED)
    NOTE_MAX = 1000

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="recommendation_requests"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendation_requests"
    )
    recommender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recommendation_requests_received",
    )
    # The engagement's organization, kept on the row so scoping needs no join.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="recommendation_requests"
    )
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    waived = models.BooleanField(
        help_text="The student waived their right to read the recommendation."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    decline_message = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "recommender"],
                condition=models.Q(status__in=["pending", "written", "declined"]),
                name="one_live_recommendation_request",
            )
        ]
        indexes = [
            models.Index(fields=["recommender", "status"], name="recrequest_recommender_status"),
            models.Index(fields=["student", "-created_at"], name="recrequest_student_newest"),
            models.Index(fields=["status", "expires_at"], name="recrequest_status_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.student} asks {self.recommender} ({self.engagement_id})"

    def get_absolute_url(self) -> str:
        return reverse("matching:recommendation-request-detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class RecommendationRequestEvent(StatusChange):
    request = models.ForeignKey(
        RecommendationRequest, on_delete=models.CASCADE, related_name="events"
    )


class Recommendation(StatefulModel):
    class Status(models.TextChoices):
        ISSUED = "issued", "Current"
        REVOKED = "revoked", "Revoked by its author"

    TRANSITIONS = {
        Status.ISSUED: frozenset({Status.REVOKED}),
        Status.REVOKED: frozenset(),
    }
    RELATIONSHIP_MAX = 300
    KNOWN_FOR_MAX = 80
    WORK_MAX = 2000
    STRENGTH_MAX = 120
    EXAMPLE_MAX = 600
    LETTER_MAX = 6000
    STRENGTHS_MIN = 2
    STRENGTHS_MAX = 3

    request = models.OneToOneField(
        RecommendationRequest, on_delete=models.PROTECT, related_name="recommendation"
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="recommendations"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recommendations_written"
    )
    # Where the author was a member when writing: the letter stays theirs and this
    # organization's even if they move on.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="recommendations"
    )
    relationship = models.CharField("How you know the student", max_length=RELATIONSHIP_MAX)
    known_for = models.CharField("For how long", max_length=KNOWN_FOR_MAX)
    work_done = models.TextField("The work they did", max_length=WORK_MAX)
    results = models.TextField("Its measurable results", max_length=WORK_MAX)
    # [{"strength": "...", "example": "..."}, ...]: two or three.
    strengths = models.JSONField(default=list)
    would_work_again = models.BooleanField("Would work with the student again")
    letter = models.TextField(max_length=LETTER_MAX)
    waived = models.BooleanField()
    # Only for a letter the student may read: do they show it on their public record?
    show_on_record = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ISSUED)
    verification_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # HMAC-SHA256 over the letter as written (see selectors.recommendations): a stored
    # letter edited afterwards no longer verifies.
    signature = models.CharField(max_length=64)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["student", "status"], name="recommendation_student_status"),
            models.Index(fields=["author", "-issued_at"], name="recommendation_author_newest"),
            models.Index(fields=["engagement", "status"], name="recommendation_engagement"),
        ]
        constraints = [
            # A waived letter is never on the public record.
            models.CheckConstraint(
                condition=~models.Q(waived=True, show_on_record=True),
                name="recommendation_waived_not_public",
            )
        ]

    def __str__(self) -> str:
        return f"Recommendation of {self.student} by {self.author}"

    def get_absolute_url(self) -> str:
        return reverse("matching:recommendation-detail", kwargs={"pk": self.pk})

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.ISSUED


class RecommendationEvent(StatusChange):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="events"
    )


class RecommendationAttachment(models.Model):
    """A recommendation the student sent with an application: the employer of that
    application may read it (a waived one too — that is how a student shares it)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="attachments"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="recommendation_attachments"
    )
    attached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attached_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "application"], name="one_attachment_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} with application {self.application_id}"
