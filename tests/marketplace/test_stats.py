"""Placement statistics on a hand-built dataset: every figure is worked out by hand below.

The dataset (academic year 2025–26; all events moved to fixed dates after being created
through the real services):

    Institution U (verified students s1, s2, s3, s4, s6; s5 is NOT verified)
    Institution V (verified student v1)
    Organization A: project pA1 (data, skills SQL + Excel, 2 slots),
                    project pA2 (marketing, skill Copywriting, 1 slot)
    Organization B: project pB1 (software, skill Python, 1 slot)

    student  major             grad  consent  applications (created → decided, days)
    s1       Economics         2026  yes      a1 pA1 Sep 1 → Sep 11 accepted (10)
                                              a7 pB1 Jan 10 → Jan 15 accepted (5)
    s2       Economics         2026  no       a2 pA1 Sep 2 → Sep 12 accepted (10)
    s3       Computer Science  2026  yes      a3 pA1 Sep 3 → Sep 12 closed by fill (9)
                                              a4 pA2 Oct 1 → Oct 5 rejected (4)
    s4       Computer Science  2027  yes      a5 pA2 Oct 2 → Oct 8 accepted (6)
    s5 (unverified, U)         2027           a6 pA2 Oct 3 withdrawn (undecided)
    s6       Economics         2026  yes      (nothing)
    v1 (V)   History           2027           a8 pB1 Jan 11 → Jan 15 closed by fill (4)

    engagements: E1 s1 pA1 started Sep 11, completed Nov 1; feedback Nov 3
                 (communication 4, teamwork 5, overall 5); offer O1 citing E1 Nov 10,
                 accepted Nov 12 → conversion, 9 days
                 E2 s2 pA1 started Sep 12, completed Nov 15; feedback Nov 20
                 (communication 2, critical thinking 3, overall 3); offer O2 from A NOT
                 citing it, Dec 1, accepted Dec 3 → conversion by the second rule, 16 days
                 E3 s4 pA2 started Oct 8, cancelled Oct 20
                 E4 s1 pB1 started Jan 15, completed Feb 10, no supervisor feedback; offer
                 O3 from B citing E4 Feb 20, declined → not a conversion
    outcomes:    s3 reports "still looking" (known, per NACE)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import median

import pytest
from django.utils import timezone

from accounts.models import Institution, StudentProfile
from marketplace import stats
from marketplace.models import StatSnapshot, StatsRun
from marketplace.tasks import compute_statistics
from matching.models import Application, Engagement, InternFeedback, Offer, SupervisorFeedback
from matching.services.applications import (
    application_accept,
    application_reject,
    application_withdraw,
)
from matching.services.engagements import (
    engagement_approve,
    engagement_cancel,
    engagement_submit_work,
)
from matching.services.feedback import intern_feedback_submit, supervisor_feedback_submit
from matching.services.offers import offer_accept, offer_decline, outcome_report_create
from tests.accounts.factories import (
    EmployerFactory,
    InstitutionFactory,
    SkillFactory,
)
from tests.matching.factories import ready_student, submitted_application
from tests.matching.offers_helpers import extend_offer
from tests.projects.factories import open_project

AY = dt.date(2025, 7, 1)


def at(month: int, day: int, year: int | None = None) -> dt.datetime:
    year = year or (2025 if month >= 7 else 2026)
    return dt.datetime(year, month, day, 12, 0, tzinfo=dt.UTC)


def shift(obj, **fields) -> None:
    """Time travel: move timestamps the services stamped with 'now' to the story's dates."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)


@dataclass
class Dataset:
    u: Institution
    v: Institution
    org_a: object
    org_b: object
    employer_a: object
    employer_b: object
    students: dict
    engagements: dict
    offers: dict


def make_student(institution, *, last_name, major, year, consent=True, verified=True, skill=None):
    student = ready_student(skills=[skill or SkillFactory()], first_name="Stu", last_name=last_name)
    StudentProfile.objects.filter(user=student).update(
        institution=institution,
        institution_verified=verified,
        major=major,
        graduation_year=year,
        share_with_career_office=consent,
    )
    student.refresh_from_db()
    return student


def _complete(engagement) -> None:
    engagement_submit_work(
        engagement=engagement, actor=engagement.student, link="https://example.com/w", note="v1"
    )
    engagement_approve(engagement=engagement, actor=engagement.supervisor)
    engagement.refresh_from_db()


def build_dataset() -> Dataset:
    u = InstitutionFactory(name="Upstate University", slug="upstate")
    v = InstitutionFactory(name="Valley College", slug="valley")
    employer_a = EmployerFactory(email="owner@a.example.com")
    employer_b = EmployerFactory(email="owner@b.example.com")
    org_a = employer_a.membership.organization
    org_b = employer_b.membership.organization
    sql, excel = SkillFactory(name="SQL", slug="sql"), SkillFactory(name="Excel", slug="excel")
    copy = SkillFactory(name="Copywriting", slug="copywriting")
    python = SkillFactory(name="Python", slug="python")

    s = {
        "s1": make_student(u, last_name="Alpha-Consent", major="Economics", year=2026),
        "s2": make_student(
            u, last_name="Zqx-Marker-1", major="Economics", year=2026, consent=False
        ),
        "s3": make_student(u, last_name="Gamma-Consent", major="Computer Science", year=2026),
        "s4": make_student(u, last_name="Delta-Consent", major="Computer Science", year=2027),
        "s5": make_student(
            u, last_name="Zqx-Marker-3", major="Economics", year=2027, verified=False
        ),
        "s6": make_student(u, last_name="Epsilon-Consent", major="Economics", year=2026),
        "v1": make_student(v, last_name="Zqx-Marker-2", major="History", year=2027),
    }
    p_a1 = open_project(
        organization=org_a,
        category="data",
        slots=2,
        required_skills=[sql, excel],
        nice_to_have_skills=[],
        title="Zqx-Project-A1 sales data",
    )
    p_a2 = open_project(
        organization=org_a, category="marketing", required_skills=[copy], nice_to_have_skills=[]
    )
    p_b1 = open_project(
        organization=org_b, category="software", required_skills=[python], nice_to_have_skills=[]
    )
    sup_a, sup_b = p_a1.supervisor, p_b1.supervisor

    a1 = submitted_application(p_a1, s["s1"])
    a2 = submitted_application(p_a1, s["s2"])
    a3 = submitted_application(p_a1, s["s3"])
    a4 = submitted_application(p_a2, s["s3"])
    a5 = submitted_application(p_a2, s["s4"])
    a6 = submitted_application(p_a2, s["s5"])
    a7 = submitted_application(p_b1, s["s1"])
    a8 = submitted_application(p_b1, s["v1"])

    e1 = application_accept(application=a1, actor=sup_a)
    e2 = application_accept(application=a2, actor=sup_a)  # fills pA1: a3 closes
    application_reject(application=a4, actor=sup_a, message="Thanks")
    application_withdraw(application=a6, actor=s["s5"])
    e3 = application_accept(application=a5, actor=sup_a)
    e4 = application_accept(application=a7, actor=sup_b)  # fills pB1: a8 closes

    for e in (e1, e2, e4):
        _complete(e)
    engagement_cancel(engagement=e3, actor=s["s4"], reason="Exams")

    supervisor_feedback_submit(
        engagement=e1,
        actor=sup_a,
        ratings={"communication": 4, "teamwork": 5},
        overall_rating=5,
        written_feedback="Great work.",
        would_hire=True,
    )
    supervisor_feedback_submit(
        engagement=e2,
        actor=sup_a,
        ratings={"communication": 2, "critical_thinking": 3},
        overall_rating=3,
        written_feedback="Fine work.",
        would_hire=False,
    )
    intern_feedback_submit(
        engagement=e1,
        actor=s["s1"],
        brief_clarity=4,
        mentorship=5,
        scope_fairness=3,
        would_recommend=True,
    )
    intern_feedback_submit(
        engagement=e2,
        actor=s["s2"],
        brief_clarity=2,
        mentorship=3,
        scope_fairness=5,
        would_recommend=False,
    )
    # E4: only the intern's side — never released, so never shown to organization B.
    intern_feedback_submit(
        engagement=e4,
        actor=s["s1"],
        brief_clarity=1,
        mentorship=1,
        scope_fairness=1,
        would_recommend=False,
    )

    o1 = extend_offer(e1)
    offer_accept(offer=o1, actor=s["s1"])
    o2 = extend_offer(e2, cite=False)
    offer_accept(offer=o2, actor=s["s2"])
    o3 = extend_offer(e4)
    offer_decline(offer=o3, actor=s["s1"], reason="Staying in school")
    outcome_report_create(student=s["s3"], kind="still_looking")

    # The story's dates.
    for app, created, decided in [
        (a1, at(9, 1), at(9, 11)),
        (a2, at(9, 2), at(9, 12)),
        (a3, at(9, 3), at(9, 12)),
        (a4, at(10, 1), at(10, 5)),
        (a5, at(10, 2), at(10, 8)),
        (a6, at(10, 3), None),
        (a7, at(1, 10), at(1, 15)),
        (a8, at(1, 11), at(1, 15)),
    ]:
        shift(app, created_at=created, decided_at=decided)
    shift(e1, started_at=at(9, 11), completed_at=at(11, 1))
    shift(e2, started_at=at(9, 12), completed_at=at(11, 15))
    shift(e3, started_at=at(10, 8), cancelled_at=at(10, 20))
    shift(e4, started_at=at(1, 15), completed_at=at(2, 10))
    SupervisorFeedback.objects.filter(engagement=e1).update(submitted_at=at(11, 3))
    SupervisorFeedback.objects.filter(engagement=e2).update(submitted_at=at(11, 20))
    InternFeedback.objects.filter(engagement__in=[e1, e2, e4]).update(submitted_at=at(11, 21))
    shift(o1, created_at=at(11, 10), responded_at=at(11, 12))
    shift(o2, created_at=at(12, 1), responded_at=at(12, 3))
    shift(o3, created_at=at(2, 20), responded_at=at(2, 22))
    return Dataset(
        u=u,
        v=v,
        org_a=org_a,
        org_b=org_b,
        employer_a=employer_a,
        employer_b=employer_b,
        students=s,
        engagements={"e1": e1, "e2": e2, "e3": e3, "e4": e4},
        offers={"o1": o1, "o2": o2, "o3": o3},
    )


@pytest.fixture
def dataset(db):
    return build_dataset()


def snap(scope_type, scope_id, *, period="year", start=AY, dimension="", value=""):
    return StatSnapshot.objects.get(
        scope_type=scope_type,
        scope_id=scope_id,
        period_type=period,
        period_start=start,
        dimension=dimension,
        dimension_value=value,
    ).metrics


EMPTY_RATINGS = dict.fromkeys(
    [
        "communication",
        "critical_thinking",
        "teamwork",
        "professionalism",
        "technology",
        "leadership",
        "career_development",
        "equity_inclusion",
    ]
)


def test_the_dataset_is_what_the_story_says(dataset):
    assert Application.objects.count() == 8
    assert Engagement.objects.filter(status="completed").count() == 3
    assert Offer.objects.filter(status="accepted").count() == 2
    assert Application.objects.get(student=dataset.students["s3"], project__slots=2).status == (
        "expired"
    )


def test_institution_headline_every_figure(dataset):
    stats.statistics_compute_all()
    m = snap("institution", dataset.u.pk)
    # a1 a2 a3 a4 a5 a7 (a6 is s5's: not verified; a8 is V's)
    assert m["applications"] == 6
    assert m["unique_applicants"] == 4  # s1 s2 s3 s4
    assert m["decided"] == 6  # a3 closed by the fill counts as decided
    assert m["accepted"] == 4  # a1 a2 a5 a7
    assert m["acceptance_rate"] == 66.7
    assert m["median_days_to_decide"] == median([10, 10, 9, 4, 6, 5]) == 7.5
    assert m["engagements_started"] == 4
    assert m["engagements_completed"] == 3
    assert m["engagements_cancelled"] == 1
    assert m["completion_rate"] == 75.0
    assert m["feedback_count"] == 2
    assert m["ratings"] == {
        **EMPTY_RATINGS,
        "communication": 3.0,  # (4 + 2) / 2
        "teamwork": 5.0,  # observed once
        "critical_thinking": 3.0,  # observed once
    }
    assert m["overall_rating"] == 4.0
    assert m["offers_extended"] == 3
    assert m["offers_accepted"] == 2
    assert m["conversions"] == 2  # E1 (cited) and E2 (same org, same student, later)
    assert m["conversion_rate"] == 66.7
    assert m["median_days_to_offer"] == median([9, 16]) == 12.5
    # Class of 2026: s1 s2 (accepted offers), s3 (still looking: known), s6 (unknown)
    assert m["graduates"] == 4
    assert m["known_outcomes"] == 3
    assert m["knowledge_rate"] == 75.0


def test_institution_breakdowns(dataset):
    stats.statistics_compute_all()
    u = dataset.u.pk
    econ = snap("institution", u, dimension="major", value="Economics")
    assert (econ["applications"], econ["unique_applicants"], econ["accepted"]) == (3, 2, 3)
    assert econ["acceptance_rate"] == 100.0
    assert (econ["engagements_completed"], econ["conversions"]) == (3, 2)
    assert econ["conversion_rate"] == 66.7
    assert (econ["offers_extended"], econ["offers_accepted"]) == (3, 2)
    assert (econ["graduates"], econ["known_outcomes"], econ["knowledge_rate"]) == (3, 2, 66.7)
    cs = snap("institution", u, dimension="major", value="Computer Science")
    assert (cs["applications"], cs["decided"], cs["accepted"], cs["acceptance_rate"]) == (
        3,
        3,
        1,
        33.3,
    )
    assert (cs["engagements_started"], cs["engagements_cancelled"], cs["completion_rate"]) == (
        1,
        1,
        0.0,
    )
    assert cs["conversion_rate"] is None
    assert (cs["graduates"], cs["known_outcomes"], cs["knowledge_rate"]) == (1, 1, 100.0)
    assert (
        not StatSnapshot.objects.filter(dimension="major", dimension_value="History")
        .filter(scope_type="institution", scope_id=u)
        .exists()
    )

    y2026 = snap("institution", u, dimension="graduation_year", value="2026")
    assert (y2026["applications"], y2026["decided"], y2026["accepted"]) == (5, 5, 3)
    assert y2026["acceptance_rate"] == 60.0
    assert y2026["knowledge_rate"] == 75.0
    y2027 = snap("institution", u, dimension="graduation_year", value="2027")
    assert (y2027["applications"], y2027["accepted"], y2027["engagements_cancelled"]) == (1, 1, 1)

    data = snap("institution", u, dimension="category", value="data")
    assert (data["applications"], data["accepted"], data["engagements_completed"]) == (3, 2, 2)
    assert (data["conversions"], data["conversion_rate"]) == (2, 100.0)
    assert (data["offers_extended"], data["offers_accepted"]) == (1, 1)  # O2 cites nothing
    marketing = snap("institution", u, dimension="category", value="marketing")
    assert (marketing["applications"], marketing["accepted"], marketing["completion_rate"]) == (
        2,
        1,
        0.0,
    )
    software = snap("institution", u, dimension="category", value="software")
    assert (software["applications"], software["conversions"], software["conversion_rate"]) == (
        1,
        0,
        0.0,
    )
    assert (software["offers_extended"], software["offers_accepted"]) == (1, 0)

    # pA1 has two skills: each of its applications counts once under each.
    for skill in ("SQL", "Excel"):
        m = snap("institution", u, dimension="skill", value=skill)
        assert (m["applications"], m["unique_applicants"], m["accepted"]) == (3, 3, 2)
    assert snap("institution", u, dimension="skill", value="Python")["applications"] == 1

    org_a = snap("institution", u, dimension="organization", value=str(dataset.org_a.pk))
    assert (org_a["applications"], org_a["offers_extended"], org_a["conversions"]) == (5, 2, 2)
    org_b = snap("institution", u, dimension="organization", value=str(dataset.org_b.pk))
    assert (org_b["applications"], org_b["offers_extended"], org_b["conversions"]) == (1, 1, 0)


def test_institution_months(dataset):
    stats.statistics_compute_all()
    u = dataset.u.pk

    def month(m, y=None):
        return snap("institution", u, period="month", start=at(m, 1, y).date())

    assert (month(9)["applications"], month(9)["engagements_started"]) == (3, 2)
    assert (month(10)["applications"], month(10)["engagements_cancelled"]) == (2, 1)
    nov = month(11)
    assert (nov["engagements_completed"], nov["conversions"], nov["conversion_rate"]) == (
        2,
        2,
        100.0,
    )
    assert (nov["feedback_count"], nov["offers_extended"], nov["offers_accepted"]) == (2, 1, 1)
    assert nov["median_days_to_offer"] == 12.5
    assert (month(12)["offers_extended"], month(12)["offers_accepted"]) == (1, 1)
    assert (month(1)["applications"], month(1)["engagements_started"]) == (1, 1)
    feb = month(2)
    assert (feb["engagements_completed"], feb["conversion_rate"], feb["offers_extended"]) == (
        1,
        0.0,
        1,
    )
    assert "graduates" not in feb  # the knowledge rate is per class year only
    assert not StatSnapshot.objects.filter(
        scope_type="institution", scope_id=u, period_type="month", period_start=at(8, 1).date()
    ).exists()


def test_organization_figures(dataset):
    stats.statistics_compute_all()
    a = snap("organization", dataset.org_a.pk)
    assert (a["applications"], a["unique_applicants"], a["decided"], a["accepted"]) == (6, 5, 5, 3)
    assert a["acceptance_rate"] == 60.0
    assert a["median_days_to_decide"] == median([10, 10, 9, 4, 6]) == 9.0
    assert (a["engagements_started"], a["engagements_completed"], a["engagements_cancelled"]) == (
        3,
        2,
        1,
    )
    assert a["completion_rate"] == 66.7
    assert (a["conversions"], a["conversion_rate"], a["median_days_to_offer"]) == (2, 100.0, 12.5)
    assert (a["offers_extended"], a["offers_accepted"]) == (2, 2)
    assert a["ratings"]["communication"] == 3.0
    assert a["overall_rating"] == 4.0
    assert "graduates" not in a
    b = snap("organization", dataset.org_b.pk)
    assert (b["applications"], b["decided"], b["accepted"], b["acceptance_rate"]) == (2, 2, 1, 50.0)
    assert b["median_days_to_decide"] == 4.5
    assert (b["engagements_completed"], b["conversions"], b["conversion_rate"]) == (1, 0, 0.0)
    assert b["median_days_to_offer"] is None
    assert (b["offers_extended"], b["offers_accepted"]) == (1, 0)
    assert b["feedback_count"] == 0 and b["overall_rating"] is None


def test_site_figures(dataset):
    stats.statistics_compute_all()
    m = snap("site", 0)
    assert (m["applications"], m["unique_applicants"], m["decided"], m["accepted"]) == (
        8,
        6,
        7,
        4,
    )
    assert m["acceptance_rate"] == 57.1
    assert (m["engagements_completed"], m["conversions"]) == (3, 2)
    # Class of 2026 site-wide: s1 s2 s3 s6 (s5 and v1 graduate in 2027)
    assert (m["graduates"], m["known_outcomes"], m["knowledge_rate"]) == (4, 3, 75.0)


def test_academic_year_helpers():
    assert stats.academic_year_start(dt.date(2025, 7, 1)) == dt.date(2025, 7, 1)
    assert stats.academic_year_start(dt.date(2026, 6, 30)) == dt.date(2025, 7, 1)
    assert stats.academic_year_label(dt.date(2025, 7, 1)) == "2025–26"
    assert stats.academic_year_label(dt.date(1999, 7, 1)) == "1999–00"
    assert stats.class_year(dt.date(2025, 7, 1)) == 2026
    months = stats.academic_year_months(dt.date(2025, 7, 1))
    assert months[0] == dt.date(2025, 7, 1) and months[-1] == dt.date(2026, 6, 1)
    assert stats.pct(2, 3) == 66.7 and stats.pct(1, 0) is None


def test_snapshots_hold_no_names(dataset):
    stats.statistics_compute_all()
    blob = " ".join(f"{s.dimension_value} {s.metrics}" for s in StatSnapshot.objects.all())
    for student in dataset.students.values():
        assert student.last_name not in blob
        assert student.email not in blob


def test_idempotent_and_stale_groups_removed(dataset):
    first = stats.statistics_compute_all()
    count = StatSnapshot.objects.count()
    assert first == count
    assert stats.statistics_compute_all() == first
    assert StatSnapshot.objects.count() == count
    # A group that no longer has data disappears on the next run.
    Offer.objects.filter(pk=dataset.offers["o3"].pk).delete()
    Engagement.objects.filter(pk=dataset.engagements["e4"].pk).update(
        completed_at=None, status="active"
    )
    stats.statistics_compute_all()
    assert not StatSnapshot.objects.filter(
        scope_type="institution", period_type="month", period_start=at(2, 1).date()
    ).exists()


def test_live_figures_match_snapshots(dataset):
    stats.statistics_compute_all()
    from_snapshots = stats.dashboard_figures(
        scope_type="institution", scope_id=dataset.u.pk, year=AY
    )
    assert from_snapshots["headline"] == snap("institution", dataset.u.pk)
    live = stats._live(
        scope_type="institution",
        scope_id=dataset.u.pk,
        year=AY,
        dimensions=stats.DIMENSIONS_BY_SCOPE["institution"],
        student_filter={},
    )
    assert live["headline"] == from_snapshots["headline"]
    assert live["months"] == from_snapshots["months"]
    assert live["breakdowns"]["major"] == from_snapshots["breakdowns"]["major"]
    econ = stats.dashboard_figures(
        scope_type="institution",
        scope_id=dataset.u.pk,
        year=AY,
        student_filter={"major": "Economics"},
    )
    assert econ["headline"] == snap(
        "institution", dataset.u.pk, dimension="major", value="Economics"
    )


def test_task_records_the_run(dataset):
    run = StatsRun.objects.create(requested_by=dataset.employer_a)
    rows = compute_statistics.delay(run_id=run.pk).get()
    run.refresh_from_db()
    assert run.status == "done" and run.rows_written == rows > 0
    assert run.started_at and run.finished_at
    # Delivered twice: the second does nothing.
    assert compute_statistics.delay(run_id=run.pk).get() == 0
    # From beat (no run id): a run row is recorded too.
    compute_statistics.delay().get()
    assert StatsRun.objects.filter(requested_by=None, status="done").count() == 1


def test_task_failure_marks_the_run_failed(db, monkeypatch):
    def boom():
        raise ValueError("broken")

    monkeypatch.setattr(stats, "statistics_compute_all", boom)
    run = StatsRun.objects.create()
    with pytest.raises(ValueError):
        compute_statistics.delay(run_id=run.pk).get()
    run.refresh_from_db()
    assert run.status == "failed" and "broken" in run.error


def test_run_request_reuses_an_active_run(db, employer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run, created = stats.stats_run_request(user=employer)
    assert created and run.status == "queued" and len(callbacks) == 1
    again, created_again = stats.stats_run_request(user=employer)
    assert again.pk == run.pk and not created_again
    # A run stuck for longer than RUN_STALE_AFTER is taken for lost.
    StatsRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - stats.RUN_STALE_AFTER - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh, created_fresh = stats.stats_run_request(user=employer)
    assert created_fresh and fresh.pk != run.pk
    fresh.refresh_from_db()
    assert fresh.status == "done"


def test_query_count_does_not_grow_with_data(dataset, django_assert_max_num_queries):
    # A fixed number of aggregate queries (sources × scopes × periods × dimensions),
    # plus the upsert batches and the stale-row scan — never one per row.
    with django_assert_max_num_queries(300):
        stats.statistics_compute_all()
