"""The stored rank score (matching.services.ranking): the formula, every change that
rescores it (and the list's order following), the task's idempotence, rollbacks, the
rating average, and the migration's backfill."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import StudentSkill
from accounts.services.profiles import profile_update, student_skill_remove, student_skill_set
from accounts.signals import student_profile_changed
from matching.models import Application
from matching.selectors.applications import average_supervisor_ratings
from matching.services import ranking
from matching.services.ranking import (
    TrackRecord,
    application_rank_score,
    applications_rescore,
    track_record_points,
    track_records,
)
from matching.tasks import rescore_student_applications
from projects.scoring import match_score
from tests.accounts.factories import SkillFactory
from tests.matching.factories import ready_student, submitted_application
from tests.matching.records_helpers import (
    age_completion,
    completed_engagement,
    give_intern_feedback,
    give_supervisor_feedback,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

migration_0004 = importlib.import_module("matching.migrations.0004_application_rank_score")


# ------------------------------------------------------------------------------
# The formula
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("completed", "rating", "points"),
    [
        (0, None, 0.0),
        (1, None, 3.0),
        (3, None, 9.0),
        (5, None, 9.0),  # capped
        (1, 5.0, 9.0),  # 3 + (5 - 3) × 3
        (0, 1.0, -6.0),
        (2, 3.0, 6.0),
    ],
)
def test_track_record_points(completed, rating, points):
    assert track_record_points(completed=completed, rating=rating) == points


def test_rank_score_is_match_plus_track_record_to_one_decimal():
    assert application_rank_score(match=71.26, completed=1, rating=4.5) == 78.8
    assert application_rank_score(match=40.0, completed=0, rating=None) == 40.0


# ------------------------------------------------------------------------------
# A project and two applicants, the weaker one first
# ------------------------------------------------------------------------------
@pytest.fixture
def world(organization, employer):
    python, sql, tableau = (SkillFactory(name=n) for n in ("Python", "SQL", "Tableau"))
    project = open_project(
        organization=organization,
        required_skills=[python, sql],
        nice_to_have_skills=[tableau],
        estimated_hours=20,
        duration_days=14,  # 10 h/week
        slots=3,
    )
    weak = ready_student(skills=[sql], levels={sql: 2})
    strong = ready_student(skills=[python, sql, tableau], levels={python: 4, sql: 4})
    return SimpleNamespace(
        project=project,
        employer=employer,
        skills=SimpleNamespace(python=python, sql=sql, tableau=tableau),
        weak=weak,
        strong=strong,
        weak_app=submitted_application(project=project, student=weak),
        strong_app=submitted_application(project=project, student=strong),
    )


def expected_score(application: Application) -> float:
    """The score worked out here from the current data, independently of the service's
    loaders."""
    project = application.project
    skills = list(project.project_skills.values_list("skill_id", "is_required"))
    profile = application.student.student_profile
    match = match_score(
        student_skills=dict(
            StudentSkill.objects.filter(profile=profile).values_list("skill_id", "level")
        ),
        weekly_hours=profile.weekly_availability_hours,
        project_required={s for s, required in skills if required},
        project_nice={s for s, required in skills if not required},
        estimated_hours=project.estimated_hours,
        duration_days=project.duration_days,
        deadline=None,
        now=timezone.now(),
    )
    completed = application.student.engagements.filter(status="completed").count()
    rating = average_supervisor_ratings(student_ids=[application.student_id]).get(
        application.student_id
    )
    return application_rank_score(match=match.score, completed=completed, rating=rating)


def stored(application: Application) -> float:
    return Application.objects.values_list("rank_score", flat=True).get(pk=application.pk)


def listed(client, world) -> list[int]:
    client.force_login(world.employer)
    url = reverse("matching:applicant-list", kwargs={"project_pk": world.project.pk})
    return [row.application_id for row in client.get(url).context["page_obj"].object_list]


def test_applying_stores_the_score(client, world):
    for application in (world.weak_app, world.strong_app):
        assert stored(application) == expected_score(application) > 0
    assert stored(world.strong_app) > stored(world.weak_app)
    assert listed(client, world) == [world.strong_app.pk, world.weak_app.pk]


def test_the_list_shows_the_stored_score(client, world):
    Application.objects.filter(pk=world.weak_app.pk).update(rank_score=99.5)
    client.force_login(world.employer)
    response = client.get(
        reverse("matching:applicant-list", kwargs={"project_pk": world.project.pk})
    )
    first = response.context["page_obj"].object_list[0]
    assert (first.application_id, first.score) == (world.weak_app.pk, 99.5)
    assert '<span class="score" title="Skills and hours match plus track record">100</span>' in (
        response.content.decode()
    )


# ------------------------------------------------------------------------------
# Every change that rescores, with the task run on commit
# ------------------------------------------------------------------------------
def _overtakes(client, world, before: float) -> None:
    """The weak applicant's stored score rose past the strong one's, and the list
    follows (each test checks the order before the change, or the score starts below)."""
    assert before < stored(world.strong_app)
    after = stored(world.weak_app)
    assert after == expected_score(world.weak_app)
    assert after > before
    assert after > stored(world.strong_app)
    assert listed(client, world) == [world.weak_app.pk, world.strong_app.pk]


def _boost_weak(world) -> None:
    """Make the weak applicant a near-perfect fit, with rescoring held back (no commit
    runs the queued tasks here), so the next trigger is what moves them."""
    profile = world.weak.student_profile
    for skill in (world.skills.python, world.skills.tableau):
        StudentSkill.objects.create(profile=profile, skill=skill, level=5)
    StudentSkill.objects.filter(profile=profile, skill=world.skills.sql).update(level=5)


def test_adding_a_skill_rescores(client, world, django_capture_on_commit_callbacks):
    before = stored(world.weak_app)
    profile = world.weak.student_profile
    StudentSkill.objects.filter(profile=profile, skill=world.skills.sql).update(level=5)
    StudentSkill.objects.create(profile=profile, skill=world.skills.tableau, level=5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        student_skill_set(profile=profile, skill=world.skills.python, level=5)
    assert len(callbacks) == 1
    _overtakes(client, world, before)


def test_changing_a_skill_level_rescores(client, world, django_capture_on_commit_callbacks):
    _boost_weak(world)
    profile = world.weak.student_profile
    StudentSkill.objects.filter(profile=profile, skill=world.skills.sql).update(level=1)
    before = stored(world.weak_app)
    with django_capture_on_commit_callbacks(execute=True):
        student_skill_set(profile=profile, skill=world.skills.sql, level=5)
    _overtakes(client, world, before)


def test_setting_the_same_level_queues_nothing(world, django_capture_on_commit_callbacks):
    profile = world.weak.student_profile
    with django_capture_on_commit_callbacks() as callbacks:
        student_skill_set(profile=profile, skill=world.skills.sql, level=2)
    assert callbacks == []


def test_removing_a_skill_rescores(client, world, django_capture_on_commit_callbacks):
    before = stored(world.strong_app)
    profile = world.strong.student_profile
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        student_skill_remove(profile=profile, skill=world.skills.python)
        student_skill_remove(profile=profile, skill=world.skills.sql)
    assert len(callbacks) == 2
    after = stored(world.strong_app)
    assert after == expected_score(world.strong_app) < before
    assert after < stored(world.weak_app)
    assert listed(client, world) == [world.weak_app.pk, world.strong_app.pk]


def _edit(student, **changes):
    return profile_update(
        profile=student.student_profile,
        first_name=student.first_name,
        last_name=student.last_name,
        institution=student.student_profile.institution,
        changes=changes,
    )


def test_changing_hours_rescores(client, world, django_capture_on_commit_callbacks):
    _boost_weak(world)
    _edit(world.weak, weekly_availability_hours=1)  # no commit in a test: not rescored
    applications_rescore(student_ids=[world.weak.pk])
    before = stored(world.weak_app)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _edit(world.weak, weekly_availability_hours=20)
    assert len(callbacks) == 1
    _overtakes(client, world, before)


def test_other_profile_edits_queue_nothing(world, django_capture_on_commit_callbacks):
    hours = world.weak.student_profile.weekly_availability_hours
    with django_capture_on_commit_callbacks() as callbacks:
        _edit(world.weak, weekly_availability_hours=hours, headline="New headline")
    assert callbacks == []


def _equal_footing(world) -> None:
    """Both applicants with every skill at level 5 and 20 h/week (scores rescored by
    hand: no commit runs the queued tasks here), so the track record decides."""
    _boost_weak(world)
    for student in (world.weak, world.strong):
        StudentSkill.objects.filter(profile=student.student_profile).update(level=5)
        student.student_profile.weekly_availability_hours = 20
        student.student_profile.save()
    applications_rescore(project_id=world.project.pk)
    assert stored(world.weak_app) == stored(world.strong_app)


def test_completing_an_engagement_rescores(client, world, django_capture_on_commit_callbacks):
    _equal_footing(world)
    completed_engagement(student=world.strong)
    applications_rescore(project_id=world.project.pk)
    assert listed(client, world) == [world.strong_app.pk, world.weak_app.pk]
    before = stored(world.weak_app)
    with django_capture_on_commit_callbacks(execute=True):
        completed_engagement(student=world.weak)
        completed_engagement(student=world.weak)
    assert stored(world.weak_app) == before + 6  # 2 × 3
    _overtakes(client, world, before)


def test_released_feedback_rescores(client, world, django_capture_on_commit_callbacks):
    _equal_footing(world)
    engagement = completed_engagement(student=world.weak)
    completed_engagement(student=world.strong)
    completed_engagement(student=world.strong)
    applications_rescore(project_id=world.project.pk)
    assert listed(client, world) == [world.strong_app.pk, world.weak_app.pk]
    before = stored(world.weak_app)
    with django_capture_on_commit_callbacks(execute=True):
        give_supervisor_feedback(engagement, overall_rating=5)
    assert stored(world.weak_app) == before  # not released: the intern's side is missing
    with django_capture_on_commit_callbacks(execute=True):
        give_intern_feedback(engagement)  # both in: released
    assert stored(world.weak_app) == before + 6  # (5 - 3) × 3
    _overtakes(client, world, before)


def test_feedback_released_by_the_window_rescores(
    client, world, django_capture_on_commit_callbacks
):
    from matching.tasks import release_feedback_after_window

    _equal_footing(world)
    engagement = completed_engagement(student=world.weak)
    completed_engagement(student=world.strong)
    give_supervisor_feedback(engagement, overall_rating=1)
    applications_rescore(project_id=world.project.pk)
    before = stored(world.weak_app)
    assert stored(world.strong_app) == before
    assert listed(client, world) == [world.weak_app.pk, world.strong_app.pk]  # applied first
    age_completion(engagement, days=15)
    with django_capture_on_commit_callbacks(execute=True):
        release_feedback_after_window()
    assert stored(world.weak_app) == before - 6  # (1 - 3) × 3
    assert stored(world.weak_app) == expected_score(world.weak_app)
    assert listed(client, world) == [world.strong_app.pk, world.weak_app.pk]


def test_the_task_twice_changes_nothing_more(world):
    StudentSkill.objects.filter(profile=world.weak.student_profile).update(level=5)
    assert rescore_student_applications.delay(world.weak.pk).get() == 1
    score = stored(world.weak_app)
    assert rescore_student_applications.delay(world.weak.pk).get() == 0
    assert stored(world.weak_app) == score == expected_score(world.weak_app)
    assert applications_rescore(project_id=world.project.pk) == 0


def test_rescore_touches_only_the_score(world):
    updated_at = Application.objects.get(pk=world.weak_app.pk).updated_at
    StudentSkill.objects.filter(profile=world.weak.student_profile).update(level=5)
    assert applications_rescore(application_ids=[world.weak_app.pk], student_ids=[]) == 0
    assert applications_rescore(application_ids=[world.weak_app.pk]) == 1
    assert Application.objects.get(pk=world.weak_app.pk).updated_at == updated_at


def test_rescore_needs_a_filter():
    with pytest.raises(ValueError):
        applications_rescore()


def test_a_rolled_back_change_queues_nothing(world, django_capture_on_commit_callbacks):
    """The receiver queues on commit: when the change's transaction rolls back (here a
    later receiver fails), no rescoring is queued and nothing is stored."""

    def fail(**kwargs):
        raise RuntimeError("boom")

    student_profile_changed.connect(fail, dispatch_uid="test-fail")
    try:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            student_skill_set(
                profile=world.weak.student_profile, skill=world.skills.python, level=5
            )
    finally:
        student_profile_changed.disconnect(dispatch_uid="test-fail")
    assert callbacks == []
    assert not StudentSkill.objects.filter(
        profile=world.weak.student_profile, skill=world.skills.python
    ).exists()


def test_an_outer_rollback_discards_the_queued_rescore(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ranking.student_rescore_on_commit(student_id=world.weak.pk)
        raise RuntimeError("rolled back")
    assert callbacks == []


# ------------------------------------------------------------------------------
# Ratings
# ------------------------------------------------------------------------------
def test_average_supervisor_ratings_counts_released_feedback_only(world):
    released = completed_engagement(student=world.weak)
    give_supervisor_feedback(released, overall_rating=5)
    give_intern_feedback(released)
    also_released = completed_engagement(student=world.weak)
    give_supervisor_feedback(also_released, overall_rating=2)
    give_intern_feedback(also_released)
    blind = completed_engagement(student=world.weak)
    give_supervisor_feedback(blind, overall_rating=1)  # the intern's side is missing
    intern_only = completed_engagement(student=world.strong)
    give_intern_feedback(intern_only)  # released later without a supervisor rating
    age_completion(intern_only, days=15)
    from matching.services.feedback import feedback_release_after_window

    assert feedback_release_after_window(engagement_id=intern_only.pk)
    nobody = ready_student()
    ids = [world.weak.pk, world.strong.pk, nobody.pk]
    assert average_supervisor_ratings(student_ids=ids) == {world.weak.pk: 3.5}
    assert track_records(student_ids=ids) == {
        world.weak.pk: TrackRecord(completed=3, rating=3.5),
        world.strong.pk: TrackRecord(completed=1, rating=None),
    }
    assert average_supervisor_ratings(student_ids=[]) == {}


def test_average_supervisor_ratings_is_one_query(world, django_assert_num_queries):
    students = [ready_student() for _ in range(3)]
    with django_assert_num_queries(1):
        average_supervisor_ratings(student_ids=[s.pk for s in students])


# ------------------------------------------------------------------------------
# The migration's backfill
# ------------------------------------------------------------------------------
def _scores() -> dict[int, float]:
    return dict(Application.objects.values_list("pk", "rank_score"))


def test_backfill_scores_every_application(world, monkeypatch, django_assert_max_num_queries):
    completed_engagement(student=world.weak)
    others = [submitted_application(project=world.project) for _ in range(4)]
    expected = {a.pk: expected_score(a) for a in [world.weak_app, world.strong_app, *others]}
    Application.objects.update(rank_score=0)
    monkeypatch.setattr(migration_0004, "BATCH_SIZE", 2)  # several batches
    editor = SimpleNamespace(connection=connection)
    # On the migration's own historical models (the state right after it).
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(("matching", "0004_application_rank_score"))
    migration_0004.backfill_rank_scores(state.apps, editor)
    scores = _scores()
    assert {pk: scores[pk] for pk in expected} == expected
    # Again, with the running app registry: nothing left to write.
    with django_assert_max_num_queries(30):
        migration_0004.backfill_rank_scores(global_apps, editor)
    assert _scores() == scores
    assert applications_rescore(project_id=world.project.pk) == 0


def test_the_applicant_page_shows_the_stored_score(client, world):
    Application.objects.filter(pk=world.weak_app.pk).update(rank_score=87.4)
    client.force_login(world.employer)
    url = reverse("matching:applicant-detail", kwargs={"pk": world.weak_app.pk})
    response = client.get(url)
    assert response.context["ranked"].score == 87.4
    assert 'Ranking score <span class="score">87</span>' in response.content.decode()
