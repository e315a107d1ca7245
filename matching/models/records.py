"""Feedback, endorsements, the experience record and offers (after an engagement).

Feedback:  two-sided after completion; each side hidden from the other until both
           are in or the window closes, then released together.
Offer:     extended ─▶ accepted | declined | rescinded | expired
           (accepted ─▶ rescinded only with a reason, and it notifies)
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Skill
from core.statemachine import StatefulModel, StatusChange

from .core import Engagement


class Competency(models.TextChoices):
    """NACE career-readiness competencies."""

    COMMUNICATION = "communication", "Communication"
    CRITICAL_THINKING = "critical_thinking", "Critical thinking"
    TEAMWORK = "teamwork", "Teamwork"
    PROFESSIONALISM = "professionalism", "Professionalism"
    TECHNOLOGY = "technology", "Technology"
    LEADERSHIP = "leadership", "Leadership"
    CAREER_DEVELOPMENT = "career_development", "Career and self-development"
    EQUITY_INCLUSION = "equity_inclusion", "Equity and inclusion"


def _rating(label: str, *, null: bool = True) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        null=null,
        blank=null,
        help_text="1 (poor) to 5 (excellent)" + ("; empty = not observed" if null else ""),
    )


class SupervisorFeedback(models.Model):
    """Supervisor → intern. One per engagement. Competency ratings are columns (NULL =
    not observed) so the statistics can average them in SQL."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="supervisor_feedback"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    communication = _rating("Communication")
    critical_thinking = _rating("Critical thinking")
    teamwork = _rating("Teamwork")
    professionalism = _rating("Professionalism")
    technology = _rating("Technology")
    leadership = _rating("Leadership")
    career_development = _rating("Career and self-development")
    equity_inclusion = _rating("Equity and inclusion")
    overall_rating = _rating("Overall", null=False)
    written_feedback = models.TextField(max_length=4000)
    demonstrated_skills = models.ManyToManyField(Skill, blank=True, related_name="+")
    # Quantified outcomes, one short sentence each.
    outcomes = models.JSONField(default=list, blank=True)
    would_hire = models.BooleanField(default=False)
    recommendation = models.TextField(max_length=2000, blank=True)
    # The student decides whether the recommendation is shown publicly.
    recommendation_public = models.BooleanField(default=False)
    intern_reply = models.TextField(max_length=2000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overall_rating__gte=1, overall_rating__lte=5),
                name="supervisor_feedback_overall_1_5",
            ),
        ] + [
            models.CheckConstraint(
                condition=models.Q(**{f"{c}__isnull": True})
                | models.Q(**{f"{c}__gte": 1, f"{c}__lte": 5}),
                name=f"supervisor_feedback_{c}_1_5",
            )
            for c in Competency.values
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.engagement}"

    def competency_ratings(self) -> list[tuple[str, int | None]]:
        return [(label, getattr(self, value)) for value, label in Competency.choices]


class InternFeedback(models.Model):
    """Intern → organization. One per engagement."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="intern_feedback"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    brief_clarity = _rating("Clarity of the brief", null=False)
    mentorship = _rating("Quality of mentorship", null=False)
    scope_fairness = _rating("Fairness of scope for the fee", null=False)
    would_recommend = models.BooleanField(default=False)
    comment = models.TextField(max_length=4000, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{c}__gte": 1, f"{c}__lte": 5}),
                name=f"intern_feedback_{c}_1_5",
            )
            for c in ("brief_clarity", "mentorship", "scope_fairness")
        ]

    def __str__(self) -> str:
        return f"Intern feedback on {self.engagement}"


class Endorsement(models.Model):
    """A skill the supervisor saw the intern demonstrate on one engagement."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="endorsements")
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="endorsements"
    )
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "skill"], name="one_endorsement_per_skill"
            )
        ]
        indexes = [models.Index(fields=["student", "skill"], name="endorsement_student_skill")]

    def __str__(self) -> str:
        return f"{self.skill} for {self.student}"


class ExperienceItem(StatefulModel):
    """A completed engagement as verified experience on the student's record, with the
    student's choices of what others may see.

    A new item is ``pending``: only the student sees it (with the supervisor's ratings
    once released) until they decide to show or hide it. Deciding is one-way; after it,
    ``is_visible`` and the other toggles are the student's standing choice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "New: awaiting the student's decision"
        DECIDED = "decided", "Decided by the student"

    TRANSITIONS = {
        Status.PENDING: frozenset({Status.DECIDED}),
        Status.DECIDED: frozenset(),
    }
    history_accessor = "events"

    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="experience_item"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experience_items"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Once decided: shown on the public record and to employers the student applies to.
    is_visible = models.BooleanField(default=True)
    show_ratings = models.BooleanField(default=True)
    show_quote = models.BooleanField(default=False)
    # Open Badges 3.0 credential: a stable id, revocable.
    credential_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential_revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Experience: {self.engagement}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_shown_to_others(self) -> bool:
        return self.status == self.Status.DECIDED and self.is_visible


class ExperienceItemEvent(StatusChange):
    item = models.ForeignKey(ExperienceItem, on_delete=models.CASCADE, related_name="events")


class ResumeBullet(models.Model):
    """A résumé line for one experience item: drafted by the system, edited and approved
    by the student. Only approved text is ever shown to others."""

    item = models.ForeignKey(ExperienceItem, on_delete=models.CASCADE, related_name="bullets")
    position = models.PositiveSmallIntegerField(default=0)
    draft_text = models.CharField(max_length=300)
    text = models.CharField(max_length=300, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.text or self.draft_text

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class RecordShare(models.Model):
    """A public, revocable link to a student's experience record."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_shares"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Share of {self.student}'s record"


class Offer(StatefulModel):
    class Status(models.TextChoices):
        EXTENDED = "extended", "Extended"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        RESCINDED = "rescinded", "Rescinded"
        EXPIRED = "expired", "Expired"

    TRANSITIONS = {
        Status.EXTENDED: frozenset(
            {Status.ACCEPTED, Status.DECLINED, Status.RESCINDED, Status.EXPIRED}
        ),
        # An accepted offer can still be rescinded, never silently: reason + notice.
        Status.ACCEPTED: frozenset({Status.RESCINDED}),
        Status.DECLINED: frozenset(),
        Status.RESCINDED: frozenset(),
        Status.EXPIRED: frozenset(),
    }

    class Type(models.TextChoices):
        FULL_TIME = "full_time", "Full-time"
        PART_TIME = "part_time", "Part-time"
        INTERNSHIP = "internship", "Internship"
        CONTRACT = "contract", "Contract"

    class PayPeriod(models.TextChoices):
        ANNUAL = "annual", "per year"
        HOURLY = "hourly", "per hour"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="offers")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    # The engagement that led to the offer: this link is what counts as a conversion.
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="offers"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=140)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.FULL_TIME)
    pay_amount = models.PositiveIntegerField()
    pay_period = models.CharField(max_length=8, choices=PayPeriod.choices, default=PayPeriod.ANNUAL)
    currency = models.CharField(max_length=3, default="USD")
    location = models.CharField(max_length=120, blank=True)
    is_remote = models.BooleanField(default=False)
    start_date = models.DateField()
    response_deadline = models.DateField()
    message = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.EXTENDED)
    responded_at = models.DateTimeField(null=True, blank=True)
    rescind_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "events"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["student", "status"], name="offer_student_status"),
            models.Index(fields=["organization", "status"], name="offer_org_status"),
            models.Index(fields=["status", "response_deadline"], name="offer_status_deadline"),
        ]
        constraints = [
            # One open offer per student per organization (the service checks first and
            # says so clearly; this holds even when two members extend at once).
            models.UniqueConstraint(
                fields=["organization", "student"],
                condition=models.Q(status="extended"),
                name="one_open_offer_per_student_org",
            ),
            models.CheckConstraint(condition=models.Q(pay_amount__gt=0), name="offer_pay_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.organization} for {self.student}"

    def get_absolute_url(self) -> str:
        return reverse("matching:offer-detail", kwargs={"pk": self.pk})


class OfferEvent(StatusChange):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="events")


class OutcomeReport(models.Model):
    """A destination the student reports themselves (first-destination reporting).
    Always marked as self-reported wherever it is shown."""

    class Kind(models.TextChoices):
        EMPLOYED_ELSEWHERE = "employed_elsewhere", "Accepted a job offer from another employer"
        GRADUATE_SCHOOL = "graduate_school", "Continuing education (graduate school)"
        MILITARY_SERVICE = "service", "Military or volunteer service"
        STILL_LOOKING = "still_looking", "Still looking"
        NOT_SEEKING = "not_seeking", "Not seeking employment"

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outcome_reports"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    employer_name = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=140, blank=True)
    program_name = models.CharField(max_length=200, blank=True)
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["student", "-reported_at"], name="outcome_student_latest")]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_kind_display()} (self-reported)"
