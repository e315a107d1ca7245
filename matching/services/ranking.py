"""The applicant ranking score, stored on each application (``Application.rank_score``).

    rank score = match_score of the student for the project (skills and weekly hours,
                 0–100; without the deadline part, which is the same for every
                 applicant of a project)
               + track record: TRACK_POINTS_PER_COMPLETED per completed micro-internship
                 (at most TRACK_POINTS_MAX), plus RATING_POINTS_PER_STAR per star of the
                 student's average released supervisor rating above 3 (minus below 3)

What changes an input, and what keeps the stored score current:

    a new application                  application_submit scores it in its transaction
    the student's skills, weekly hours accounts' ``student_profile_changed`` signal ─┐
    an engagement completed            engagement_approve ──────────────────────────┤
    supervisor feedback released       the feedback release ────────────────────────┤
                                       rescore_student_applications task, on commit ◀┘
    the project's skills, hours, days  nothing to do: only drafts can be edited, and a
                                       draft takes no applications

``application_rank_score`` is the one formula: application_submit, the rescoring below,
the migration that filled the column and the benchmark seeder all go through it. The
loaders read only columns that exist since that migration, so it can call them as they
are (with its connection's alias as ``using``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import Count, Q, Sum

from accounts.models import StudentProfile, StudentSkill
from projects.models import Project, ProjectSkill
from projects.scoring import MatchResult, match_score

from ..models import Application, Engagement

# Track record on top of the 0–100 match score: a few points per completed
# micro-internship (capped, so experience breaks ties rather than swamping skills) and,
# once feedback exists, the average supervisor rating around the midpoint 3.
TRACK_POINTS_PER_COMPLETED = 3.0
TRACK_POINTS_MAX = 9.0
RATING_POINTS_PER_STAR = 3.0
RATING_MIDPOINT = 3.0

#: Applications rescored per round of queries (the inputs of a batch are read with a
#: fixed number of queries, whatever its size).
BATCH_SIZE = 2000


# ------------------------------------------------------------------------------
# The formula (pure)
# ------------------------------------------------------------------------------
def track_record_points(*, completed: int, rating: float | None) -> float:
    points = min(completed * TRACK_POINTS_PER_COMPLETED, TRACK_POINTS_MAX)
    if rating is not None:
        points += (rating - RATING_MIDPOINT) * RATING_POINTS_PER_STAR
    return points


def application_rank_score(*, match: float, completed: int, rating: float | None) -> float:
    """The stored rank score: ``match`` (``MatchResult.score``) plus the track record,
    to one decimal."""
    return round(match + track_record_points(completed=completed, rating=rating), 1)


@dataclass(frozen=True)
class ProjectInputs:
    """What the score reads of a project."""

    required: frozenset[int]
    nice: frozenset[int]
    estimated_hours: int
    duration_days: int


def project_matcher(project: ProjectInputs) -> Callable[[Mapping[int, int], int], MatchResult]:
    """``match_score`` against ``project``, memoized on what it reads of a student: the
    levels of the required skills, which nice-to-haves they have, their weekly hours
    (it is pure, and applicants often share these)."""
    required, nice = set(project.required), set(project.nice)
    required_order, nice_order = sorted(required), sorted(nice)
    cache: dict[tuple, MatchResult] = {}

    def match(levels: Mapping[int, int], weekly: int) -> MatchResult:
        key = (
            tuple(levels.get(s) for s in required_order),
            tuple(s in levels for s in nice_order),
            weekly,
        )
        result = cache.get(key)
        if result is None:
            # No deadline: it is the same for every applicant of a project. ``now`` is
            # only read for the deadline.
            result = cache[key] = match_score(
                student_skills=levels,
                weekly_hours=weekly,
                project_required=required,
                project_nice=nice,
                estimated_hours=project.estimated_hours,
                duration_days=project.duration_days,
                deadline=None,
                now=None,
            )
        return result

    return match


# ------------------------------------------------------------------------------
# Reading the inputs (a fixed number of queries for any number of ids)
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackRecord:
    """What the score counts of a student's history."""

    completed: int = 0  # completed engagements
    rating: float | None = None  # average overall rating of released supervisor feedback


NO_RECORD = TrackRecord()


def track_records(
    *, student_ids: Iterable[int], using: str | None = None
) -> dict[int, TrackRecord]:
    """Each student's completed engagements and average supervisor rating, in ONE
    aggregate query over their engagements. A rating counts once the feedback is
    released (visible to the student: both sides were in, or the feedback window
    closed). Students without any engagement are left out."""
    ids = list(set(student_ids))
    if not ids:
        return {}
    released = Q(feedback_released_at__isnull=False)
    rows = (
        Engagement.objects.using(using or router.db_for_read(Engagement))
        .filter(student_id__in=ids)
        .order_by()
        .values_list("student_id")  # GROUP BY student
        .annotate(
            completed=Count("pk", filter=Q(status="completed")),
            # An engagement without supervisor feedback joins NULL: neither counted
            # nor summed.
            rating_total=Sum("supervisor_feedback__overall_rating", filter=released),
            rated=Count("supervisor_feedback__overall_rating", filter=released),
        )
    )
    # Sum and count rather than AVG: the same float on every database.
    return {
        student_id: TrackRecord(completed=completed, rating=total / rated if rated else None)
        for student_id, completed, total, rated in rows
    }


@dataclass
class RankInputs:
    """Everything the scores of a batch of applications read, by project and student."""

    projects: dict[int, ProjectInputs]
    levels: dict[int, dict[int, int]]  # student id → {skill id: level}
    weekly: dict[int, int]  # student id → weekly hours
    records: dict[int, TrackRecord]

    @classmethod
    def load(
        cls,
        *,
        project_ids: Iterable[int],
        student_ids: Iterable[int],
        using: str | None = None,
    ) -> RankInputs:
        """Five queries: the projects, their skills, the students' profiles, their
        skills, and their track records."""
        project_ids, student_ids = list(set(project_ids)), list(set(student_ids))
        db = using or router.db_for_read(Project)
        required: dict[int, set[int]] = {}
        nice: dict[int, set[int]] = {}
        if project_ids:
            for project_id, skill_id, is_required in (
                ProjectSkill.objects.using(db)
                .filter(project_id__in=project_ids)
                .order_by()
                .values_list("project_id", "skill_id", "is_required")
            ):
                (required if is_required else nice).setdefault(project_id, set()).add(skill_id)
        projects = {
            pk: ProjectInputs(
                required=frozenset(required.get(pk, ())),
                nice=frozenset(nice.get(pk, ())),
                estimated_hours=hours,
                duration_days=days,
            )
            for pk, hours, days in (
                Project.objects.using(db)
                .filter(pk__in=project_ids)
                .order_by()
                .values_list("pk", "estimated_hours", "duration_days")
            )
        }
        levels: dict[int, dict[int, int]] = {}
        weekly: dict[int, int] = {}
        if student_ids:
            weekly = dict(
                StudentProfile.objects.using(db)
                .filter(user_id__in=student_ids)
                .order_by()
                .values_list("user_id", "weekly_availability_hours")
            )
            for student_id, skill_id, level in (
                StudentSkill.objects.using(db)
                .filter(profile__user_id__in=student_ids)
                .order_by()
                .values_list("profile__user_id", "skill_id", "level")
            ):
                levels.setdefault(student_id, {})[skill_id] = level
        return cls(
            projects=projects,
            levels=levels,
            weekly=weekly,
            records=track_records(student_ids=student_ids, using=db),
        )

    def scorer(self) -> Callable[[int, int], float]:
        """``score(project_id, student_id)``, memoizing the match per project."""
        matchers: dict[int, Callable[[Mapping[int, int], int], MatchResult]] = {}

        def score(project_id: int, student_id: int) -> float:
            match = matchers.get(project_id)
            if match is None:
                match = matchers[project_id] = project_matcher(self.projects[project_id])
            result = match(self.levels.get(student_id, {}), self.weekly.get(student_id) or 0)
            record = self.records.get(student_id, NO_RECORD)
            return application_rank_score(
                match=result.score, completed=record.completed, rating=record.rating
            )

        return score


# ------------------------------------------------------------------------------
# Writing scores
# ------------------------------------------------------------------------------
def application_rank_score_for(*, project_id: int, student_id: int) -> float:
    """The score a new application of ``student_id`` to ``project_id`` gets (for
    ``application_submit``, which stores it with the row)."""
    inputs = RankInputs.load(project_ids=[project_id], student_ids=[student_id])
    return inputs.scorer()(project_id, student_id)


def rescore_rows(rows: list[tuple[int, int, int, float]], *, using: str | None = None) -> int:
    """Recompute the scores of ``rows`` — (application id, project id, student id,
    stored score) — and write the ones that changed. Returns how many changed. Runs in
    the caller's transaction; the caller has locked the rows if it needs to."""
    if not rows:
        return 0
    inputs = RankInputs.load(
        project_ids={row[1] for row in rows},
        student_ids={row[2] for row in rows},
        using=using,
    )
    score = inputs.scorer()
    changed = []
    for pk, project_id, student_id, stored in rows:
        new = score(project_id, student_id)
        if new != stored:
            changed.append((pk, new))
    application_scores_write(changed, using=using)
    return len(changed)


def application_scores_write(scores: list[tuple[int, float]], *, using: str | None = None) -> None:
    """Store (application id, score) pairs computed by ``RankInputs.scorer``. Only that
    column: ``updated_at`` stays (nothing the people did changed). On PostgreSQL one
    UPDATE … FROM (VALUES …) per thousand rows: ``bulk_update`` builds a CASE expression
    per row in Python, too slow for the migration's backfill of every application."""
    if not scores:
        return
    db = using or router.db_for_write(Application)
    connection = connections[db]
    if connection.vendor != "postgresql":
        Application.objects.using(db).bulk_update(
            [Application(pk=pk, rank_score=score) for pk, score in scores],
            ["rank_score"],
            batch_size=500,
        )
        return
    quote = connection.ops.quote_name
    table = quote(Application._meta.db_table)
    column = quote(Application._meta.get_field("rank_score").column)
    with connection.cursor() as cursor:
        for start in range(0, len(scores), 1000):
            chunk = scores[start : start + 1000]
            values = ", ".join(["(%s::bigint, %s::double precision)"] * len(chunk))
            cursor.execute(
                # Names quoted above; the values are parameters.
                f"UPDATE {table} AS a SET {column} = v.score "
                f"FROM (VALUES {values}) AS v(id, score) WHERE a.id = v.id",
                [value for pair in chunk for value in pair],
            )


@transaction.atomic(durable=True)
def applications_rescore(
    *,
    student_ids: Iterable[int] | None = None,
    application_ids: Iterable[int] | None = None,
    project_id: int | None = None,
) -> int:
    """Recompute and store the rank score of the applications selected by every filter
    given (at least one), in BATCH_SIZE batches of a fixed number of queries each.
    Returns how many scores changed: a second run finds nothing to change.

    Every status is rescored, decided ones too: the list's other tabs ("Accepted",
    "Not selected", "All") are ordered by the stored score and show it beside reasons
    worded from the current profile, so a score frozen at the decision would disagree
    with them. A student has a few dozen applications at most, so this stays small."""
    if student_ids is None and application_ids is None and project_id is None:
        raise ValueError("Say which applications to rescore.")
    query = Q()
    if student_ids is not None:
        query &= Q(student_id__in=list(student_ids))
    if application_ids is not None:
        query &= Q(pk__in=list(application_ids))
    if project_id is not None:
        query &= Q(project_id=project_id)
    # Lock before reading the inputs: a rescore queued by a later change waits here and
    # then reads the newer inputs, so the last writer always wrote the newest score.
    rows = list(
        Application.objects.select_for_update()
        .filter(query)
        .order_by("pk")
        .values_list("pk", "project_id", "student_id", "rank_score")
    )
    changed = 0
    for start in range(0, len(rows), BATCH_SIZE):
        changed += rescore_rows(rows[start : start + BATCH_SIZE])
    return changed


def student_rescore_on_commit(*, student_id: int) -> None:
    """Queue ``rescore_student_applications`` for after the current transaction commits
    (at once outside one). A broker that is down must not fail the committed change:
    the error is logged and the score waits for the next change."""
    # Imported here: the tasks import the services, so a module-level import would be
    # circular.
    from ..tasks import rescore_student_applications

    transaction.on_commit(lambda: rescore_student_applications.delay(student_id), robust=True)
