"""Reads for the public and student side of projects: browse, detail, similar, saved,
recommendations.

Everything here is bounded: no read scans or scores a number of rows that grows with
the table. Browse counts at most 1,001 rows (projects.pagination); "best match" and
recommendations score a bounded candidate set in Python; "similar" ranks at most 40
candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Skill, StudentSkill

from ..models import Project, ProjectSkill, SavedProject
from ..scoring import MatchResult, match_score
from ..search import project_search

# Statuses the public may see. Drafts, projects waiting for review and cancelled
# projects are not public: 404.
PUBLIC_STATUSES = (Project.Status.OPEN, Project.Status.CLOSED, Project.Status.COMPLETED)

SORT_NEWEST = "newest"
SORT_DEADLINE = "deadline"
SORT_FEE = "fee"
SORT_RELEVANCE = "relevance"
SORT_MATCH = "match"

# Best match scores the newest projects that match the filters and share at least one
# skill with the student: never more than this many, whatever the table size.
BEST_MATCH_CANDIDATES = 300
# Recommendations score at most this many candidates and show the best of them.
RECOMMENDATION_CANDIDATES = 200
RECOMMENDATIONS_SHOWN = 20
SIMILAR_CANDIDATES = 40
SIMILAR_SHOWN = 4


@dataclass(frozen=True)
class BrowseFilters:
    q: str = ""
    skills: tuple[int, ...] = ()
    category: str = ""
    work_mode: str = ""
    fee_min: int | None = None
    fee_max: int | None = None
    hours_min: int | None = None
    hours_max: int | None = None
    deadline_within: int | None = None
    posted_within: int | None = None
    organization: str = ""
    sort: str = SORT_NEWEST


@dataclass
class StudentMatchProfile:
    """What scoring needs to know about a student."""

    skills: dict[int, int] = field(default_factory=dict)
    weekly_hours: int = 0

    @property
    def has_skills(self) -> bool:
        return bool(self.skills)


@dataclass(frozen=True)
class Recommendation:
    project: Project
    match: MatchResult


def _is_student(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_student)


def _skills_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}project_skills",
        queryset=ProjectSkill.objects.select_related("skill").order_by(
            "-is_required", "skill__name"
        ),
    )


# What a card shows: loading only these keeps the long text, JSON and the search
# vector out of list pages (parsing them was a large part of a page's cost).
CARD_FIELDS = (
    "title",
    "summary",
    "status",
    "category",
    "work_mode",
    "location",
    "estimated_hours",
    "duration_days",
    "fee",
    "currency",
    "application_deadline",
    "published_at",
    "organization__name",
    "organization__slug",
    "organization__verified_at",
)


def _skills_prefetch_for_cards() -> Prefetch:
    return Prefetch(
        "project_skills",
        queryset=ProjectSkill.objects.select_related("skill")
        .only("project_id", "skill_id", "is_required", "skill__name")
        .order_by("-is_required", "skill__name"),
    )


def _open_projects(*, now: datetime) -> QuerySet[Project]:
    """Projects a student can still apply to. The auto-close task closes projects whose
    deadline passed; the deadline condition covers the minutes in between."""
    return Project.objects.filter(status=Project.Status.OPEN, application_deadline__gt=now)


def _with_saved_flag(qs: QuerySet[Project], user) -> QuerySet[Project]:
    """``is_saved`` for the viewing student, in the same query (no per-card lookup)."""
    if not _is_student(user):
        return qs
    return qs.annotate(
        is_saved=Exists(SavedProject.objects.filter(student=user, project=OuterRef("pk")))
    )


def skill_choice_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """The skill taxonomy grouped by category, for the skills filter (one query)."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = Skill.objects.order_by("category__name", "name").values_list(
        "pk", "name", "category__name"
    )
    for pk, name, category in rows:
        groups[category].append((pk, name))
    return list(groups.items())


# ------------------------------------------------------------------------------
# Browse
# ------------------------------------------------------------------------------
def _filtered(filters: BrowseFilters, *, now: datetime) -> QuerySet[Project]:
    qs = _open_projects(now=now)
    if filters.skills:
        # Any of the chosen skills (required or nice to have): one EXISTS, no join
        # that would repeat rows.
        qs = qs.filter(
            Exists(ProjectSkill.objects.filter(project=OuterRef("pk"), skill_id__in=filters.skills))
        )
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.work_mode:
        qs = qs.filter(work_mode=filters.work_mode)
    if filters.fee_min is not None:
        qs = qs.filter(fee__gte=filters.fee_min)
    if filters.fee_max is not None:
        qs = qs.filter(fee__lte=filters.fee_max)
    if filters.hours_min is not None:
        qs = qs.filter(estimated_hours__gte=filters.hours_min)
    if filters.hours_max is not None:
        qs = qs.filter(estimated_hours__lte=filters.hours_max)
    if filters.deadline_within is not None:
        qs = qs.filter(application_deadline__lte=now + timedelta(days=filters.deadline_within))
    if filters.posted_within is not None:
        qs = qs.filter(published_at__gte=now - timedelta(days=filters.posted_within))
    if filters.organization:
        qs = qs.filter(organization__slug=filters.organization)
    if filters.q:
        qs = project_search(qs, filters.q)
    return qs


def project_list_open(
    *, filters: BrowseFilters | None = None, viewer=None, now: datetime | None = None
) -> QuerySet[Project]:
    """Open projects matching ``filters``, sorted, ready for a page of cards:
    organization joined, skills prefetched once per page, ``is_saved`` annotated for a
    student. ``SORT_MATCH`` is not a SQL order: see ``project_list_best_match``; here it
    falls back to newest."""
    filters = filters or BrowseFilters()
    now = now or timezone.now()
    qs = _filtered(filters, now=now)
    if filters.sort == SORT_RELEVANCE and filters.q:
        qs = qs.order_by("-rank", "-published_at", "-pk")
    elif filters.sort == SORT_DEADLINE:
        qs = qs.order_by("application_deadline", "pk")
    elif filters.sort == SORT_FEE:
        qs = qs.order_by("-fee", "-pk")
    else:
        qs = qs.order_by("-published_at", "-pk")
    qs = (
        qs.select_related("organization")
        .only(*CARD_FIELDS)
        .prefetch_related(_skills_prefetch_for_cards())
    )
    return _with_saved_flag(qs, viewer)


def student_match_profile(*, user) -> StudentMatchProfile:
    """The student's skills (id → level) and weekly hours, in one query."""
    rows = list(
        StudentSkill.objects.filter(profile__user=user).values_list(
            "skill_id", "level", "profile__weekly_availability_hours"
        )
    )
    if not rows:
        return StudentMatchProfile()
    return StudentMatchProfile(
        skills={skill_id: level for skill_id, level, _ in rows}, weekly_hours=rows[0][2] or 0
    )


def _score_candidates(
    candidate_ids, *, student: StudentMatchProfile, now: datetime
) -> dict[int, MatchResult]:
    """Score the projects whose ids the (bounded, sliced) subquery yields. One query for
    their skills and the few project fields the score needs."""
    rows = ProjectSkill.objects.filter(project_id__in=candidate_ids).values_list(
        "project_id",
        "skill_id",
        "is_required",
        "skill__name",
        "project__estimated_hours",
        "project__duration_days",
        "project__application_deadline",
    )
    required: dict[int, set[int]] = defaultdict(set)
    nice: dict[int, set[int]] = defaultdict(set)
    facts: dict[int, tuple[int, int, datetime]] = {}
    names: dict[int, str] = {}
    for project_id, skill_id, is_required, name, hours, days, deadline in rows:
        (required if is_required else nice)[project_id].add(skill_id)
        facts[project_id] = (hours, days, deadline)
        names[skill_id] = name
    return {
        project_id: match_score(
            student_skills=student.skills,
            weekly_hours=student.weekly_hours,
            project_required=required[project_id],
            project_nice=nice[project_id],
            estimated_hours=hours,
            duration_days=days,
            deadline=deadline,
            now=now,
            skill_names=names,
        )
        for project_id, (hours, days, deadline) in facts.items()
    }


def project_list_best_match(
    *, filters: BrowseFilters, student: StudentMatchProfile, now: datetime | None = None
) -> list[tuple[int, MatchResult]]:
    """Project ids matching ``filters``, best match first, with their match.

    Bounded on purpose: the candidates are the ``BEST_MATCH_CANDIDATES`` newest
    projects that match the filters and share at least one skill with the student;
    they are scored in Python with ``projects.scoring.match_score``. A project sharing
    no skill would score low anyway; the bound keeps the cost flat as the table grows.
    """
    if not student.has_skills:
        return []
    now = now or timezone.now()
    candidates = (
        _filtered(filters, now=now)
        .filter(
            Exists(
                ProjectSkill.objects.filter(
                    project=OuterRef("pk"), skill_id__in=list(student.skills)
                )
            )
        )
        .order_by("-published_at", "-pk")
        .values("pk")[:BEST_MATCH_CANDIDATES]
    )
    scored = _score_candidates(candidates, student=student, now=now)
    return sorted(scored.items(), key=lambda item: (-item[1].score, -item[0]))


def project_list_by_ids(ids: Iterable[int], *, viewer=None) -> list[Project]:
    """Projects for a page of ids, in that order, ready for cards (two queries)."""
    ids = list(ids)
    if not ids:
        return []
    qs = (
        Project.objects.filter(pk__in=ids)
        .select_related("organization")
        .only(*CARD_FIELDS)
        .prefetch_related(_skills_prefetch_for_cards())
    )
    by_id = {p.pk: p for p in _with_saved_flag(qs, viewer)}
    return [by_id[i] for i in ids if i in by_id]


# ------------------------------------------------------------------------------
# Detail
# ------------------------------------------------------------------------------
def project_get_public(pk: int, *, viewer=None) -> Project:
    """A project anyone may see (open, or closed/completed with a banner); 404
    otherwise. Organization and skills come with it."""
    qs = (
        Project.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("organization")
        .defer("search_vector")
        .prefetch_related(_skills_prefetch())
    )
    return get_object_or_404(_with_saved_flag(qs, viewer), pk=pk)


def project_get_for_saving(pk: int, *, user) -> Project:
    """A project this student may save or unsave: a public one, or one they saved
    earlier (so a cancelled project can still be removed from their list)."""
    saved = SavedProject.objects.filter(student=user, project=OuterRef("pk"))
    qs = Project.objects.filter(Q(status__in=PUBLIC_STATUSES) | Q(Exists(saved)))
    return get_object_or_404(_with_saved_flag(qs, user), pk=pk)


def project_match_for(*, project: Project, student: StudentMatchProfile) -> MatchResult:
    """How this student fits this project (uses the project's prefetched skills)."""
    skills = list(project.project_skills.all())
    return match_score(
        student_skills=student.skills,
        weekly_hours=student.weekly_hours,
        project_required={ps.skill_id for ps in skills if ps.is_required},
        project_nice={ps.skill_id for ps in skills if not ps.is_required},
        estimated_hours=project.estimated_hours,
        duration_days=project.duration_days,
        deadline=project.application_deadline,
        now=timezone.now(),
        skill_names={ps.skill_id: ps.skill.name for ps in skills},
    )


def project_list_similar(project: Project, *, now: datetime | None = None) -> list[Project]:
    """Up to four other open projects in the same category or sharing a skill, the
    ones sharing most skills first. One query: the 40 newest of each kind are chosen
    in subqueries, then ranked by shared skills."""
    now = now or timezone.now()
    skill_ids = [ps.skill_id for ps in project.project_skills.all()]
    others = _open_projects(now=now).exclude(pk=project.pk).order_by("-published_at", "-pk")
    # Two bounded subqueries rather than one "category OR shares a skill" filter: with
    # the OR, PostgreSQL hashes every project row of those skills (tens of thousands);
    # alone, the EXISTS probes the newest projects one by one and stops early.
    candidates = others.filter(category=project.category).values("pk")[:SIMILAR_CANDIDATES]
    if skill_ids:
        sharing = others.filter(
            Exists(ProjectSkill.objects.filter(project=OuterRef("pk"), skill_id__in=skill_ids))
        ).values("pk")[:SIMILAR_CANDIDATES]
        if connection.features.supports_slicing_ordering_in_compound:
            # UNION, not "pk IN a OR pk IN b": an OR of two IN lists turns into a scan
            # of the whole table on PostgreSQL.
            candidates = Project.objects.filter(pk__in=candidates.union(sharing)).values("pk")
        else:  # SQLite cannot LIMIT inside a UNION; it is only the development engine.
            candidates = Project.objects.filter(Q(pk__in=candidates) | Q(pk__in=sharing)).values(
                "pk"
            )
    return list(
        Project.objects.filter(pk__in=candidates)
        .select_related("organization")
        .only(*CARD_FIELDS)
        .annotate(
            shared_skills=Count("project_skills", filter=Q(project_skills__skill_id__in=skill_ids))
        )
        .order_by("-shared_skills", "-published_at", "-pk")[:SIMILAR_SHOWN]
    )


# ------------------------------------------------------------------------------
# Saved
# ------------------------------------------------------------------------------
def project_list_saved_for(*, user) -> QuerySet[SavedProject]:
    """A student's bookmarks, newest first, with project, organization and skills."""
    return (
        SavedProject.objects.filter(student=user)
        .select_related("project__organization")
        .defer(
            "project__search_vector", "project__description", "project__organization__description"
        )
        .prefetch_related(_skills_prefetch("project__"))
        .order_by("-created_at", "-pk")
    )


# ------------------------------------------------------------------------------
# Recommendations
# ------------------------------------------------------------------------------
def project_list_recommended_for(
    *, user, student: StudentMatchProfile | None = None, now: datetime | None = None
) -> list[Recommendation]:
    """The best open projects for this student that they can still apply to.

    Candidates come from SQL: the newest ``RECOMMENDATION_CANDIDATES`` open projects
    with a future deadline that share a required skill with the student. They are
    scored in Python with ``projects.scoring.match_score``; the best
    ``RECOMMENDATIONS_SHOWN`` are returned.
    """
    now = now or timezone.now()
    student = student if student is not None else student_match_profile(user=user)
    if not student.has_skills:
        return []
    # A project needs at least one required skill (posting enforces it) and the
    # required part dominates the score, so candidates share a *required* skill. The
    # newest ones are taken: an EXISTS probe along the (status, -published_at) index
    # that stops after RECOMMENDATION_CANDIDATES hits, whatever the table size.
    candidates = (
        _open_projects(now=now)
        .filter(
            Exists(
                ProjectSkill.objects.filter(
                    project=OuterRef("pk"), skill_id__in=list(student.skills), is_required=True
                )
            )
        )
        .order_by("-published_at", "-pk")
        .values("pk")[:RECOMMENDATION_CANDIDATES]
    )
    scored = _score_candidates(candidates, student=student, now=now)
    best = sorted(
        ((pk, m) for pk, m in scored.items() if m.eligible),
        key=lambda item: (-item[1].score, -item[0]),
    )[:RECOMMENDATIONS_SHOWN]
    projects = project_list_by_ids([pk for pk, _ in best], viewer=user)
    matches = dict(best)
    return [Recommendation(project=p, match=matches[p.pk]) for p in projects]
