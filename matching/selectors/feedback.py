"""Reads for two-sided feedback and the aggregates built from it.

Visibility: each side always sees what it wrote; the other side's feedback only once
``engagement.feedback_released_at`` is set (both in, or the window closed). Aggregates —
a student's endorsements and ratings, an organization's ratings from interns — count
released feedback only, so nothing blind leaks through an average.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q
from django.utils import timezone

from accounts.models import Organization, Skill, User

from ..models import Competency, Endorsement, Engagement, InternFeedback, SupervisorFeedback
from ..selectors.engagements import (
    ROLE_STUDENT,
    ROLE_SUPERVISOR,
    engagement_get_for,
    engagement_role,
)
from ..services.feedback import feedback_window_closes_at


def feedback_engagement_get_for(*, user: User, pk: int) -> Engagement:
    """The engagement, if the user is its intern, supervisor or an owner; else 404."""
    return engagement_get_for(user=user, pk=pk)


@dataclass
class FeedbackView:
    engagement: Engagement
    role: str | None
    released: bool
    window_closes_at: dt.datetime | None
    window_open: bool
    supervisor_feedback: SupervisorFeedback | None  # only when this user may see it
    intern_feedback: InternFeedback | None  # only when this user may see it
    supervisor_given: bool
    intern_given: bool

    @property
    def is_student(self) -> bool:
        return self.role == ROLE_STUDENT

    @property
    def is_supervisor(self) -> bool:
        return self.role == ROLE_SUPERVISOR

    @property
    def my_feedback_given(self) -> bool:
        return self.intern_given if self.is_student else self.supervisor_given

    @property
    def my_feedback(self) -> SupervisorFeedback | InternFeedback | None:
        """What this user's side wrote (each side always sees its own)."""
        return self.intern_feedback if self.is_student else self.supervisor_feedback

    @property
    def can_give(self) -> bool:
        return (
            self.engagement.status == Engagement.Status.COMPLETED
            and self.window_open
            and not self.my_feedback_given
        )

    @property
    def can_reply(self) -> bool:
        return self.is_student and self.released and self.supervisor_feedback is not None


def feedback_view_for(
    *, engagement: Engagement, user: User, now: dt.datetime | None = None
) -> FeedbackView:
    """What ``user`` may see of the engagement's feedback (the engagement comes from
    ``feedback_engagement_get_for``, so the user is a party)."""
    now = now or timezone.now()
    role = engagement_role(engagement=engagement, user=user)
    supervisor_feedback = (
        SupervisorFeedback.objects.filter(engagement=engagement)
        .select_related("author")
        .prefetch_related("demonstrated_skills")
        .first()
    )
    intern_feedback = InternFeedback.objects.filter(engagement=engagement).first()
    released = engagement.feedback_released_at is not None
    closes = feedback_window_closes_at(engagement)
    window_open = not released and closes is not None and now < closes
    return FeedbackView(
        engagement=engagement,
        role=role,
        released=released,
        window_closes_at=closes,
        window_open=window_open,
        supervisor_feedback=supervisor_feedback if (released or role == ROLE_SUPERVISOR) else None,
        intern_feedback=intern_feedback if (released or role == ROLE_STUDENT) else None,
        supervisor_given=supervisor_feedback is not None,
        intern_given=intern_feedback is not None,
    )


def project_skills_for(*, engagement: Engagement) -> list[Skill]:
    return list(
        Skill.objects.filter(project_skills__project=engagement.project_id).order_by("name")
    )


def other_skills_for(
    *, engagement: Engagement, query: str = "", selected: list[int] | None = None, limit: int = 40
) -> list[Skill]:
    """Skills outside the project's list: all of them, or those matching ``query`` plus
    the ones already selected (a search must not drop a choice)."""
    qs = Skill.objects.exclude(project_skills__project=engagement.project_id).select_related(
        "category"
    )
    query = (query or "").strip()[:80]
    if query:
        condition = Q(name__icontains=query) | Q(category__name__icontains=query)
        if selected:
            condition |= Q(pk__in=selected)
        qs = qs.filter(condition)
        return list(qs.order_by("category__name", "name")[: limit + len(selected or [])])
    return list(qs.order_by("category__name", "name"))


# ------------------------------------------------------------------------------
# Aggregates (released feedback only)
# ------------------------------------------------------------------------------
@dataclass
class SkillEndorsements:
    skill_id: int
    skill_name: str
    count: int
    organizations: list[str] = field(default_factory=list)


def student_endorsements(*, student: User) -> list[SkillEndorsements]:
    """Per skill: how many engagements endorsed it and by which organizations; most
    endorsed first. One query."""
    rows = (
        Endorsement.objects.filter(student=student, engagement__feedback_released_at__isnull=False)
        .order_by("skill__name", "engagement__project__organization__name")
        .values_list("skill_id", "skill__name", "engagement__project__organization__name")
    )
    by_skill: dict[int, SkillEndorsements] = {}
    for skill_id, name, organization in rows:
        entry = by_skill.setdefault(skill_id, SkillEndorsements(skill_id, name, 0))
        entry.count += 1
        if organization not in entry.organizations:
            entry.organizations.append(organization)
    return sorted(by_skill.values(), key=lambda e: (-e.count, e.skill_name.casefold()))


@dataclass
class StudentRatings:
    count: int
    overall: float | None
    competencies: list[tuple[str, float | None, int]]  # (label, average, times observed)
    would_hire: int


def student_ratings_summary(*, student: User) -> StudentRatings:
    """Average overall rating and, per NACE competency, the average over the feedbacks
    that observed it (NULL = not observed is left out by AVG). One query."""
    aggregates = {"count": Count("pk"), "overall": Avg("overall_rating")}
    aggregates["would_hire_n"] = Count("pk", filter=Q(would_hire=True))
    for value in Competency.values:
        aggregates[f"{value}_avg"] = Avg(value)
        aggregates[f"{value}_n"] = Count(value)
    row = SupervisorFeedback.objects.filter(
        engagement__student=student, engagement__feedback_released_at__isnull=False
    ).aggregate(**aggregates)
    return StudentRatings(
        count=row["count"],
        overall=_round(row["overall"]),
        competencies=[
            (label, _round(row[f"{value}_avg"]), row[f"{value}_n"])
            for value, label in Competency.choices
        ],
        would_hire=row["would_hire_n"],
    )


@dataclass
class OrganizationRatings:
    count: int
    brief_clarity: float | None
    mentorship: float | None
    scope_fairness: float | None
    overall: float | None  # the mean of the three averages
    would_recommend_percent: int | None


def organization_ratings_summary(*, organization: Organization) -> OrganizationRatings:
    """What interns said about the organization, from released feedback. One query."""
    row = InternFeedback.objects.filter(
        engagement__project__organization=organization,
        engagement__feedback_released_at__isnull=False,
    ).aggregate(
        count=Count("pk"),
        brief_clarity=Avg("brief_clarity"),
        mentorship=Avg("mentorship"),
        scope_fairness=Avg("scope_fairness"),
        recommend=Count("pk", filter=Q(would_recommend=True)),
    )
    count = row["count"]
    parts = [row["brief_clarity"], row["mentorship"], row["scope_fairness"]]
    overall = sum(parts) / 3 if count else None
    return OrganizationRatings(
        count=count,
        brief_clarity=_round(row["brief_clarity"]),
        mentorship=_round(row["mentorship"]),
        scope_fairness=_round(row["scope_fairness"]),
        overall=_round(overall),
        would_recommend_percent=round(100 * row["recommend"] / count) if count else None,
    )


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)
