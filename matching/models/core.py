"""Where a student and a project meet: applications, engagements and their workspace.

Application:  submitted ─▶ shortlisted ─▶ accepted        (accept creates an Engagement)
                  │             │     └──▶ rejected (with optional message)
                  └─────────────┴──▶ withdrawn (student) / expired (project closed undecided)
Engagement:   active ─▶ submitted ─▶ completed
                 ▲          └──▶ revision_requested ─┘ (loops back to submitted)
                 └── any non-final ──▶ cancelled (either side, reason required)
Payout:       due ─▶ paid                                 (approve creates it due)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.statemachine import StatefulModel, StatusChange
from projects.models import Project


class Application(StatefulModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        SHORTLISTED = "shortlisted", "Shortlisted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not selected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Closed without a decision"

    # Employers may accept or reject straight from "submitted": shortlisting is a help
    # for long lists, not a required step.
    TRANSITIONS = {
        Status.SUBMITTED: frozenset(
            {Status.SHORTLISTED, Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED}
        ),
        Status.SHORTLISTED: frozenset(
            {Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED}
        ),
        Status.ACCEPTED: frozenset(),
        Status.REJECTED: frozenset(),
        Status.WITHDRAWN: frozenset(),
        Status.EXPIRED: frozenset(),
    }
    UNDECIDED = (Status.SUBMITTED, Status.SHORTLISTED)
    COVER_NOTE_MAX = 2000
    ANSWER_MAX = 1000

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="applications")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    cover_note = models.TextField(max_length=COVER_NOTE_MAX)
    # One answer per screening question, in the project's order.
    answers = models.JSONField(default=list, blank=True)
    # A copy of the profile résumé at the time of applying: later profile edits do not
    # change what the employer saw.
    resume_snapshot = models.FileField(upload_to="applications/resumes/", blank=True)
    decision_message = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Stored so the applicant list can sort and paginate in SQL; kept current by
    # matching.services.ranking whenever one of its inputs changes.
    rank_score = models.FloatField(
        default=0,
        help_text="How well the applicant fits the project: the 0–100 match score (skills "
        "and weekly hours) plus their track record (completed micro-internships, average "
        "supervisor rating). Computed by matching.services.ranking; never edited by hand.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "student"], name="one_application_per_project"
            )
        ]
        indexes = [
            # An employer's applicant list: one tab's page, best match first (and the
            # per-status counts, from its first two columns).
            models.Index(
                fields=["project", "status", "-rank_score", "created_at"],
                name="application_project_rank",
            ),
            # A student's "My applications".
            models.Index(fields=["student", "-created_at"], name="application_student_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("matching:application-detail", kwargs={"pk": self.pk})

    @property
    def is_undecided(self) -> bool:
        return self.status in self.UNDECIDED


class ApplicationEvent(StatusChange):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")


class Engagement(StatefulModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        SUBMITTED = "submitted", "Submitted for review"
        REVISION_REQUESTED = "revision_requested", "Revision requested"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.ACTIVE: frozenset({Status.SUBMITTED, Status.CANCELLED}),
        Status.SUBMITTED: frozenset(
            {Status.COMPLETED, Status.REVISION_REQUESTED, Status.CANCELLED}
        ),
        Status.REVISION_REQUESTED: frozenset({Status.SUBMITTED, Status.CANCELLED}),
        Status.COMPLETED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    FINAL = (Status.COMPLETED, Status.CANCELLED)

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="engagement"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="engagements")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_engagements"
    )
    # 1..project.slots, unique per project: a second line of defence (after the project
    # row lock in application_accept) against two concurrent accepts taking one slot.
    slot_number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # The deliverables as a checklist: [{"title": "...", "done": false}, ...]
    checklist = models.JSONField(default=list, blank=True)
    due_date = models.DateField()
    fee = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    # When both sides' feedback became visible to each other (both in, or the window
    # closed). NULL: still blind.
    feedback_released_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "slot_number"], name="one_engagement_per_slot"
            ),
            models.CheckConstraint(
                condition=models.Q(slot_number__gte=1), name="slot_number_min_1"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "status"], name="engagement_student_status"),
            models.Index(fields=["supervisor", "status"], name="engagement_supervisor_status"),
            models.Index(fields=["status", "last_activity_at"], name="engagement_status_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.student} on {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("matching:engagement-detail", kwargs={"pk": self.pk})

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class EngagementEvent(StatusChange):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="events")

    @property
    def to_status_label(self) -> str:
        return dict(Engagement.Status.choices).get(self.to_status, self.to_status)


class Message(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["engagement", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


def submission_upload_to(instance: Submission, filename: str) -> str:
    # Our own stored name: the uploader's name is kept only as display text.
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"engagements/{instance.engagement_id}/{stamp}.{extension[:8]}"


class Submission(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="submissions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=submission_upload_to, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    link = models.URLField(blank=True)
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(link=""), name="submission_file_or_link"
            )
        ]

    def __str__(self) -> str:
        return self.original_filename or self.link


class HoursEntry(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="hours")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    description = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "hours entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="hours_entry_0_24"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.date}"


class Payout(StatefulModel):
    """The fee owed for a completed engagement. No payment provider is connected: this is
    a ledger of what is due and what the organization says it has paid, nothing more."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        PAID = "paid", "Marked paid"

    TRANSITIONS = {
        Status.DUE: frozenset({Status.PAID}),
        Status.PAID: frozenset(),
    }

    engagement = models.OneToOneField(Engagement, on_delete=models.PROTECT, related_name="payout")
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DUE)
    due_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=120, blank=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-due_at"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_status_display()})"


class PayoutEvent(StatusChange):
    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="events")
