"""Webhooks for employers: an organization's endpoints and the log of what was sent to
each. Deliveries are the log and the queue at once: a row is written in the transaction
of the event, so an event that committed always has its deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization


class WebhookEvent(models.TextChoices):
    APPLICATION_SUBMITTED = "application.submitted", "Application submitted"
    APPLICATION_WITHDRAWN = "application.withdrawn", "Application withdrawn"
    ENGAGEMENT_STARTED = "engagement.started", "Engagement started"
    ENGAGEMENT_SUBMITTED = "engagement.submitted", "Work submitted for review"
    ENGAGEMENT_COMPLETED = "engagement.completed", "Engagement completed"
    FEEDBACK_RELEASED = "feedback.released", "Feedback released"
    OFFER_ACCEPTED = "offer.accepted", "Offer accepted"
    OFFER_DECLINED = "offer.declined", "Offer declined"


class WebhookEndpoint(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # WebhookEvent values; a list rather than a table because it is always read whole.
    events = models.JSONField(default=list)
    # "whsec_" + base64 of 32 random bytes (Standard Webhooks). Kept readable: signing
    # needs the secret itself, so it cannot be stored hashed.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Deliveries in a row that failed for good; a success resets it.
    failed_deliveries_in_row = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [labels[e] for e in self.events if e in labels]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # The webhook-id header: the same on every attempt, so receivers can drop repeats.
    message_id = models.CharField(max_length=40, unique=True)
    # The exact body sent, so every attempt signs and sends the same bytes.
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the next attempt is due; the sweeper re-queues pending rows long past it.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_pending",
            ),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
