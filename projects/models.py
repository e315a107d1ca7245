"""Employer project postings and what students keep of them (bookmarks).

Lifecycle (DESIGN.md §2):

    draft ──publish──▶ open ──(deadline / slots filled / close)──▶ closed ──▶ completed
      │  └─(organization not verified yet)─▶ pending_review ──approve──▶ open
      └──────────────── cancel (from any non-final status) ──────────────▶ cancelled
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse

from accounts.models import Organization, Skill
from core.statemachine import StatefulModel, StatusChange


class Project(StatefulModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING_REVIEW = "pending_review", "Pending review"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.DRAFT: frozenset({Status.PENDING_REVIEW, Status.OPEN, Status.CANCELLED}),
        Status.PENDING_REVIEW: frozenset({Status.OPEN, Status.DRAFT, Status.CANCELLED}),
        Status.OPEN: frozenset({Status.CLOSED, Status.CANCELLED}),
        Status.CLOSED: frozenset({Status.COMPLETED, Status.CANCELLED}),
        Status.COMPLETED: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    class Category(models.TextChoices):
        MARKETING = "marketing", "Marketing and communications"
        DATA = "data", "Data and analytics"
        SOFTWARE = "software", "Software development"
        DESIGN = "design", "Design and UX"
        WRITING = "writing", "Writing and content"
        RESEARCH = "research", "Research"
        FINANCE = "finance", "Finance and accounting"
        OPERATIONS = "operations", "Operations"
        SALES = "sales", "Sales and business development"
        PEOPLE = "people", "HR and people"
        PRODUCT = "product", "Product management"

    class WorkMode(models.TextChoices):
        REMOTE = "remote", "Remote"
        ONSITE = "onsite", "On-site"
        HYBRID = "hybrid", "Hybrid"

    class Currency(models.TextChoices):
        USD = "USD", "US dollars"
        EUR = "EUR", "Euros"
        GBP = "GBP", "Pounds sterling"
        CAD = "CAD", "Canadian dollars"

    MIN_HOURS = 5
    MAX_HOURS = 40
    MAX_SCREENING_QUESTIONS = 3

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="projects"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=140)
    summary = models.CharField(max_length=300)
    description = models.TextField()
    # Ordered list of short strings: what the intern hands over.
    deliverables = models.JSONField(default=list)
    skills = models.ManyToManyField(Skill, through="ProjectSkill", related_name="projects")
    category = models.CharField(max_length=16, choices=Category.choices)
    work_mode = models.CharField(max_length=8, choices=WorkMode.choices, default=WorkMode.REMOTE)
    location = models.CharField(max_length=120, blank=True)
    estimated_hours = models.PositiveSmallIntegerField()
    duration_days = models.PositiveSmallIntegerField(help_text="Days from start to due date.")
    due_date = models.DateField(null=True, blank=True)
    fee = models.PositiveIntegerField(help_text="Fixed fee in whole units of the currency.")
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    slots = models.PositiveSmallIntegerField(default=1)
    application_deadline = models.DateTimeField()
    # Up to three short strings; answers are collected with each application.
    screening_questions = models.JSONField(default=list, blank=True)
    eligibility_notes = models.TextField(blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    duplicated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Maintained by projects.search on every write (PostgreSQL only; NULL on SQLite).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history_accessor = "status_changes"

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # Browse's default order: open projects, newest first (keyset-friendly).
            models.Index(fields=["status", "-published_at", "-id"], name="project_open_newest"),
            # Open projects only, newest first, with every column a browse filter tests:
            # the capped count of a filtered browse (core.pagination) is then an
            # index-only scan that stops after 1,001 hits instead of reading table rows.
            models.Index(
                fields=[
                    "-published_at",
                    "-id",
                    "application_deadline",
                    "category",
                    "work_mode",
                    "fee",
                    "estimated_hours",
                    "organization",
                ],
                condition=models.Q(status="open"),
                name="project_open_feed",
            ),
            # Sort by deadline, and the auto-close task's scan of open projects.
            models.Index(fields=["status", "application_deadline"], name="project_open_deadline"),
            # Sort and filter by fee.
            models.Index(fields=["status", "-fee"], name="project_open_fee"),
            # An employer's own list.
            models.Index(fields=["organization", "status"], name="project_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimated_hours__gte=5, estimated_hours__lte=40),
                name="project_hours_5_40",
            ),
            models.CheckConstraint(condition=models.Q(slots__gte=1), name="project_slots_min_1"),
            models.CheckConstraint(condition=models.Q(fee__gt=0), name="project_fee_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("project-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def fee_per_hour(self) -> float:
        return self.fee / self.estimated_hours if self.estimated_hours else 0.0

    @property
    def is_final(self) -> bool:
        return not self.TRANSITIONS.get(self.status)

    # --- the pay floor -------------------------------------------------------------
    # One rule, used by the form (to explain it) and by the services (to enforce it).
    @staticmethod
    def minimum_fee_for(estimated_hours: int) -> int:
        return settings.PAY_FLOOR_PER_HOUR * estimated_hours

    @staticmethod
    def pay_floor_message(estimated_hours: int, currency: str) -> str:
        floor = settings.PAY_FLOOR_PER_HOUR
        minimum = floor * estimated_hours
        return (
            f"At {estimated_hours} hours the fee must be at least {minimum} {currency} "
            f"({floor} per hour)."
        )

    def use_skills(self, skills: list[ProjectSkill]) -> None:
        """Serve ``skills`` as ``project_skills.all()``, exactly as ``prefetch_related``
        leaves it (a queryset holding its results): for selectors that read the skills
        in the project's own query (the project page), so the properties below and the
        shared templates need no query either."""
        queryset = self.project_skills.get_queryset()  # lazy: no query
        queryset._result_cache = skills
        queryset._prefetch_done = True
        cache = self.__dict__.setdefault("_prefetched_objects_cache", {})
        cache[ProjectSkill._meta.get_field("project").remote_field.cache_name] = queryset

    @property
    def required_project_skills(self) -> list[ProjectSkill]:
        """Uses ``project_skills`` as prefetched by the selector (no query then)."""
        return [ps for ps in self.project_skills.all() if ps.is_required]

    @property
    def nice_to_have_project_skills(self) -> list[ProjectSkill]:
        return [ps for ps in self.project_skills.all() if not ps.is_required]


class ProjectSkill(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="project_skills")
    is_required = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "skill"], name="unique_project_skill")
        ]
        # The skills filter looks projects up by skill; recommendations and "similar
        # projects" walk the newest projects that *require* a skill, backwards along
        # (skill, is_required, project) and index-only.
        indexes = [
            models.Index(
                fields=["skill", "is_required", "project"], name="projectskill_skill_req_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({'required' if self.is_required else 'nice to have'})"


class ProjectStatusChange(StatusChange):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")


class SavedProject(models.Model):
    """A student's bookmark."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_projects"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "project"], name="unique_saved_project")
        ]

    def __str__(self) -> str:
        return f"{self.student} saved {self.project}"


class SavedSearch(models.Model):
    """A student's browse filters kept under a name, for a daily digest of new matches.
    ``query_string`` is the normalized browse querystring (projects.services.
    saved_searches builds it from BrowseFilterForm), so equal filters are equal
    strings."""

    MAX_PER_STUDENT = 10

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=80)
    query_string = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Projects published after this were not in a digest yet (NULL: since created_at).
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "query_string"], name="unique_saved_search_per_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.name}"

    def get_absolute_url(self) -> str:
        return f"{reverse('projects:browse')}?{self.query_string}"
