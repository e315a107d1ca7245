"""``manage.py seed_bench`` and ``manage.py bench``: proportions, determinism, reset."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Min
from django.utils import timezone

from accounts.models import (
    Affiliation,
    CareerOfficeMembership,
    Institution,
    Notification,
    Organization,
    StudentProfile,
    StudentSkill,
    User,
)
from devtools import bench
from devtools.management.commands.bench import PAGES, STATS_ROW
from marketplace.models import PlacementCell, PlacementFact
from matching.models import (
    Application,
    Engagement,
    InternFeedback,
    Message,
    Offer,
    OutcomeReport,
    Payout,
    SupervisorFeedback,
)
from projects.models import Project, ProjectSkill, SavedProject
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

SCALE = 0.05  # 10 organizations, 1,000 projects, 250 students


def seed_bench(scale: float = SCALE, **options) -> str:
    out = StringIO()
    call_command("seed_bench", scale=scale, stdout=out, **options)
    return out.getvalue()


def test_counts_follow_the_scale():
    seed_bench()
    assert bench.bench_organizations().count() == 10
    assert bench.bench_projects().count() == 1_000
    students = User.objects.filter(email__startswith="student", email__endswith=bench.EMAIL_DOMAIN)
    assert students.count() == 250
    assert StudentProfile.objects.filter(user__in=students).count() == 250
    assert bench.BenchCounts.for_scale(10) == bench.BenchCounts(2_000, 200_000, 50_000)


def test_statuses_dates_and_fees_look_like_a_live_marketplace():
    seed_bench()
    projects = bench.bench_projects()
    by_status = dict(projects.values_list("status").annotate(n=Count("pk")))
    assert set(by_status) == set(Project.Status.values)
    assert 0.80 <= by_status[Project.Status.OPEN] / 1_000 <= 0.90
    now = timezone.now()
    open_ = projects.filter(status=Project.Status.OPEN)
    assert not open_.filter(application_deadline__lte=now).exists()
    assert not open_.filter(application_deadline__gt=now + timedelta(days=61)).exists()
    assert not open_.filter(published_at__lt=now - timedelta(days=91)).exists()
    assert not open_.filter(published_at__isnull=True).exists()
    # Spread over the window, not bunched at one end.
    assert open_.filter(published_at__lt=now - timedelta(days=45)).count() > 300
    assert open_.filter(application_deadline__gt=now + timedelta(days=30)).count() > 300
    floor = settings.PAY_FLOOR_PER_HOUR
    for fee, hours in projects.values_list("fee", "estimated_hours"):
        assert fee >= floor * hours
    # Pending review belongs to unverified organizations only.
    pending = projects.filter(status=Project.Status.PENDING_REVIEW)
    assert not pending.filter(organization__verified_at__isnull=False).exists()


def test_skills_per_project_and_per_student():
    seed_bench()
    per_project = (
        ProjectSkill.objects.filter(project__in=bench.bench_projects())
        .values("project")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert len(per_project) == 1_000
    assert min(per_project) >= 2 and max(per_project) <= 5
    per_student = (
        StudentSkill.objects.filter(profile__user__email__endswith=bench.EMAIL_DOMAIN)
        .values("profile")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert len(per_student) == 250
    assert min(per_student) >= 3 and max(per_student) <= 8


def test_the_search_keyword_is_in_about_five_percent_of_projects_and_nowhere_else():
    seed_bench()
    projects = bench.bench_projects()
    keyword = projects.filter(title__icontains=bench.SEARCH_KEYWORD)
    assert 0.03 <= keyword.count() / 1_000 <= 0.07
    assert keyword.filter(summary__icontains=bench.SEARCH_KEYWORD).count() == keyword.count()
    others = projects.exclude(pk__in=keyword)
    assert not others.filter(summary__icontains=bench.SEARCH_KEYWORD).exists()
    assert not ProjectSkill.objects.filter(
        project__in=others, skill__name__icontains=bench.SEARCH_KEYWORD
    ).exists()


def test_bench_users_have_unusable_passwords_and_the_bench_student_has_skills():
    seed_bench()
    assert not any(u.has_usable_password() for u in bench.bench_users()[:20])
    student = User.objects.get(email=bench.BENCH_STUDENT_EMAIL)
    assert student.is_student
    assert student.student_profile.studentskill_set.count() >= 3


def _fingerprint() -> list[tuple]:
    rows = list(
        bench.bench_projects()
        .order_by("pk")
        .values_list("title", "status", "fee", "category", "work_mode", "estimated_hours")
    )
    skills = list(
        ProjectSkill.objects.filter(project__in=bench.bench_projects())
        .order_by("project_id", "pk")
        .values_list("skill__name", "is_required")
    )
    return rows + skills


def _matching_fingerprint() -> list[tuple]:
    """What the matching rows are, by stable keys (emails, titles), not by ids."""
    apps = list(
        Application.objects.filter(project__in=bench.bench_projects())
        .order_by("project__title", "project_id", "student__email")
        .values_list("project__title", "student__email", "status")
    )
    engagements = list(
        Engagement.objects.filter(project__in=bench.bench_projects())
        .order_by("project__title", "project_id", "slot_number")
        .values_list("student__email", "slot_number", "status", "fee")
    )
    offers = list(
        Offer.objects.filter(organization__in=bench.bench_organizations())
        .order_by("student__email", "organization__name")
        .values_list("student__email", "organization__name", "status", "pay_amount")
    )
    return apps + engagements + offers


def test_generation_is_deterministic():
    seed_bench(scale=0.01)
    first = _fingerprint()
    first_matching = _matching_fingerprint()
    assert len(first_matching) > 50
    seed_bench(scale=0.01, reset=True)
    assert _fingerprint() == first
    assert _matching_fingerprint() == first_matching
    seed_bench(scale=0.01, reset=True, seed=7)
    assert _fingerprint() != first
    assert _matching_fingerprint() != first_matching


def test_applications_engagements_and_what_follows_them():
    seed_bench()
    students = bench.BenchCounts.for_scale(SCALE).students
    apps = Application.objects.filter(project__in=bench.bench_projects())
    # About APPLICATIONS_PER_STUDENT per student, plus the applicant-list project's.
    assert 8 * students <= apps.count() <= 12 * students + bench.APPLICANT_LIST_SIZE
    assert set(apps.values_list("status", flat=True)) == set(Application.Status.values)
    # Only published projects get applications; one per project and student (the
    # unique constraint holds, the query double-checks).
    assert not apps.filter(
        project__status__in=[Project.Status.DRAFT, Project.Status.PENDING_REVIEW]
    ).exists()
    assert not apps.filter(created_at__gt=timezone.now()).exists()
    engagements = Engagement.objects.filter(project__in=bench.bench_projects())
    assert set(engagements.values_list("status", flat=True)) == set(Engagement.Status.values)
    assert engagements.count() == apps.filter(status=Application.Status.ACCEPTED).count()
    assert not engagements.exclude(application__status=Application.Status.ACCEPTED).exists()
    # Places are hard limits.
    overfilled = [
        p
        for p in bench.bench_projects().annotate(n=Count("engagements")).filter(n__gt=0)
        if p.n > p.slots
    ]
    assert overfilled == []
    completed = engagements.filter(status=Engagement.Status.COMPLETED)
    assert completed.exists()
    assert Payout.objects.filter(engagement__in=completed).count() == completed.count()
    assert {Payout.Status.DUE, Payout.Status.PAID} == set(
        Payout.objects.filter(engagement__in=completed).values_list("status", flat=True)
    )
    assert SupervisorFeedback.objects.filter(engagement__in=completed).exists()
    assert InternFeedback.objects.filter(engagement__in=completed).exists()
    both = completed.filter(supervisor_feedback__isnull=False, intern_feedback__isnull=False)
    assert not both.filter(feedback_released_at__isnull=True).exists()
    assert not completed.exclude(completed_at__isnull=False).exists()
    offers = Offer.objects.filter(organization__in=bench.bench_organizations())
    assert offers.exists()
    assert not offers.exclude(engagement__status=Engagement.Status.COMPLETED).exists()
    assert OutcomeReport.objects.filter(student__email__endswith=bench.EMAIL_DOMAIN).exists()


def test_every_application_is_seeded_with_its_rank_score():
    """The seeder's scores are the services' own: rescoring everything changes nothing,
    including the applicant-list project's applicants, whose completed engagements and
    ratings are written in later chunks than those applications."""
    from matching.services.ranking import applications_rescore, track_records

    seed_bench()
    apps = Application.objects.filter(project__in=bench.bench_projects())
    assert not apps.filter(rank_score=0).exists()
    assert applications_rescore(application_ids=apps.values_list("pk", flat=True)) == 0
    # The track record is in there: some students have completed work and ratings.
    records = track_records(student_ids=apps.values_list("student_id", flat=True))
    assert any(r.completed for r in records.values())
    assert any(r.rating is not None for r in records.values())
    list_id, _ = bench.bench_designated_projects()
    listed = apps.filter(project_id=list_id).values_list("student_id", flat=True)
    assert any(records.get(s) and records[s].completed for s in listed)


def test_the_designated_pages_data():
    seed_bench()
    list_id, workspace_id = bench.bench_designated_projects()
    project = Project.objects.get(pk=list_id)
    assert project.status == Project.Status.OPEN
    assert project.applications.count() == bench.APPLICANT_LIST_SIZE
    assert project.applications.values("status").distinct().count() >= 3
    ctx = bench.bench_context()
    assert ctx.applicant_project_id == list_id
    viewer = User.objects.get(email=ctx.applicant_viewer_email)
    assert viewer.membership.organization_id == project.organization_id
    engagement = Engagement.objects.get(pk=ctx.workspace_engagement_id)
    assert engagement.project_id == workspace_id
    assert engagement.student.email == bench.BENCH_STUDENT_EMAIL
    assert Message.objects.filter(engagement=engagement).count() == bench.WORKSPACE_MESSAGES
    assert engagement.hours.exists() and engagement.submissions.exists()
    assert engagement.events.count() == 3
    # Every bench institution has a career officer; students are affiliated.
    officer = User.objects.get(email=ctx.career_officer_email)
    assert officer.is_career_office
    assert (
        CareerOfficeMembership.objects.filter(
            institution__slug__startswith=bench.SLUG_PREFIX
        ).count()
        == bench.INSTITUTIONS
    )
    assert StudentProfile.objects.filter(
        institution=officer.career_office.institution, institution_verified=True
    ).exists()


def test_the_designated_pages_answer_their_users(client):
    seed_bench(scale=0.01)
    ctx = bench.bench_context()
    pages = {page.name: page for page in PAGES}
    for name in ("applicant_list", "workspace", "career_dashboard"):
        page = pages[name]
        email = bench.BENCH_STUDENT_EMAIL if page.as_student else page.as_user(ctx)
        client.force_login(User.objects.get(email=email))
        assert client.get(page.url(ctx)).status_code == 200, name


def test_the_statistics_row_reports_time_and_memory():
    seed_bench(scale=0.01)
    row = bench.measure_statistics(scale=0.01).as_row()
    assert row["page"] == "stats_task"
    assert row["median_ms"] > 0 and row["queries"] > 0
    assert row["fact_rows"] > 0
    assert {"scale", "p95_ms", "bytes", "floor_ratio"} <= set(row)
    traced = bench.measure_statistics(scale=0.01, trace=True).as_row()
    assert traced["peak_mb"] > 0 and traced["traced_ms"] > 0
    assert traced["median_ms"] is None


def test_the_statistics_hook_times_one_recomputation_in_process():
    seed_bench(scale=0.01)
    result = bench.bench_compute_statistics()
    assert PlacementFact.objects.exists()
    assert result["rows"] == PlacementFact.objects.count() + PlacementCell.objects.count()
    assert result["seconds"] >= 0 and result["peak_mib"] > 0
    assert result["queries"] > 0


def test_students_have_graduation_dates_and_affiliation_histories():
    """What the placement facts read: graduation dates (a few students have the year
    only), one verified period per student that began before their first application,
    about 1% of students who moved between two institutions, and two time zones."""
    seed_bench()
    zones = Institution.objects.filter(slug__startswith=bench.SLUG_PREFIX).values_list(
        "time_zone", flat=True
    )
    assert sorted(zones) == ["America/Los_Angeles"] + ["America/New_York"] * 4
    profiles = StudentProfile.objects.filter(user__email__endswith=bench.EMAIL_DOMAIN)
    dated = profiles.filter(graduation_date__isnull=False)
    assert 0.9 * 250 <= dated.count() < 250
    for day, year in dated.values_list("graduation_date", "graduation_year"):
        assert day.year == year and day.month in (5, 6)

    rows = Affiliation.objects.filter(student__email__endswith=bench.EMAIL_DOMAIN)
    current = rows.filter(ended_at__isnull=True)
    assert current.count() == profiles.count() == 250
    # The open period is at the institution the profile names.
    assert set(current.values_list("student_id", "institution_id")) == set(
        profiles.values_list("user_id", "institution_id")
    )
    first_application = dict(
        Application.objects.filter(project__in=bench.bench_projects())
        .values("student_id")
        .annotate(first=Min("created_at"))
        .values_list("student_id", "first")
    )
    for student, started in rows.values_list("student_id", "started_at"):
        if student in first_application:
            assert started < first_application[student]
    movers = rows.filter(ended_at__isnull=False)
    assert 1 <= movers.count() <= 10
    for old in movers:
        new = current.get(student_id=old.student_id)
        assert old.institution_id != new.institution_id
        assert old.started_at < old.ended_at == new.started_at <= timezone.now()


def test_seeding_again_without_reset_is_refused():
    seed_bench(scale=0.01)
    with pytest.raises(CommandError, match="--reset"):
        seed_bench(scale=0.01)


def test_reset_removes_bench_rows_and_nothing_else(student):
    demo_project = open_project()
    seed_bench(scale=0.01)
    bench_project = bench.bench_projects().first()
    bench_student = User.objects.get(email=bench.BENCH_STUDENT_EMAIL)
    # Rows of other tables that point at bench rows go with them.
    SavedProject.objects.create(student=student, project=bench_project)
    Notification.objects.create(recipient=bench_student, kind="test", text="hello")
    assert Affiliation.objects.filter(student=bench_student).exists()
    bench_students = list(bench.bench_users().values_list("pk", flat=True))

    output = seed_bench(scale=0, reset=True)

    assert "Removed bench data" in output
    assert not bench.bench_projects().exists()
    assert not bench.bench_users().exists()
    assert not bench.bench_organizations().exists()
    assert not SavedProject.objects.filter(project_id=bench_project.pk).exists()
    assert not Notification.objects.filter(recipient_id=bench_student.pk).exists()
    assert not Affiliation.objects.filter(student_id__in=bench_students).exists()
    assert not Affiliation.objects.filter(institution__slug__startswith=bench.SLUG_PREFIX)
    # The rest is untouched.
    assert User.objects.filter(pk=student.pk).exists()
    assert Project.objects.filter(pk=demo_project.pk).exists()
    assert Organization.objects.filter(pk=demo_project.organization_id).exists()
    assert demo_project.project_skills.exists()


def test_negative_scale_is_an_error():
    with pytest.raises(CommandError):
        seed_bench(scale=-1)


def test_percentile_is_nearest_rank():
    samples = list(range(1, 101))
    assert bench.percentile(samples, 95) == 95
    assert bench.percentile(samples, 50) == 50
    assert bench.percentile([3.0], 95) == 3.0


def test_pages_list_starts_with_the_floor():
    names = [page.name for page in PAGES]
    assert names[0] == "floor"
    assert {"browse", "search", "browse_filtered", "detail", "recommendations"} <= set(names)
    assert {"applicant_list", "workspace", "career_dashboard"} <= set(names)
    assert STATS_ROW not in names


def test_bench_refuses_to_run_on_sqlite():
    if settings.IS_POSTGRES:
        pytest.skip("runs on SQLite only")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench", "--quick", stdout=StringIO())


@pytest.mark.postgres
def test_search_column_is_filled_for_bench_projects():
    from django.contrib.postgres.search import SearchQuery

    seed_bench()
    matches = bench.bench_projects().filter(
        search_vector=SearchQuery(bench.SEARCH_KEYWORD, config="english")
    )
    titled = bench.bench_projects().filter(title__icontains=bench.SEARCH_KEYWORD)
    assert matches.count() == titled.count() > 0
    assert not bench.bench_projects().filter(search_vector__isnull=True).exists()


@pytest.mark.postgres
def test_bench_command_measures_every_page_and_writes_json(tmp_path):
    output = tmp_path / "results.json"
    out = StringIO()
    debug = settings.DEBUG
    call_command(
        "bench",
        scales="0.01,0.02",
        requests=2,
        output=str(output),
        no_migrate=True,
        stdout=out,
    )
    data = json.loads(output.read_text())
    assert data["engine"] == "postgresql"
    assert data["date"]
    rows = data["rows"]
    assert [(r["scale"], r["page"]) for r in rows] == [
        (scale, name)
        for scale in (0.01, 0.02)
        for name in [page.name for page in PAGES] + [STATS_ROW]
    ]
    for row in rows:
        assert {"median_ms", "p95_ms", "queries", "bytes", "floor_ratio"} <= set(row)
        assert row["median_ms"] is not None, row
    stats_rows = [row for row in rows if row["page"] == STATS_ROW]
    assert all(row["peak_mb"] > 0 and row["traced_ms"] > 0 for row in stats_rows)
    floor = rows[0]
    assert floor["page"] == "floor" and floor["floor_ratio"] == 1.0
    assert floor["bytes"] == 2 and floor["queries"] == 0
    assert "Growth from scale 0.01 to 0.02" in out.getvalue()
    assert debug == settings.DEBUG  # switched off for the run only


def test_pages_option_names_known_rows_only():
    from devtools.management.commands.bench import _parse_pages

    assert _parse_pages("") is None
    assert _parse_pages(" applicant_list , stats_task ") == {"applicant_list", STATS_ROW}
    with pytest.raises(CommandError, match="unknown page"):
        _parse_pages("applicant_list,nope")


@pytest.mark.postgres
def test_bench_pages_option_times_only_the_named_pages(tmp_path):
    output = tmp_path / "results.json"
    call_command(
        "bench",
        scales="0.01",
        requests=1,
        pages="applicant_list",
        output=str(output),
        no_migrate=True,
        stdout=StringIO(),
    )
    rows = json.loads(output.read_text())["rows"]
    assert [row["page"] for row in rows] == ["floor", "applicant_list"]
    assert rows[1]["median_ms"] is not None


def test_waiting_for_a_quiet_database():
    from django.db import connection

    waited = bench.wait_for_quiet_database(timeout=5, poll=0.1)
    if connection.vendor == "postgresql":
        # A test database this small gives autovacuum nothing to do: the wait ends
        # right after the CHECKPOINT (which raises for a role not allowed to run it).
        assert 0 <= waited < 5
    else:
        assert waited == 0.0
