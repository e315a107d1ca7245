"""What a finished engagement leaves behind: connections between a student and the
people who supervised them, students following organizations, and invitations to apply.

Connection:  pending ─▶ connected ─▶ removed            (either side leaves)
                │   └──▶ declined                       (the other side said no)
                └──────▶ withdrawn                      (the requester took it back)
             declined / withdrawn / removed ─▶ pending  (asked again)
Invitation:  sent ─▶ accepted | declined (the student) | withdrawn (the organization)
Follow:      a row while the student follows; unfollowing deletes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from core.statemachine import StatefulModel, StatusChange
from projects.models import Project

from .core import Engagement


class Connection(StatefulModel):
    """A student and a member of an organization who supervised one of their completed
    engagements, once both agree. One row per pair: asking again reuses it, so its
    history is the whole story."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        CONNECTED = "connected", "Connected"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Request withdrawn"
        REMOVED = "removed", "Removed"

    TRANSITIONS = {
        Status.PENDING: frozenset({Status.CONNECTED, Status.DECLINED, Status.WITHDRAWN}),
        Status.CONNECTED: frozenset({Status.REMOVED}),
        Status.DECLINED: frozenset({Status.PENDING}),
        Status.WITHDRAWN: frozenset({Status.PENDING}),
        Status.REMOVED: frozenset({Status.PENDING}),
    }
    NOTE_MAX = 500

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_connections"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intern_connections"
    )
    # The completed engagement that makes the pair eligible (the latest one when asked):
    # its organization is the one the network page shows beside the supervisor.
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    connected_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "supervisor"], name="one_connection_per_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "status"], name="connection_student_status"),
            models.Index(fields=["supervisor", "status"], name="connection_supervisor_status"),
        ]

    def __str__(self) -> str:
        return f"{self.student} ↔ {self.supervisor} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("matching:network")

    def other_side(self, user) -> int:
        """The pk of the person on the other side from ``user``."""
        return self.supervisor_id if user.pk == self.student_id else self.student_id


class ConnectionEvent(StatusChange):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="events")


class Follow(models.Model):
    """A student follows an organization: its newly published projects reach them, as
    their notification preference for ``followed_project_posted`` says."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "organization"], name="one_follow_per_organization"
            ),
        ]
        # The fan-out of a new project reads followers by organization.
        indexes = [models.Index(fields=["organization", "student"], name="follow_organization")]

    def __str__(self) -> str:
        return f"{self.student} follows {self.organization}"


class NetworkPreference(models.Model):
    """A student's choices about their network. No row: the defaults."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_preference"
    )
    accepts_invitations = models.BooleanField(
        default=True,
        help_text="Organizations the student worked for may invite them to apply.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.student}: invitations {'on' if self.accepts_invitations else 'off'}"


class ProjectInvitation(StatefulModel):
    """A member of an organization invites a past intern to one of its open projects:
    to apply as anyone would, or (``rehire``) straight into a new engagement once the
    student accepts."""

    class Status(models.TextChoices):
        SENT = "sent", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Kind(models.TextChoices):
        APPLY = "apply", "Invitation to apply"
        REHIRE = "rehire", "Direct rehire"

    TRANSITIONS = {
        Status.SENT: frozenset({Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}),
        Status.ACCEPTED: frozenset(),
        Status.DECLINED: frozenset(),
        Status.WITHDRAWN: frozenset(),
    }
    MESSAGE_MAX = 1000

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.APPLY)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    message = models.TextField(max_length=MESSAGE_MAX, blank=True)
    # A rehire's engagement, once the student accepted.
    engagement = models.OneToOneField(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "student"], name="one_invitation_per_project_student"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "status"], name="invitation_student_status"),
        ]

    def __str__(self) -> str:
        return f"{self.student} invited to {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("matching:invitation-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SENT


class ProjectInvitationEvent(StatusChange):
    invitation = models.ForeignKey(
        ProjectInvitation, on_delete=models.CASCADE, related_name="events"
    )
