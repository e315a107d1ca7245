"""Reads for applying (students) and selection (employers).

Everything is scoped to the reader: a student sees only their own applications, an
employer only the applicants of their organization's projects; anything else is a 404
here, before a view sees it.

The applicant list is ordered by the stored ``Application.rank_score`` (kept current by
``matching.services.ranking``), so a tab's page is one LIMIT/OFFSET query on the index
(project, status, -rank_score, created_at) with the students and profiles joined, and
its paginator takes its count from the per-status counts the tabs show anyway
(``applicant_status_counts``, one GROUP BY). Only the shown page's rows are explained:
one query for those students' skills, one for their track records. The number of
queries does not depend on the number of applicants. Rows are model instances and
plain facts; the template words and formats them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import StudentSkill, User
from projects.models import Project, ProjectSkill
from projects.scoring import MatchResult

from ..exceptions import ApplicationError
from ..models import Application, ApplicationEvent, Engagement
from ..services.applications import application_check_can_apply
from ..services.ranking import (
    NO_RECORD,
    ProjectInputs,
    TrackRecord,
    project_matcher,
    track_records,
)

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
    # Only what the apply box shows (the apply-box partial of matching/project_detail.html):
    # the date, the status and the link.
    return (
        Application.objects.filter(project_id=project.pk, student_id=user.pk)
        .only("pk", "project_id", "student_id", "status", "created_at")
        .first()
    )


def application_apply_problem(*, project: Project, student: User) -> ApplicationError | None:
    """Why the student cannot apply to the project right now (the refusal
    ``application_submit`` would give, with what it names, such as a profile's missing
    parts), or None when they can. The apply page shows it before any typing."""
    try:
        application_check_can_apply(project=project, student=student)
    except ApplicationError as error:
        return error
    return None


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


def project_get_for_selection(*, user: User, pk: int) -> Project:
    """One of the user's organization's projects, with its skills as plain values in
    ``project.skill_rows`` — (skill id, is required, name), required first, then by
    name — from a second query; 404 otherwise."""
    queryset = Project.objects.all()
    project = get_object_or_404(queryset, pk=pk, organization_id=_organization_id(user))
    project.skill_rows = list(  # type: ignore[attr-defined]  # annotated by the query
        ProjectSkill.objects.filter(project_id=project.pk)
        .order_by("-is_required", "skill__name")
        .values_list("skill_id", "is_required", "skill__name")
    )
    return project


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


def project_slots_remaining(*, project: Project, taken: int | None = None) -> int:
    """Places still free (every engagement holds its place, even a cancelled one).
    ``taken``, when the caller knows it (the accepted applications: each has its
    engagement), saves the count."""
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
@dataclass(frozen=True)
class SkillFit:
    """A project skill as an applicant has it: its name and their level (None when
    the level does not matter, as for a missing skill)."""

    name: str
    level: int | None = None

    @property
    def level_label(self) -> str:
        return StudentSkill.Level(self.level).label if self.level else ""


@dataclass(eq=False)
class RankedApplicant:
    """One applicant's place in the ranking, for the shown rows only: the application
    (with its student and profile), its rank on the list, and the facts the stored
    ``Application.rank_score`` used (skills, hours, track record), which the template
    words as the reasons."""

    application: Application
    rank: int | None
    match: MatchResult
    completed_engagements: int
    average_rating: float | None
    weekly_hours: int
    required_total: int
    required_matched: list[SkillFit] = field(default_factory=list)
    required_missing: list[SkillFit] = field(default_factory=list)
    nice_matched: list[SkillFit] = field(default_factory=list)

    @property
    def application_id(self) -> int:
        return self.application.pk

    @property
    def score(self) -> float:
        return self.application.rank_score

    @property
    def student(self) -> User:
        return self.application.student

    @property
    def profile(self):
        return getattr(self.application.student, "student_profile", None)

    @property
    def is_undecided(self) -> bool:
        return self.application.status in Application.UNDECIDED

    @property
    def hours_needed(self) -> int:
        return round(self.match.weekly_hours_needed)

    @property
    def version(self) -> tuple:
        """Everything a list row shows, so a cached row is keyed by it and can never be
        stale: it changes whenever the row would."""
        application, student, profile = self.application, self.student, self.profile
        return (
            application.pk,
            application.status,
            application.rank_score,
            application.created_at,
            self.rank,
            student.first_name,
            student.last_name,
            student.email,
            (profile.major, profile.graduation_year) if profile is not None else None,
            self.weekly_hours,
            self.hours_needed,
            self.match.fits_hours,
            self.required_total,
            tuple(self.required_matched),
            tuple(self.required_missing),
            tuple(self.nice_matched),
            self.completed_engagements,
            self.average_rating,
        )


def average_supervisor_ratings(*, student_ids: Iterable[int]) -> dict[int, float]:
    """The average overall rating supervisors gave each student, by student id, over the
    feedback already released (visible to the student: both sides were in, or the
    feedback window closed). Students without released feedback are left out. ONE
    aggregate query (``track_records``, which the rank score reads too)."""
    return {
        student_id: record.rating
        for student_id, record in track_records(student_ids=student_ids).items()
        if record.rating is not None
    }


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


def _project_inputs(skill_rows: Iterable[tuple[int, bool, str]], project: Project):
    """(what the score reads of the project, skill names) from (skill id, is required,
    name) rows."""
    skill_rows = list(skill_rows)
    inputs = ProjectInputs(
        required=frozenset(pk for pk, required, _ in skill_rows if required),
        nice=frozenset(pk for pk, required, _ in skill_rows if not required),
        estimated_hours=project.estimated_hours,
        duration_days=project.duration_days,
    )
    return inputs, {pk: name for pk, _, name in skill_rows}


def _fits(ids: Iterable[int], names: Mapping[int, str], levels: Mapping[int, int]) -> list:
    fits = [SkillFit(names.get(pk, "?"), levels.get(pk)) for pk in ids]
    return sorted(fits, key=lambda fit: fit.name)


def _ranked(
    application: Application,
    *,
    rank: int | None,
    match: MatchResult,
    names: Mapping[int, str],
    levels: Mapping[int, int],
    weekly: int,
    record: TrackRecord,
    required_total: int,
) -> RankedApplicant:
    return RankedApplicant(
        application=application,
        rank=rank,
        match=match,
        completed_engagements=record.completed,
        average_rating=record.rating,
        weekly_hours=weekly,
        required_total=required_total,
        required_matched=_fits(match.required_matched, names, levels),
        required_missing=_fits(match.required_missing, names, {}),
        nice_matched=_fits(match.nice_matched, names, levels),
    )


#: What the list reads of each application and its student; the student's skills come
#: from one more query for the page's profiles.
_LIST_FIELDS = (
    "pk",
    "project_id",
    "student_id",
    "rank_score",
    "status",
    "created_at",
    "updated_at",
    "student__first_name",
    "student__last_name",
    "student__email",
    "student__student_profile__major",
    "student__student_profile__graduation_year",
    "student__student_profile__weekly_availability_hours",
    "student__student_profile__updated_at",
)
#: The list's order; ``Application.Meta`` indexes (project, status, -rank_score, created_at).
APPLICANT_ORDER = ("-rank_score", "created_at", "pk")


def applicant_list_rows(*, project: Project, statuses: Iterable[str]) -> QuerySet[Application]:
    """The project's applications in ``statuses``, best match first (ties: who applied
    first), with their students and profiles. Lazy: slice it (a Paginator's page) and
    only that page is read, with LIMIT/OFFSET; ``applicant_list_page`` ranks the page."""
    return (
        Application.objects.filter(project_id=project.pk, status__in=list(statuses))
        .select_related("student", "student__student_profile")
        .only(*_LIST_FIELDS)
        .order_by(*APPLICANT_ORDER)
    )


def _skill_levels(profile_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """{profile id: {skill id: level}} for these profiles, in one query."""
    levels: dict[int, dict[int, int]] = {}
    rows = (
        StudentSkill.objects.filter(profile_id__in=list(profile_ids))
        .order_by()
        .values_list("profile_id", "skill_id", "level")
    )
    for profile_id, skill_id, level in rows:
        levels.setdefault(profile_id, {})[skill_id] = level
    return levels


def applicant_list_page(
    applications: Iterable[Application], *, project: Project, start_index: int
) -> list[RankedApplicant]:
    """One page of ``applicant_list_rows`` (``project`` from ``project_get_for_selection``)
    ranked from ``start_index``, with the facts behind each score: one query for these
    students' skills and one for their track records."""
    applications = list(applications)
    if not applications:
        return []
    profiles = {a.pk: getattr(a.student, "student_profile", None) for a in applications}
    levels = _skill_levels(p.pk for p in profiles.values() if p is not None)
    records = track_records(student_ids={a.student_id for a in applications})
    inputs, names = _project_inputs(project.skill_rows, project)  # type: ignore[attr-defined]  # annotated by the query
    matcher = project_matcher(inputs)
    ranked = []
    for rank, application in enumerate(applications, start=start_index):
        profile = profiles[application.pk]
        student_levels = levels.get(profile.pk, {}) if profile is not None else {}
        weekly = (profile.weekly_availability_hours if profile is not None else 0) or 0
        ranked.append(
            _ranked(
                application,
                rank=rank,
                match=matcher(student_levels, weekly),
                names=names,
                levels=student_levels,
                weekly=weekly,
                record=records.get(application.student_id, NO_RECORD),
                required_total=len(inputs.required),
            )
        )
    return ranked


def applicant_ranked_one(*, application: Application) -> RankedApplicant:
    """One applicant (from ``applicant_get_for_employer``) as the list shows them: the
    stored score, and the facts from their current profile."""
    project = application.project
    skill_rows = [
        (ps.skill_id, ps.is_required, ps.skill.name) for ps in project.project_skills.all()
    ]
    inputs, names = _project_inputs(skill_rows, project)
    profile = getattr(application.student, "student_profile", None)
    levels = {ss.skill_id: ss.level for ss in profile.studentskill_set.all()} if profile else {}
    weekly = (profile.weekly_availability_hours if profile else 0) or 0
    ratings = average_supervisor_ratings(student_ids=[application.student_id])
    record = TrackRecord(
        completed=int(getattr(application, "completed_engagements", 0) or 0),
        rating=ratings.get(application.student_id),
    )
    return _ranked(
        application,
        rank=None,
        match=project_matcher(inputs)(levels, weekly),
        names=names,
        levels=levels,
        weekly=weekly,
        record=record,
        required_total=len(inputs.required),
    )


def applicant_choices(*, project: Project) -> list[tuple[int, str]]:
    """(application id, applicant name) for every application of the project, for the
    bulk-reject form (the service skips the ones decided meanwhile)."""
    rows = (
        Application.objects.filter(project_id=project.pk)
        .order_by("created_at", "pk")
        .values_list("pk", "student__first_name", "student__last_name", "student__email")
    )
    return [(pk, f"{first} {last}".strip() or email) for pk, first, last, email in rows]
