"""Reads for applying (students) and selection (employers).

Everything is scoped to the reader: a student sees only their own applications, an
employer only the applicants of their organization's projects; anything else is a 404
here, before a view sees it.

The applicant list is ranked in Python with the shared ``projects.scoring.match_score``
plus the applicant's track record. It runs a constant number of queries whatever the
number of applicants (project + skills, the status counts, the applications with their
student, profile and completed-engagement count, the student skills): a project has at
most a few hundred applicants, so scoring them all and then paginating is bounded.
The list page reads the status counts from the same application query
(``applicant_list_with_counts``), memoizes ``match_score`` on what it reads of a
student, and prepares display strings only for the shown page's rows
(``applicant_list_page_rows``: no query, no per-row ``{% url %}`` or filters).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.humanize.templatetags.humanize import naturalday
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html_join
from django.utils.timezone import template_localtime

from accounts.models import StudentSkill, User
from projects.models import Project, ProjectSkill
from projects.scoring import MatchResult, match_score

from ..models import Application, ApplicationEvent, Engagement

Status = Application.Status

#: Employers see applicants by these tabs: (key, label, statuses).
APPLICANT_TABS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("review", "To review", (Status.SUBMITTED, Status.SHORTLISTED)),
    ("shortlisted", "Shortlisted", (Status.SHORTLISTED,)),
    ("accepted", "Accepted", (Status.ACCEPTED,)),
    ("rejected", "Not selected", (Status.REJECTED,)),
    ("closed", "Withdrawn or closed", (Status.WITHDRAWN, Status.EXPIRED)),
    ("all", "All", tuple(Status.values)),
)
DEFAULT_APPLICANT_TAB = "review"

# Track record on top of the 0–100 match score: a few points per completed
# micro-internship (capped, so experience breaks ties rather than swamping skills) and,
# once feedback exists, the average supervisor rating around the midpoint 3.
TRACK_POINTS_PER_COMPLETED = 3.0
TRACK_POINTS_MAX = 9.0
RATING_POINTS_PER_STAR = 3.0


# ------------------------------------------------------------------------------
# Students
# ------------------------------------------------------------------------------
def application_list_for_student(*, user: User, status: str | None = None) -> QuerySet[Application]:
    """The student's applications, newest first, with their project and organization."""
    queryset = Application.objects.filter(student_id=user.pk)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("project", "project__organization").defer(
        "cover_note", "answers", "project__description", "project__search_vector"
    )


def application_status_counts_for_student(*, user: User) -> dict[str, int]:
    """How many of the student's applications are in each status (one query)."""
    rows = (
        Application.objects.filter(student_id=user.pk)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def application_get_for_student(*, user: User, pk: int) -> Application:
    """One of the student's own applications; another student's is a 404."""
    return get_object_or_404(
        Application.objects.select_related("project", "project__organization"),
        pk=pk,
        student_id=user.pk,
    )


def application_events(*, application: Application) -> QuerySet[ApplicationEvent]:
    """The application's timeline, oldest first."""
    return application.events.select_related("actor").order_by("created_at", "pk")


def application_for_student_project(*, user: User, project: Project) -> Application | None:
    """The student's application to this project, if any (for the project page's
    "Apply" / "You applied" button)."""
    if not (user.is_authenticated and user.is_student):
        return None
    return Application.objects.filter(project_id=project.pk, student_id=user.pk).first()


def project_get_for_applying(*, pk: int) -> Project:
    """A project a student may see the apply page of: anything published. Drafts and
    projects under review do not exist for students (404)."""
    hidden = (Project.Status.DRAFT, Project.Status.PENDING_REVIEW)
    return get_object_or_404(
        Project.objects.select_related("organization").exclude(status__in=hidden), pk=pk
    )


# ------------------------------------------------------------------------------
# Employers
# ------------------------------------------------------------------------------
def _organization_id(user: User) -> int:
    membership = getattr(user, "membership", None)
    if membership is None:
        raise Http404("No organization.")
    return membership.organization_id


def project_get_for_selection(*, user: User, pk: int, with_slots_taken: bool = False) -> Project:
    """One of the user's organization's projects, with its skills; 404 otherwise.
    ``with_slots_taken`` annotates ``engagements_taken`` in the same query, which
    ``project_slots_remaining`` then reads instead of counting."""
    queryset = Project.objects.select_related("organization", "supervisor").prefetch_related(
        Prefetch(
            "project_skills",
            queryset=ProjectSkill.objects.select_related("skill").order_by(
                "-is_required", "skill__name"
            ),
        )
    )
    if with_slots_taken:
        taken = (
            Engagement.objects.filter(project_id=OuterRef("pk"))
            .order_by()
            .values("project_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        queryset = queryset.annotate(
            engagements_taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0)
        )
    return get_object_or_404(queryset, pk=pk, organization_id=_organization_id(user))


def applicant_get_for_employer(*, user: User, pk: int) -> Application:
    """An application to one of the user's organization's projects; 404 otherwise."""
    queryset = (
        Application.objects.select_related(
            "project",
            "project__organization",
            "student",
            "student__student_profile",
            "student__student_profile__institution",
        )
        .prefetch_related(
            Prefetch(
                "project__project_skills",
                queryset=ProjectSkill.objects.select_related("skill").order_by(
                    "-is_required", "skill__name"
                ),
            ),
            Prefetch(
                "student__student_profile__studentskill_set",
                queryset=StudentSkill.objects.select_related("skill"),
            ),
        )
        .annotate(completed_engagements=_completed_engagements_subquery())
    )
    return get_object_or_404(queryset, pk=pk, project__organization_id=_organization_id(user))


def applicant_resume_get(*, user: User, pk: int) -> Application:
    """The application whose résumé snapshot the user may download: only members of the
    organization the student applied to. Anyone else, and an application without a
    snapshot, is a 404."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None:
        raise Http404("No such résumé.")
    application = get_object_or_404(
        Application.objects.select_related("student").only(
            "pk", "resume_snapshot", "student__last_name", "student__first_name", "project_id"
        ),
        pk=pk,
        project__organization_id=membership.organization_id,
    )
    if not application.resume_snapshot:
        raise Http404("This application has no résumé.")
    return application


def applicant_status_counts(*, project: Project) -> dict[str, int]:
    """Applications of the project per status and per tab (one query)."""
    rows = (
        Application.objects.filter(project_id=project.pk)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    by_status = dict.fromkeys(Status.values, 0)
    by_status.update({row["status"]: row["n"] for row in rows})
    counts = dict(by_status)
    for key, _label, statuses in APPLICANT_TABS:
        counts[f"tab_{key}"] = sum(by_status[s] for s in statuses)
    return counts


def applicant_tab(key: str | None) -> tuple[str, str, tuple[str, ...]]:
    for tab in APPLICANT_TABS:
        if tab[0] == key:
            return tab
    return next(t for t in APPLICANT_TABS if t[0] == DEFAULT_APPLICANT_TAB)


def project_slots_remaining(*, project: Project) -> int:
    """Places still free (every engagement holds its place, even a cancelled one)."""
    taken = getattr(project, "engagements_taken", None)
    if taken is None:
        taken = Engagement.objects.filter(project_id=project.pk).count()
    return max(project.slots - taken, 0)


def application_status_counts_annotation() -> dict:
    """Keyword arguments for ``Project.objects.annotate(**…)``: ``applications_total`` and
    ``applications_<status>`` for every status, as conditional COUNTs in the same query."""
    annotations = {"applications_total": Count("applications", distinct=True)}
    for value in Status.values:
        annotations[f"applications_{value}"] = Count(
            "applications", filter=Q(applications__status=value), distinct=True
        )
    return annotations


# ------------------------------------------------------------------------------
# Ranking
# ------------------------------------------------------------------------------
# Label per level, computed once (looking enum labels up per row is measurably slow).
LEVEL_LABELS: dict[int, str] = {value: label.lower() for value, label in StudentSkill.Level.choices}


@dataclass(eq=False)
class RankedApplicant:
    """One applicant's place in the ranking. Built from plain values (no model
    instances) so ranking a few hundred stays fast; ``application`` is attached only
    for the rows actually shown (``applicant_page_attach``), and ``reasons`` are worded
    only when read."""

    application_id: int
    student_id: int
    score: float
    match: MatchResult
    completed_engagements: int
    average_rating: float | None
    weekly_hours: int
    levels: dict[int, int] = field(repr=False)
    skill_names: Mapping[int, str] = field(repr=False)
    required_total: int = 0
    application: Application | None = None
    # What the list shows, filled by ``applicant_list_page_rows`` for the shown rows.
    rank: str = ""  # display strings: a number in a template is localized, which is slow
    pk_display: str = ""
    name: str = ""
    major: str = ""
    graduation_year: str = ""
    status: str = ""
    status_label: str = ""
    score_display: str = ""
    detail_url: str = ""
    shortlist_url: str = ""
    applied_iso: str = ""
    applied_natural: str = ""
    reasons_html: str = ""
    #: (project id, list query row): what ``applicant_list_page_rows`` builds from
    source: tuple | None = field(default=None, repr=False)

    @property
    def is_undecided(self) -> bool:
        return self.status in Application.UNDECIDED

    @cached_property
    def reasons(self) -> list[str]:
        """The employer's wording of the facts the score used."""
        match, names, levels = self.match, self.skill_names, self.levels
        reasons: list[str] = []
        if self.required_total:
            text = (
                f"Has {len(match.required_matched)} of "
                f"{_plural(self.required_total, 'required skill')}"
            )
            if match.required_matched:
                text += ": " + _skill_list(match.required_matched, names, levels)
            reasons.append(text)
            if match.required_missing:
                reasons.append("Missing: " + _skill_list(match.required_missing, names, {}))
        if match.nice_matched:
            reasons.append(
                f"Also has {_plural(len(match.nice_matched), 'nice-to-have skill')}: "
                + _skill_list(match.nice_matched, names, levels)
            )
        needed = round(match.weekly_hours_needed)
        if match.fits_hours:
            reasons.append(f"Available {self.weekly_hours} h/week (about {needed} needed)")
        else:
            reasons.append(f"Only {self.weekly_hours} h/week available; about {needed} needed")
        if self.completed_engagements:
            reasons.append(f"Completed {_plural(self.completed_engagements, 'micro-internship')}")
        else:
            reasons.append("No completed micro-internships yet")
        if self.average_rating is not None:
            reasons.append(f"Average supervisor rating {self.average_rating:.1f} / 5")
        return reasons


def average_supervisor_ratings(*, student_ids: Iterable[int]) -> Mapping[int, float] | None:
    """HOOK — the average rating supervisors gave each student, by student id.

    Feedback is not built yet, so there is nothing to average: returns None and the
    ranking leaves the rating out. When feedback arrives, return
    ``{student_id: average}`` from ONE aggregate query over the given ids.
    """
    return None


def _completed_engagements_subquery() -> Coalesce:
    completed = (
        Engagement.objects.filter(
            student_id=OuterRef("student_id"), status=Engagement.Status.COMPLETED
        )
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(completed, output_field=IntegerField()), 0)


def _skill_list(ids: list[int], names: Mapping[int, str], levels: Mapping[int, int]) -> str:
    parts = []
    for skill_id in sorted(ids, key=lambda i: names.get(i, "")):
        name = names.get(skill_id, "?")
        label = LEVEL_LABELS.get(levels.get(skill_id))
        parts.append(f"{name} ({label})" if label else name)
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _rank(
    *,
    application_id: int,
    student_id: int,
    levels: dict[int, int],
    weekly: int,
    completed: int,
    required: set[int],
    nice: set[int],
    names: Mapping[int, str],
    project: Project,
    ratings: Mapping[int, float] | None,
    now,
    match: MatchResult | None = None,
) -> RankedApplicant:
    # The deadline is the same for every applicant of a project: leave it out. No
    # skill names either: the employer's reasons are worded lazily, per shown row.
    if match is None:
        match = match_score(
            student_skills=levels,
            weekly_hours=weekly,
            project_required=required,
            project_nice=nice,
            estimated_hours=project.estimated_hours,
            duration_days=project.duration_days,
            deadline=None,
            now=now,
        )
    rating = ratings.get(student_id) if ratings else None
    track = min(completed * TRACK_POINTS_PER_COMPLETED, TRACK_POINTS_MAX)
    if rating is not None:
        track += (rating - 3.0) * RATING_POINTS_PER_STAR
    return RankedApplicant(
        application_id=application_id,
        student_id=student_id,
        score=round(match.score + track, 1),
        match=match,
        completed_engagements=completed,
        average_rating=rating,
        weekly_hours=weekly,
        levels=levels,
        skill_names=names,
        required_total=len(required),
    )


def _project_skill_sets(project: Project) -> tuple[set[int], set[int], dict[int, str]]:
    project_skills = list(project.project_skills.all())  # prefetched by the selector
    required = {ps.skill_id for ps in project_skills if ps.is_required}
    nice = {ps.skill_id for ps in project_skills if not ps.is_required}
    names = {ps.skill_id: ps.skill.name for ps in project_skills}
    return required, nice, names


def _matcher(*, project: Project, required: set[int], nice: set[int], now):
    """``match_score`` for this project, memoized on what it reads of a student: the
    levels of the required skills, which nice-to-haves they have, their weekly hours
    (it is pure, and applicants often share these)."""
    required_order = sorted(required)
    nice_order = sorted(nice)
    cache: dict[tuple, MatchResult] = {}

    def match(levels: dict[int, int], weekly: int) -> MatchResult:
        key = (
            tuple(levels.get(s) for s in required_order),
            tuple(s in levels for s in nice_order),
            weekly,
        )
        result = cache.get(key)
        if result is None:
            result = cache[key] = match_score(
                student_skills=levels,
                weekly_hours=weekly,
                project_required=required,
                project_nice=nice,
                estimated_hours=project.estimated_hours,
                duration_days=project.duration_days,
                deadline=None,
                now=now,
            )
        return result

    return match


def _ranked_rows(
    *, project: Project, rows: list[tuple], statuses: list[str]
) -> list[RankedApplicant]:
    """Score ``rows`` — (pk, student id, profile id, weekly hours, completed count, …)
    — with one more query for the students' skills; best first."""
    levels_by_profile: dict[int, dict[int, int]] = {}
    if rows:
        skill_rows = (
            StudentSkill.objects.filter(
                profile__user__applications__project_id=project.pk,
                profile__user__applications__status__in=statuses,
            )
            .order_by()
            .values_list("profile_id", "skill_id", "level")
        )
        for profile_id, skill_id, level in skill_rows:
            levels_by_profile.setdefault(profile_id, {})[skill_id] = level
    required, nice, names = _project_skill_sets(project)
    ratings = average_supervisor_ratings(student_ids={row[1] for row in rows})
    now = timezone.now()
    match = _matcher(project=project, required=required, nice=nice, now=now)
    ranked = []
    for pk, student_id, profile_id, weekly, completed, *_rest in rows:
        levels = levels_by_profile.get(profile_id, {})
        ranked.append(
            _rank(
                application_id=pk,
                student_id=student_id,
                levels=levels,
                weekly=weekly or 0,
                completed=completed or 0,
                required=required,
                nice=nice,
                names=names,
                project=project,
                ratings=ratings,
                now=now,
                match=match(levels, weekly or 0),
            )
        )
    # Stable sort: equal scores keep the earlier applicant first.
    ranked.sort(key=lambda r: -r.score)
    return ranked


_RANK_FIELDS = (
    "pk",
    "student_id",
    "student__student_profile__id",
    "student__student_profile__weekly_availability_hours",
    "completed",
)


def applicant_list_ranked(*, project: Project, statuses: Iterable[str]) -> list[RankedApplicant]:
    """The project's applications in ``statuses``, best match first (ties: who applied
    first). ``project`` comes from ``project_get_for_selection`` (skills prefetched).

    Two queries of plain tuples: the applications with the student's availability and
    completed-engagement count, and the skills of those students."""
    statuses = list(statuses)
    rows = list(
        Application.objects.filter(project_id=project.pk, status__in=statuses)
        .annotate(completed=_completed_engagements_subquery())
        .order_by("created_at", "pk")
        .values_list(*_RANK_FIELDS)
    )
    return _ranked_rows(project=project, rows=rows, statuses=statuses)


#: What the list page shows of each application, read with the ranking inputs.
_LIST_FIELDS = (
    *_RANK_FIELDS,
    "status",
    "created_at",
    "student__first_name",
    "student__last_name",
    "student__email",
    "student__student_profile__major",
    "student__student_profile__graduation_year",
)
_STATUS_LABELS: dict[str, str] = {value: str(label) for value, label in Status.choices}
_PK_SENTINEL = 2_147_483_647


def applicant_list_with_counts(
    *, project: Project, statuses: Iterable[str]
) -> tuple[list[RankedApplicant], dict[str, int]]:
    """The ranked applicants in ``statuses`` (as ``applicant_list_ranked``, with what
    the list shows of each row) and the per-status and per-tab counts of the project
    (as ``applicant_status_counts``), from two queries: every application of the project
    with its student, then the skills of the ones in ``statuses``."""
    statuses = list(statuses)
    every = list(
        Application.objects.filter(project_id=project.pk)
        .annotate(completed=_completed_engagements_subquery())
        .order_by("created_at", "pk")
        .values_list(*_LIST_FIELDS)
    )
    by_status = dict.fromkeys(Status.values, 0)
    for row in every:
        by_status[row[5]] = by_status.get(row[5], 0) + 1
    counts = dict(by_status)
    for key, _label, tab_statuses in APPLICANT_TABS:
        counts[f"tab_{key}"] = sum(by_status[s] for s in tab_statuses)
    wanted = set(statuses)
    rows = [row for row in every if row[5] in wanted]
    ranked = _ranked_rows(project=project, rows=rows, statuses=statuses)
    details = {row[0]: row for row in rows}
    for item in ranked:
        row = details[item.application_id]
        _, _, _, _, _, status, created_at, first, last, email, major, year = row
        item.status = status
        item.name = f"{first} {last}".strip() or email
        item.major = major or ""
        item.graduation_year = "" if year is None else str(year)
        item.source = (project.pk, row)
    return ranked, counts


def _application_from_row(project_id: int, row: tuple) -> Application:
    """An Application instance from the list query's values, as if loaded with
    ``only()``: any other field is deferred (loaded on access), never made up."""
    pk, student_id, _, _, _, status, created_at, first, last, email, *_ = row
    application = Application.from_db(
        None,
        ["id", "project_id", "student_id", "status", "created_at"],
        [pk, project_id, student_id, status, created_at],
    )
    application.student = User.from_db(
        None,
        ["id", "first_name", "last_name", "email"],
        [student_id, first, last, email],
    )
    return application


def applicant_list_page_rows(
    rows: Iterable[RankedApplicant], *, start_index: int
) -> list[RankedApplicant]:
    """Fill in the display strings of one page's rows (from ``applicant_list_with_counts``):
    rank, score, status label, links and the applied date, without any query."""
    rows = list(rows)
    detail = reverse("matching:applicant-detail", kwargs={"pk": _PK_SENTINEL})
    shortlist = reverse("matching:applicant-shortlist", kwargs={"pk": _PK_SENTINEL})
    sentinel = str(_PK_SENTINEL)
    for rank, row in enumerate(rows, start=start_index):
        if row.application is None and row.source is not None:
            row.application = _application_from_row(*row.source)
        pk = str(row.application_id)
        row.pk_display = pk
        row.rank = str(rank)
        row.score_display = floatformat(row.score, 0)
        row.status_label = _STATUS_LABELS.get(row.status, row.status)
        row.detail_url = detail.replace(sentinel, pk)
        row.shortlist_url = shortlist.replace(sentinel, pk)
        row.reasons_html = format_html_join("", "<li>{}</li>", ((r,) for r in row.reasons))
        applied = row.application.created_at if row.application else None
        if applied is not None:
            local = template_localtime(applied)
            row.applied_iso = dateformat.format(local, "c")
            row.applied_natural = naturalday(local)
    return rows


def applicant_page_attach(rows: Iterable[RankedApplicant]) -> list[RankedApplicant]:
    """Attach the Application (with student and profile) to the rows of one page, in
    one query."""
    rows = list(rows)
    applications = (
        Application.objects.select_related("student", "student__student_profile")
        .defer("cover_note", "answers", "student__student_profile__bio")
        .in_bulk([r.application_id for r in rows])
    )
    for row in rows:
        row.application = applications.get(row.application_id)
    return [r for r in rows if r.application is not None]


def applicant_ranked_one(*, application: Application) -> RankedApplicant:
    """Score one applicant (from ``applicant_get_for_employer``) the same way."""
    project = application.project
    required, nice, names = _project_skill_sets(project)
    profile = getattr(application.student, "student_profile", None)
    levels = {ss.skill_id: ss.level for ss in profile.studentskill_set.all()} if profile else {}
    ranked = _rank(
        application_id=application.pk,
        student_id=application.student_id,
        levels=levels,
        weekly=profile.weekly_availability_hours if profile else 0,
        completed=int(getattr(application, "completed_engagements", 0) or 0),
        required=required,
        nice=nice,
        names=names,
        project=project,
        ratings=average_supervisor_ratings(student_ids=[application.student_id]),
        now=timezone.now(),
    )
    ranked.application = application
    return ranked


def applicant_choices(*, project: Project) -> list[tuple[int, str]]:
    """(application id, applicant name) for every application of the project, for the
    bulk-reject form (the service skips the ones decided meanwhile)."""
    rows = (
        Application.objects.filter(project_id=project.pk)
        .order_by("created_at", "pk")
        .values_list("pk", "student__first_name", "student__last_name", "student__email")
    )
    return [(pk, f"{first} {last}".strip() or email) for pk, first, last, email in rows]
