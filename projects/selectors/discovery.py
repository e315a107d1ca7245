"""Reads for the public and student side of projects: browse, detail, similar, saved,
recommendations.

Everything here is bounded: no read scans or scores a number of rows that grows with
the table. Browse counts at most 1,001 rows (core.pagination); a keyword search ranks
the 200 newest matches; "best match" and recommendations score a bounded candidate set
in Python; "similar" ranks a few dozen candidates per skill.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import StudentProfile, StudentSkill
from accounts.selectors.skills import skill_taxonomy
from core.cache import cached, get_under_version, key_part, set_under_version

from ..catalogue import CATALOGUE_VERSION_KEY
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
RECOMMENDATION_CANDIDATES = 100
RECOMMENDATIONS_SHOWN = 20
RECOMMENDATION_CACHE_SECONDS = 300
SIMILAR_CANDIDATES = 40
SIMILAR_SHOWN = 4
# A keyword search ranks at most this many matches: the most recently created ones.
SEARCH_CANDIDATES = 200


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
    "updated_at",
    "organization__name",
    "organization__slug",
    "organization__verified_at",
    "organization__logo",  # the card's logo: read with the row, not once per card
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
    """The skill taxonomy grouped by category, ``[(category, [(pk, name), …]), …]``: the
    skills filter's choices. Derived once per taxonomy version and kept with the cached
    taxonomy (``accounts.selectors.skills``), so no query while it is unchanged."""
    taxonomy = skill_taxonomy()
    groups = taxonomy.derived.get("skill_choice_groups")
    if groups is None:
        by_category: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, name, category in taxonomy.rows:
            by_category[category].append((pk, name))
        groups = taxonomy.derived["skill_choice_groups"] = list(by_category.items())
    return groups


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


@dataclass(frozen=True)
class SearchHit:
    pk: int
    rank: float
    published_at: datetime | None
    application_deadline: datetime
    fee: int


def project_search_hits(
    *, filters: BrowseFilters, now: datetime | None = None
) -> tuple[list[SearchHit], bool]:
    """A keyword search: the matching open projects as sorted hits (ids and the few
    columns the sorts need) and whether there were more than ``SEARCH_CANDIDATES``.

    Bounded on purpose. Relevance (``ts_rank``) is computed for the
    ``SEARCH_CANDIDATES`` most recently created matches only (highest ids): they are
    found by walking the primary key backwards and stop after that many hits, or —
    for a rare word — through the GIN index; PostgreSQL's planner picks whichever is
    cheaper. Ranking every match instead grows with the table (10,000 matches for a
    word in 5% of 200,000 projects). So "relevance" means: the best matches among the
    200 newest, then newest first; every sort orders the same candidate set, and the
    page says "200+" when there were more.
    """
    now = now or timezone.now()
    rows = list(
        _filtered(filters, now=now)  # type: ignore[misc]  # "rank" is annotated by _filtered
        .order_by("-pk")
        .values_list("pk", "rank", "published_at", "application_deadline", "fee")[
            : SEARCH_CANDIDATES + 1
        ]
    )
    more = len(rows) > SEARCH_CANDIDATES
    hits = [SearchHit(*row) for row in rows[:SEARCH_CANDIDATES]]
    epoch = datetime.min.replace(tzinfo=UTC)
    if filters.sort == SORT_DEADLINE:
        hits.sort(key=lambda h: (h.application_deadline, h.pk))
    elif filters.sort == SORT_FEE:
        hits.sort(key=lambda h: (-h.fee, -h.pk))
    else:
        hits.sort(key=lambda h: (h.published_at or epoch, h.pk), reverse=True)
        if filters.sort == SORT_RELEVANCE:
            hits.sort(key=lambda h: -(h.rank or 0.0))  # stable: newest first among equals
    return hits, more


def student_match_profile(*, user) -> StudentMatchProfile:
    """The student's skills (id → level) and weekly hours, in one query."""
    rows = list(
        StudentSkill.objects.filter(profile__user=user)
        .order_by()
        .values_list("skill_id", "level", "profile__weekly_availability_hours")
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


def with_card_skills(projects: list[Project]) -> list[Project]:
    """Give each project ``card_skills``, its skills as ``(name, is_required)``
    (required first, then by name), in one query for the whole page. Plain tuples, not
    model instances: a prefetch building ~70 ProjectSkill and Skill objects cost more
    than the query itself."""
    by_project: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    if projects:
        rows = (
            ProjectSkill.objects.filter(project_id__in=[p.pk for p in projects])
            .order_by("-is_required", "skill__name")
            .values_list("project_id", "skill__name", "is_required")
        )
        for project_id, name, is_required in rows:
            by_project[project_id].append((name, is_required))
    for project in projects:
        project.card_skills = by_project[project.pk]  # type: ignore[attr-defined]  # annotated by the query
    return projects


def project_list_by_ids(ids: Iterable[int], *, viewer=None) -> list[Project]:
    """Projects for a page of ids, in that order, ready for cards (two queries)."""
    ids = list(ids)
    if not ids:
        return []
    qs = Project.objects.filter(pk__in=ids).select_related("organization").only(*CARD_FIELDS)
    by_id = {p.pk: p for p in _with_saved_flag(qs, viewer)}
    return with_card_skills([by_id[i] for i in ids if i in by_id])


def _requiring_parts(
    skill_ids: Iterable[int], *, now: datetime, limit: int, exclude_pk: int | None = None
) -> tuple[list[str], list]:
    """SQL parts for a UNION ALL: per skill, the ids of the ``limit`` most recently
    created open projects (highest ids) that *require* it.

    Each part walks the (skill, is_required, project) index backwards and probes the
    project's primary key until it has ``limit`` open ones: a few hundred index entries
    at 20,000 or 200,000 projects. One "skill IN (…)" query would instead read every
    project row of those skills, or probe the newest projects one by one for thousands
    of rows (a student's skills are required by ~3% of projects).

    Plain SQL: building the same UNION with the ORM, one subquery per skill, cost more
    Python time than the database spends on it. Each part is wrapped in
    ``SELECT … FROM (…)`` so that SQLite accepts its LIMIT too.
    """
    p, ps = Project._meta.db_table, ProjectSkill._meta.db_table
    exclude = " AND ps.project_id <> %s" if exclude_pk is not None else ""
    parts, params = [], []
    for i, skill_id in enumerate(sorted(set(skill_ids))):
        parts.append(
            f"SELECT r{i}.project_id FROM (SELECT ps.project_id FROM {ps} ps"
            f" INNER JOIN {p} pp ON pp.id = ps.project_id"
            " WHERE ps.skill_id = %s AND ps.is_required = %s AND pp.status = %s"
            f" AND pp.application_deadline > %s{exclude}"
            f" ORDER BY ps.project_id DESC LIMIT {int(limit)}) r{i}"
        )
        params += [skill_id, True, Project.Status.OPEN, now]
        if exclude_pk is not None:
            params.append(exclude_pk)
    return parts, params


def _newest_requiring(skill_ids: Iterable[int], *, now: datetime, limit: int) -> RawSQL:
    """Ids of the ``limit`` most recently created open projects that require one of
    ``skill_ids`` (see ``_requiring_parts``), as a subquery for ``pk__in``. An id may
    come twice (a project requiring two of the skills); ``IN`` does not mind."""
    parts, params = _requiring_parts(skill_ids, now=now, limit=limit)
    union = " UNION ALL ".join(parts)
    return RawSQL(
        f"SELECT u.project_id FROM ({union}) u ORDER BY u.project_id DESC LIMIT {int(limit)}",
        params,
    )


# ------------------------------------------------------------------------------
# Detail
# ------------------------------------------------------------------------------
def project_page_get(pk: int, *, viewer=None) -> tuple[Project, MatchResult | None]:
    """A project anyone may see (open, or closed/completed with a banner; 404
    otherwise) with its organization and skills and, for a student, ``is_saved`` and
    how they match it (None while their profile lists no skill).

    Two queries whoever views: the project row carries the student's saved flag, weekly
    hours and whether they have any skill; each skill row carries the student's level
    in it, which is all of their skills that the score reads."""
    qs = (
        Project.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("organization")
        .defer("search_vector")
    )
    skills = ProjectSkill.objects.select_related("skill").order_by("-is_required", "skill__name")
    is_student = _is_student(viewer)
    if is_student:
        profile = StudentProfile.objects.filter(user=viewer)
        qs = _with_saved_flag(qs, viewer).annotate(
            viewer_weekly_hours=Subquery(profile.values("weekly_availability_hours")[:1]),
            viewer_has_skills=Exists(StudentSkill.objects.filter(profile__user=viewer)),
        )
        levels = StudentSkill.objects.filter(profile__user=viewer, skill=OuterRef("skill_id"))
        skills = skills.annotate(viewer_level=Subquery(levels.values("level")[:1]))
    project = get_object_or_404(qs.prefetch_related(Prefetch("project_skills", skills)), pk=pk)
    if not (is_student and project.viewer_has_skills):  # type: ignore[attr-defined]  # annotated by the query
        return project, None
    student = StudentMatchProfile(
        skills={
            ps.skill_id: ps.viewer_level  # type: ignore[attr-defined]  # annotated by the query
            for ps in project.project_skills.all()
            if ps.viewer_level is not None  # type: ignore[attr-defined]  # annotated by the query
        },
        weekly_hours=project.viewer_weekly_hours or 0,  # type: ignore[attr-defined]  # annotated by the query
    )
    return project, project_match_for(project=project, student=student)


def project_get_public(pk: int, *, viewer=None) -> Project:
    """``project_page_get`` without the viewer's match."""
    return project_page_get(pk, viewer=viewer)[0]


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


def _similar_candidates(project: Project, required_ids: list[int], *, now: datetime) -> RawSQL:
    """Ids of the candidates for "similar", as a subquery: the ``SIMILAR_CANDIDATES``
    newest open projects of the same category (along ``project_open_feed``) and, per
    required skill of ``project``, the ``SIMILAR_CANDIDATES`` newest open projects
    requiring it too (``_requiring_parts``), in one UNION ALL — not "category OR shares
    a skill", which PostgreSQL can only answer by scanning the whole table."""
    n = int(SIMILAR_CANDIDATES)
    parts, params = _requiring_parts(required_ids, now=now, limit=n, exclude_pk=project.pk)
    same_category = (
        f"SELECT c.id FROM (SELECT id FROM {Project._meta.db_table}"
        " WHERE status = %s AND application_deadline > %s AND category = %s AND id <> %s"
        f" ORDER BY published_at DESC, id DESC LIMIT {n}) c"
    )
    return RawSQL(
        " UNION ALL ".join([same_category, *parts]),
        [Project.Status.OPEN, now, project.category, project.pk, *params],
    )


def project_list_similar(project: Project, *, now: datetime | None = None) -> list[Project]:
    """Up to four other open projects in the same category or sharing a required skill,
    the ones sharing most skills first. One query: the newest candidates of each kind
    (``_similar_candidates``), ranked by shared skills."""
    now = now or timezone.now()
    project_skills = list(project.project_skills.all())
    skill_ids = [ps.skill_id for ps in project_skills]
    required_ids = [ps.skill_id for ps in project_skills if ps.is_required]
    candidates = _similar_candidates(project, required_ids, now=now)
    return list(
        Project.objects.filter(pk__in=candidates)
        .select_related("organization")
        .only(*CARD_FIELDS)
        .annotate(
            shared_skills=Count("project_skills", filter=Q(project_skills__skill_id__in=skill_ids))
        )
        .order_by("-shared_skills", "-published_at", "-pk")[:SIMILAR_SHOWN]
    )


#: How long a project page reuses its "similar projects" list. The list is a browsing
#: aid: a project that closed meanwhile shows its own "no longer accepting" banner.
SIMILAR_CACHE_SECONDS = 600


def project_list_similar_cached(project: Project) -> list[dict]:
    """``project_list_similar`` as plain display data, cached per project: the most
    expensive query of the project page runs once per project every few minutes
    instead of on every view."""
    return cached(
        f"projects:similar:v1:{project.pk}",
        SIMILAR_CACHE_SECONDS,
        lambda: [
            {
                "url": other.get_absolute_url(),
                "title": other.title,
                "organization_name": other.organization.name,
                "fee": other.fee,
                "currency": other.currency,
                "estimated_hours": other.estimated_hours,
            }
            for other in project_list_similar(project)
        ],
    )


# ------------------------------------------------------------------------------
# Saved
# ------------------------------------------------------------------------------
def project_list_saved_for(*, user) -> QuerySet[SavedProject]:
    """A student's bookmarks, newest first, with project and organization (a page of
    them gets its skills from ``with_card_skills``)."""
    return (
        SavedProject.objects.filter(student=user)
        .select_related("project__organization")
        .only("student_id", "created_at", "project", *(f"project__{f}" for f in CARD_FIELDS))
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
    ``RECOMMENDATIONS_SHOWN`` are returned. The ranking is reused for a few minutes
    (``_best_matches_cached``); the projects are read fresh, and one whose applications
    closed meanwhile is left out.
    """
    student = student if student is not None else student_match_profile(user=user)
    if not student.has_skills:
        return []
    best = _best_matches_cached(student, now=now)
    projects = project_list_by_ids([pk for pk, _ in best], viewer=user)
    matches = dict(best)
    open_now = now or timezone.now()
    return [
        Recommendation(project=p, match=matches[p.pk])
        for p in projects
        if p.is_open and p.application_deadline > open_now
    ]


def _best_matches_cached(
    student: StudentMatchProfile, *, now: datetime | None
) -> list[tuple[int, MatchResult]]:
    """``_best_matches`` kept under the catalogue's version for the student's skills,
    levels and hours (students with the same ones share it). A new, edited or closed
    project starts a new version; the scores' one other input, how soon applications
    close, moves slowly enough to reuse for ``RECOMMENDATION_CACHE_SECONDS``. A caller
    naming ``now`` asks for that moment's ranking, computed afresh."""
    if now is not None:
        return _best_matches(student, now=now)
    profile = (sorted(student.skills.items()), student.weekly_hours)
    key = "projects:recommended:v1:" + key_part(profile)
    version, best = get_under_version(CATALOGUE_VERSION_KEY, key)
    if best is None:
        best = _best_matches(student, now=timezone.now())
        set_under_version(key, version, best, RECOMMENDATION_CACHE_SECONDS)
    return best


def _best_matches(student: StudentMatchProfile, *, now: datetime) -> list[tuple[int, MatchResult]]:
    # A project needs at least one required skill (posting enforces it) and the
    # required part dominates the score, so candidates require one of the student's
    # skills: the newest ones (see _newest_requiring), whatever the table size.
    candidates = _newest_requiring(list(student.skills), now=now, limit=RECOMMENDATION_CANDIDATES)
    scored = _score_candidates(candidates, student=student, now=now)
    return sorted(
        ((pk, m) for pk, m in scored.items() if m.eligible),
        key=lambda item: (-item[1].score, -item[0]),
    )[:RECOMMENDATIONS_SHOWN]
