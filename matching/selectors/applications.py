"""Reads for applying (students) and selection (employers).

Everything is scoped to the reader: a student sees only their own applications, an
employer only the applicants of their organization's projects; anything else is a 404
here, before a view sees it.

The applicant list is ordered by the stored ``Application.rank_score`` (kept current by
``matching.services.ranking``), so a tab's page is one LIMIT/OFFSET query on the index
(project, status, -rank_score, created_at), and its paginator takes its count from the
per-status counts the tabs show anyway (``applicant_status_counts``, one GROUP BY). Only
the shown page's rows are explained: one query for those students (names, profiles,
skills), one for their track records (completed engagements, released ratings); the
display strings are worked out once per page (``applicant_list_page_rows``: no per-row
``{% url %}`` or filters). The number of queries does not depend on the number of
applicants.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturalday
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from accounts.models import StudentSkill, User
from projects.models import Project, ProjectSkill
from projects.scoring import MatchResult

from ..models import Application, ApplicationEvent, Engagement
from ..services.ranking import NO_RECORD, ProjectInputs, project_matcher, track_records

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
    # Only what the apply box shows (application_apply_button.html): the date, the
    # status and the link.
    return (
        Application.objects.filter(project_id=project.pk, student_id=user.pk)
        .only("pk", "project_id", "student_id", "status", "created_at")
        .first()
    )


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
    project.skill_rows = list(
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
# Label per level, computed once (looking enum labels up per row is measurably slow).
LEVEL_LABELS: dict[int, str] = {value: label.lower() for value, label in StudentSkill.Level.choices}
_STATUS_LABELS: dict[str, str] = {value: str(label) for value, label in Status.choices}
_PK_SENTINEL = 2_147_483_647


@dataclass(eq=False)
class RankedApplicant:
    """One applicant's place in the ranking, for the shown rows only. ``score`` is the
    stored ``Application.rank_score`` (the list is ordered by it); ``match`` and the
    track record are read again for the row so the ``reasons`` can say why, and are
    worded only when read."""

    application_id: int
    student_id: int
    score: float
    match: MatchResult
    completed_engagements: int
    average_rating: float | None
    weekly_hours: int
    levels: Mapping[int, int] = field(repr=False)
    skill_names: Mapping[int, str] = field(repr=False)
    required_total: int = 0
    # What the list shows, filled by ``applicant_list_page_rows``.
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
    #: (project id, list query row, _Student): what ``application`` is built from
    source: tuple | None = field(default=None, repr=False)

    @property
    def is_undecided(self) -> bool:
        return self.status in Application.UNDECIDED

    def __getitem__(self, name: str):
        # The template engine tries ``row[name]`` before ``row.name``: answering it
        # saves raising and catching a TypeError for each of the ~15 variables of a row.
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    @cached_property
    def application(self) -> Application | None:
        """The Application (with its student) of a list row, as if loaded with
        ``only()``; built only when read. ``applicant_ranked_one`` sets the real one."""
        return _application_from_row(*self.source) if self.source is not None else None

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


def _skill_list(ids: list[int], names: Mapping[int, str], levels: Mapping[int, int]) -> str:
    parts = []
    for skill_id in sorted(ids, key=lambda i: names.get(i, "")):
        name = names.get(skill_id, "?")
        label = LEVEL_LABELS.get(levels.get(skill_id))
        parts.append(f"{name} ({label})" if label else name)
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


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


#: What the list reads of each application of the page; the student's side comes from
#: one more query for the page's students (``_page_students``).
_LIST_FIELDS = ("pk", "student_id", "rank_score", "status", "created_at")
#: The list's order; ``Application.Meta`` indexes (project, status, -rank_score, created_at).
APPLICANT_ORDER = ("-rank_score", "created_at", "pk")


def applicant_list_rows(*, project: Project, statuses: Iterable[str]) -> QuerySet:
    """The project's applications in ``statuses``, best match first (ties: who applied
    first), as plain rows for ``applicant_list_page_rows``. Lazy: slice it (a
    Paginator's page) and only that page is read, with LIMIT/OFFSET. No join: the
    students of the page are read once the page is known, not for every applicant the
    sort has to look at (PostgreSQL would join them all before the LIMIT)."""
    return (
        Application.objects.filter(project_id=project.pk, status__in=list(statuses))
        .order_by(*APPLICANT_ORDER)
        .values_list(*_LIST_FIELDS)
    )


@dataclass(frozen=True)
class _Student:
    first_name: str
    last_name: str
    email: str
    weekly: int
    major: str
    graduation_year: int | None
    levels: dict[int, int]


def _page_students(student_ids: Iterable[int]) -> dict[int, _Student]:
    """Name, profile and skill levels of each student, in one query (a row per skill;
    LEFT JOINs, so a student without a profile or skills is still there)."""
    students: dict[int, _Student] = {}
    for pk, first, last, email, weekly, major, year, skill_id, level in (
        User.objects.filter(pk__in=list(student_ids))
        .order_by()
        .values_list(
            "pk",
            "first_name",
            "last_name",
            "email",
            "student_profile__weekly_availability_hours",
            "student_profile__major",
            "student_profile__graduation_year",
            "student_profile__studentskill__skill_id",
            "student_profile__studentskill__level",
        )
    ):
        student = students.get(pk)
        if student is None:
            student = students[pk] = _Student(first, last, email, weekly or 0, major, year, {})
        if skill_id is not None:
            student.levels[skill_id] = level
    return students


def _application_from_row(project_id: int, row: tuple, student: _Student | None) -> Application:
    """An Application instance from the list query's values, as if loaded with
    ``only()``: any other field is deferred (loaded on access), never made up."""
    pk, student_id, score, status, created_at = row
    application = Application.from_db(
        None,
        ["id", "project_id", "student_id", "status", "rank_score", "created_at"],
        [pk, project_id, student_id, status, score, created_at],
    )
    if student is not None:
        application.student = User.from_db(
            None,
            ["id", "first_name", "last_name", "email"],
            [student_id, student.first_name, student.last_name, student.email],
        )
    return application


def _safe(text: str) -> SafeString:
    """``text`` escaped once here, so the template prints it as it is: the same HTML
    as autoescaping (Django's ``escape`` is ``html.escape``), without the per-variable
    escaping work of ~15 variables × 25 rows."""
    return SafeString(html.escape(text))


def applicant_list_page_rows(
    rows: Iterable[tuple], *, project: Project, start_index: int
) -> list[RankedApplicant]:
    """One page of ``applicant_list_rows`` (``project`` from ``project_get_for_selection``)
    ready to show: the reasons (with one query for these students' names, profiles and
    skills and one for their track records) and the display strings — rank, score, status,
    links, applied date — worked out once per page rather than per row in the
    template."""
    rows = list(rows)
    if not rows:
        return []
    student_ids = {row[1] for row in rows}
    students = _page_students(student_ids)
    records = track_records(student_ids=student_ids)
    inputs, names = _project_inputs(project.skill_rows, project)
    match = project_matcher(inputs)
    required_total = len(inputs.required)

    detail = reverse("matching:applicant-detail", kwargs={"pk": _PK_SENTINEL})
    shortlist = reverse("matching:applicant-shortlist", kwargs={"pk": _PK_SENTINEL})
    sentinel = str(_PK_SENTINEL)
    language = get_language()
    tz = timezone.get_current_timezone() if settings.USE_TZ else None
    today = timezone.localdate() if tz is not None else datetime.date.today()
    nobody = _Student("", "", "", 0, "", None, {})
    ranked = []
    for rank, row in enumerate(rows, start=start_index):
        pk, student_id, score, status, created_at = row
        student = students.get(student_id, nobody)
        record = records.get(student_id, NO_RECORD)
        pk_text = str(pk)
        item = RankedApplicant(
            application_id=pk,
            student_id=student_id,
            score=score,
            match=match(student.levels, student.weekly),
            completed_engagements=record.completed,
            average_rating=record.rating,
            weekly_hours=student.weekly,
            levels=student.levels,
            skill_names=names,
            required_total=required_total,
            rank=SafeString(str(rank)),
            pk_display=SafeString(pk_text),
            name=_safe(f"{student.first_name} {student.last_name}".strip() or student.email),
            major=_safe(student.major or ""),
            graduation_year=SafeString(
                "" if student.graduation_year is None else str(student.graduation_year)
            ),
            status=_safe(status),
            status_label=_safe(_STATUS_LABELS.get(status, status)),
            score_display=_cached(("score", score, language), floatformat, score, 0),
            detail_url=_safe(detail.replace(sentinel, pk_text)),
            shortlist_url=_safe(shortlist.replace(sentinel, pk_text)),
            source=(project.pk, row, students.get(student_id)),
        )
        item.reasons_html = SafeString(
            "".join(f"<li>{html.escape(reason)}</li>" for reason in item.reasons)
        )
        if created_at is not None:
            # What the template's localtime conversion would do.
            local = created_at
            if tz is not None and timezone.is_aware(local):
                local = local.astimezone(tz)
            item.applied_iso = _safe(local.isoformat())  # what the "c" date format gives
            item.applied_natural = _cached(
                ("day", local.date(), today, language), naturalday, local
            )
        ranked.append(item)
    return ranked


#: Display strings that depend only on their key (the value, today's date, the language):
#: ``floatformat`` and ``naturalday`` are slow per call, and a page repeats few values.
_DISPLAY_CACHE: dict[tuple, str] = {}
_DISPLAY_CACHE_MAX = 4096


def _cached(key: tuple, function, *args) -> SafeString:
    text = _DISPLAY_CACHE.get(key)
    if text is None:
        if len(_DISPLAY_CACHE) >= _DISPLAY_CACHE_MAX:
            _DISPLAY_CACHE.clear()
        text = _DISPLAY_CACHE[key] = _safe(str(function(*args)))
    return text


def applicant_ranked_one(*, application: Application) -> RankedApplicant:
    """One applicant (from ``applicant_get_for_employer``) as the list shows them: the
    stored score, and the reasons from their current profile."""
    project = application.project
    skill_rows = [
        (ps.skill_id, ps.is_required, ps.skill.name) for ps in project.project_skills.all()
    ]
    inputs, names = _project_inputs(skill_rows, project)
    profile = getattr(application.student, "student_profile", None)
    levels = {ss.skill_id: ss.level for ss in profile.studentskill_set.all()} if profile else {}
    weekly = (profile.weekly_availability_hours if profile else 0) or 0
    ratings = average_supervisor_ratings(student_ids=[application.student_id])
    ranked = RankedApplicant(
        application_id=application.pk,
        student_id=application.student_id,
        score=application.rank_score,
        match=project_matcher(inputs)(levels, weekly),
        completed_engagements=int(getattr(application, "completed_engagements", 0) or 0),
        average_rating=ratings.get(application.student_id),
        weekly_hours=weekly,
        levels=levels,
        skill_names=names,
        required_total=len(inputs.required),
        status=application.status,
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
