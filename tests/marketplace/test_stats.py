"""Placement statistics on a hand-built dataset: every figure is worked out by hand below.

Career-office and site figures are read from the placement facts
(``placement.placement_rebuild`` then ``dashboards.figures.placement_figures``); employer
figures are computed live (``stats.employer_figures``). The privacy threshold is tested
in test_placement_views.py; here it is set to 1 so that every figure is shown.

The dataset lives in the current academic year AY (July 1, Y – June 30, Y+1, New York
time), so that it is never closed and frozen whatever day the suite runs; "Y+1" below is
the class graduating this year (graduation date May 1, Y+1). All events are created
through the real services, then moved to the story's dates (12:00 UTC):

    Institution U (verified students s1, s2, s3, s4, s6; s5 is NOT verified)
    Institution V (verified student v1)
    Organization A: project pA1 (data, skills SQL + Excel, 2 slots),
                    project pA2 (marketing, skill Copywriting, 1 slot)
    Organization B: project pB1 (software, skill Python, 1 slot)

    student  major             class  consent  applications (created → decided, days)
    s1       Economics         Y+1    yes      a1 pA1 Sep 1 → Sep 11 accepted (10)
                                               a7 pB1 Jan 10 → Jan 15 accepted (5)
    s2       Economics         Y+1    no       a2 pA1 Sep 2 → Sep 12 accepted (10)
    s3       Computer Science  Y+1    yes      a3 pA1 Sep 3 → Sep 12 closed by fill (9)
                                               a4 pA2 Oct 1 → Oct 5 rejected (4)
    s4       Computer Science  Y+2    yes      a5 pA2 Oct 2 → Oct 8 accepted (6)
    s5 (unverified, U)         Y+2             a6 pA2 Oct 3 withdrawn (undecided)
    s6       Economics         Y+1    yes      (nothing)
    v1 (V)   History           Y+2             a8 pB1 Jan 11 → Jan 15 closed by fill (4)

    engagements: E1 s1 pA1 started Sep 11, completed Nov 1; feedback Nov 3
                 (communication 4, teamwork 5, overall 5); full-time offer O1 citing E1
                 Nov 10, accepted Nov 12 (9 days after completion)
                 E2 s2 pA1 started Sep 12, completed Nov 15; feedback Nov 20
                 (communication 2, critical thinking 3, overall 3); full-time offer O2
                 from A NOT citing it, Dec 1, accepted Dec 3 (16 days after completion)
                 E3 s4 pA2 started Oct 8, cancelled Oct 20
                 E4 s1 pB1 started Jan 15, completed Feb 10, no supervisor feedback;
                 offer O3 from B citing E4 Feb 20, declined Feb 22
    outcomes:    s3 reports "still looking" on Apr 1 (known, as NACE counts it)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import median

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Institution, StudentProfile
from marketplace import placement, stats
from marketplace.dashboards.figures import placement_figures
from marketplace.models import PlacementCell, PlacementFact, PlacementUnit, StatsRun
from marketplace.tasks import compute_statistics
from matching.models import (
    Application,
    Engagement,
    InternFeedback,
    Offer,
    OutcomeReport,
    SupervisorFeedback,
)
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

NEW_YORK = placement.platform_time_zone()
#: The academic year of the story: the current one, so it is never closed.
AY = placement.current_academic_year(NEW_YORK)
#: The class graduating in AY, and the next one.
CLASS = AY.year + 1
NEXT_CLASS = AY.year + 2


def at(month: int, day: int, year: int | None = None) -> dt.datetime:
    """Noon UTC on a day of the story's academic year (July–December: its first
    calendar year)."""
    year = year or (AY.year if month >= 7 else AY.year + 1)
    return dt.datetime(year, month, day, 12, 0, tzinfo=dt.UTC)


def month_key(month: int) -> str:
    return f"{at(month, 1):%Y-%m}"


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


def make_student(
    institution,
    *,
    last_name,
    major,
    year,
    consent=True,
    verified=True,
    skill=None,
    first_name="Stu",
):
    """A student ready to apply, placed in ``institution`` (verified or not) with a
    major and a graduation date (May 1 of ``year``)."""
    student = ready_student(
        skills=[skill or SkillFactory()], first_name=first_name, last_name=last_name
    )
    StudentProfile.objects.filter(user=student).update(
        institution=institution,
        institution_verified=verified,
        major=major,
        graduation_year=year,
        graduation_date=dt.date(year, 5, 1) if year else None,
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
        "s1": make_student(u, last_name="Alpha-Consent", major="Economics", year=CLASS),
        "s2": make_student(
            u, last_name="Zqx-Marker-1", major="Economics", year=CLASS, consent=False
        ),
        "s3": make_student(u, last_name="Gamma-Consent", major="Computer Science", year=CLASS),
        "s4": make_student(u, last_name="Delta-Consent", major="Computer Science", year=NEXT_CLASS),
        "s5": make_student(
            u, last_name="Zqx-Marker-3", major="Economics", year=NEXT_CLASS, verified=False
        ),
        "s6": make_student(u, last_name="Epsilon-Consent", major="Economics", year=CLASS),
        "v1": make_student(v, last_name="Zqx-Marker-2", major="History", year=NEXT_CLASS),
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
    report = outcome_report_create(student=s["s3"], kind="still_looking")

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
    shift(report, reported_at=at(4, 1))
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


@pytest.fixture
def every_figure(settings):
    """No privacy threshold: this module checks the arithmetic of every figure."""
    settings.PLACEMENT_MIN_CELL_SIZE = 1


@pytest.fixture
def built(dataset, every_figure):
    placement.placement_rebuild()
    return dataset


def figures_of(institution_key, **student_filter):
    return placement_figures(
        institution_key=institution_key, year=AY, student_filter=student_filter
    )


def rows(figures, dimension) -> dict:
    return dict(figures["breakdowns"][dimension])


def test_the_dataset_is_what_the_story_says(dataset):
    assert Application.objects.count() == 8
    assert Engagement.objects.filter(status="completed").count() == 3
    assert Offer.objects.filter(status="accepted").count() == 2
    assert set(Offer.objects.values_list("type", flat=True)) == {Offer.Type.FULL_TIME}
    assert Application.objects.get(student=dataset.students["s3"], project__slots=2).status == (
        "expired"
    )
    assert OutcomeReport.objects.get().reported_at == at(4, 1)


# ------------------------------------------------------------------------------
# Career office: an institution's figures, from the facts
# ------------------------------------------------------------------------------
def test_institution_headline_every_figure(built):
    figures = figures_of(built.u.pk)
    assert figures["has_data"] and figures["computed_at"] is not None
    assert figures["final_as_of"] is None  # the current year is still open
    m = figures["headline"]
    # s1 s2 s3 s4 (events) and s6 (graduates this year); s5 is not verified.
    assert m["students"] == 5
    # a1 a2 a3 a4 a5 a7 (a6 is s5's: not verified; a8 is V's)
    assert m["applications"] == 6
    assert m["unique_applicants"] == 4  # s1 s2 s3 s4
    assert m["decided"] == 6  # a3 closed by the fill counts as decided
    assert m["accepted"] == 4  # a1 a2 a5 a7
    assert m["accepted_students"] == 3  # s1 s2 s4
    assert m["acceptance_rate"] == 66.7
    assert (m["engagements_started"], m["engagements_completed"]) == (4, 3)
    assert m["engagements_cancelled"] == 1
    assert m["completion_rate"] == 75.0
    assert m["feedback_count"] == 2
    assert m["overall_rating"] == 4.0  # (5 + 3) / 2
    assert m["offers_extended"] == 3  # O1 O2 O3
    assert m["offered"] == 2  # s1 (O1, O3) and s2
    # Hired: distinct students who accepted a full-time offer.
    assert (m["hired"], m["offers_accepted_full_time"]) == (2, 2)
    assert (m["other_offer_students"], m["offers_accepted_other"]) == (0, 0)
    # Conversion, NACE-shaped: interns s1 and s2 both accepted a full-time offer from A,
    # where they completed E1 and E2 (O2 cites nothing: it counts all the same).
    assert (m["interns"], m["converted"], m["conversion_rate"]) == (2, 2, 100.0)
    # Class of Y+1: s1 s2 (accepted offers), s3 (still looking: known), s6 (unknown)
    assert (m["graduates"], m["known_outcomes"], m["knowledge_rate"]) == (4, 3, 75.0)
    assert (m["without_graduation_date"], m["deactivated"]) == (0, 0)


def test_institution_breakdowns(built):
    figures = figures_of(built.u.pk)
    majors = rows(figures, "major")
    assert set(majors) == {"Economics", "Computer Science"}  # no History: that is V's
    econ = majors["Economics"]  # s1 s2 s6
    assert (econ["students"], econ["applications"], econ["unique_applicants"]) == (3, 3, 2)
    assert (econ["accepted"], econ["acceptance_rate"]) == (3, 100.0)
    assert (econ["interns"], econ["converted"], econ["conversion_rate"]) == (2, 2, 100.0)
    assert (econ["graduates"], econ["known_outcomes"], econ["knowledge_rate"]) == (3, 2, 66.7)
    cs = majors["Computer Science"]  # s3 s4
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
    assert (cs["interns"], cs["conversion_rate"]) == (0, None)
    assert (cs["graduates"], cs["known_outcomes"], cs["knowledge_rate"]) == (1, 1, 100.0)

    classes = rows(figures, "graduation_year")
    this_class = classes[CLASS]  # s1 s2 s3 s6
    assert (this_class["applications"], this_class["decided"], this_class["accepted"]) == (5, 5, 3)
    assert this_class["acceptance_rate"] == 60.0
    assert this_class["knowledge_rate"] == 75.0
    next_class = classes[NEXT_CLASS]  # s4
    assert (next_class["applications"], next_class["accepted"]) == (1, 1)
    assert (next_class["engagements_cancelled"], next_class["graduates"]) == (1, 0)

    categories = rows(figures, "category")
    data = categories["data"]  # pA1
    assert (data["applications"], data["accepted"], data["engagements_completed"]) == (3, 2, 2)
    # O2 cites no engagement, so it has no project category.
    assert (data["offers_extended"], data["hires"]) == (1, 1)
    marketing = categories["marketing"]
    assert (marketing["applications"], marketing["accepted"]) == (2, 1)
    assert marketing["engagements_completed"] == 0
    software = categories["software"]
    assert (software["applications"], software["engagements_completed"]) == (1, 1)
    assert (software["offers_extended"], software["hires"]) == (1, 0)

    skills = rows(figures, "skill")
    # pA1 has two skills: each of its applications counts once under each.
    for skill in ("SQL", "Excel"):
        assert (skills[skill]["applications"], skills[skill]["accepted"]) == (3, 2)
        assert skills[skill]["students"] == 3
    assert skills["Python"]["applications"] == 1
    assert skills["Copywriting"]["applications"] == 2

    orgs = rows(figures, "organization")
    org_a = orgs[str(built.org_a.pk)]
    assert (org_a["applications"], org_a["engagements_completed"]) == (5, 2)
    assert (org_a["offers_extended"], org_a["hires"]) == (2, 2)
    org_b = orgs[str(built.org_b.pk)]
    assert (org_b["applications"], org_b["offers_extended"], org_b["hires"]) == (1, 1, 0)

    competencies = rows(figures, "competency")
    assert competencies["communication"]["average_rating"] == 3.0  # (4 + 2) / 2
    assert competencies["communication"]["rating_count"] == 2
    assert competencies["teamwork"]["average_rating"] == 5.0  # observed once
    assert competencies["critical_thinking"]["average_rating"] == 3.0  # observed once
    assert competencies["leadership"]["average_rating"] is None  # never observed


def test_institution_months(built):
    months = rows(figures_of(built.u.pk), "month")
    assert (months[month_key(9)]["applications"], months[month_key(9)]["engagements_started"]) == (
        3,
        2,
    )
    assert (
        months[month_key(10)]["applications"],
        months[month_key(10)]["engagements_started"],
    ) == (
        2,
        1,
    )
    assert (months[month_key(11)]["engagements_completed"], months[month_key(11)]["hires"]) == (
        2,
        1,
    )
    assert months[month_key(12)]["hires"] == 1
    assert (months[month_key(1)]["applications"], months[month_key(1)]["engagements_started"]) == (
        1,
        1,
    )
    assert months[month_key(2)]["engagements_completed"] == 1
    assert month_key(8) not in months  # nothing happened in August


def test_institution_filter_is_a_where_on_the_facts(built):
    econ = figures_of(built.u.pk, major="Economics")["headline"]
    assert econ["applications"] == 3
    assert econ["students"] == 3
    assert figures_of(built.u.pk, graduation_year=NEXT_CLASS)["headline"]["applications"] == 1
    # The filtered headline is the breakdown's row.
    row = rows(figures_of(built.u.pk), "major")["Economics"]
    for name in ("applications", "accepted", "interns", "converted", "graduates"):
        assert econ[name] == row[name], name


def test_other_institution_and_no_institution(built):
    v = figures_of(built.v.pk)["headline"]
    assert (v["students"], v["applications"], v["decided"], v["accepted"]) == (1, 1, 1, 0)
    # s5 was never verified: their events count for no institution (unit 0).
    none = figures_of(placement.NO_INSTITUTION)["headline"]
    assert (none["students"], none["applications"], none["decided"]) == (1, 1, 0)


def test_site_figures(built):
    m = figures_of(None)["headline"]
    assert m["students"] == 7  # U's five, s5 (no institution), v1
    assert (m["applications"], m["unique_applicants"], m["decided"], m["accepted"]) == (
        8,
        6,
        7,
        4,
    )
    assert m["acceptance_rate"] == 57.1
    assert (m["engagements_completed"], m["interns"], m["converted"]) == (3, 2, 2)
    # Class of Y+1 site-wide: s1 s2 s3 s6 (s5 and v1 graduate a year later)
    assert (m["graduates"], m["known_outcomes"], m["knowledge_rate"]) == (4, 3, 75.0)


def test_hired_counts_students_with_a_full_time_offer(built):
    """One student with two accepted full-time offers is one hire; a part-time offer is
    "another type of offer", never a hire — for the career office and the employer."""
    s1, s2 = built.students["s1"], built.students["s2"]
    e1, e2 = built.engagements["e1"], built.engagements["e2"]
    second = extend_offer(e1, cite=False, title="Second full-time role")
    offer_accept(offer=second, actor=s1)
    part_time = extend_offer(e2, cite=False, type=Offer.Type.PART_TIME)
    offer_accept(offer=part_time, actor=s2)
    shift(second, created_at=at(3, 1), responded_at=at(3, 2))
    shift(part_time, created_at=at(3, 3), responded_at=at(3, 4))
    placement.placement_rebuild()

    m = figures_of(built.u.pk)["headline"]
    assert m["offers_accepted_full_time"] == 3  # O1, O2, second
    assert m["hired"] == 2  # s1 and s2: s1 counts once
    assert (m["offers_accepted_other"], m["other_offer_students"]) == (1, 1)
    assert rows(figures_of(built.u.pk), "month")[month_key(3)]["hires"] == 1

    a = stats.employer_figures(organization_id=built.org_a.pk, year=AY)["headline"]
    assert a["hired"] == 2
    assert a["offers_accepted_other"] == 1
    assert a["offers_extended"] == 4
    # Still two converted engagements, each counted once; the median is unchanged.
    assert (a["conversions"], a["median_days_to_offer"]) == (2, 12.5)


def test_facts_hold_no_names(built):
    blob = " ".join(
        f"{f.major} {f.graduation_year}" for f in PlacementFact.objects.all()
    ) + " ".join(f"{c.major} {c.value}" for c in PlacementCell.objects.all())
    for student in built.students.values():
        assert student.last_name not in blob
        assert student.email not in blob


def test_rebuild_is_idempotent_and_drops_what_no_longer_happened(built):
    facts, cells = PlacementFact.objects.count(), PlacementCell.objects.count()
    totals = figures_of(None)["headline"]
    assert placement.placement_rebuild() == facts + cells
    assert (PlacementFact.objects.count(), PlacementCell.objects.count()) == (facts, cells)
    assert figures_of(None)["headline"] == totals
    # A month that no longer has any event disappears on the next run.
    assert PlacementCell.objects.filter(dimension="month", value=month_key(2)).exists()
    Offer.objects.filter(pk=built.offers["o3"].pk).delete()
    Engagement.objects.filter(pk=built.engagements["e4"].pk).update(
        completed_at=None, status="active"
    )
    placement.placement_rebuild()
    assert not PlacementCell.objects.filter(dimension="month", value=month_key(2)).exists()
    assert figures_of(built.u.pk)["headline"]["engagements_completed"] == 2


def test_rebuild_queries_do_not_grow_with_the_data(built):
    """A fixed number of aggregate queries per time zone and year, and a write per batch:
    never one per student."""
    with CaptureQueriesContext(connection) as small:
        placement.placement_rebuild()
    u = built.u
    project = open_project(category="data", slots=20, nice_to_have_skills=[])
    for i in range(12):
        student = make_student(u, last_name=f"Extra-{i}", major="Economics", year=CLASS)
        shift(submitted_application(project, student), created_at=at(9, 20))
    with CaptureQueriesContext(connection) as large:
        placement.placement_rebuild()
    assert figures_of(u.pk)["headline"]["students"] == 5 + 12
    assert len(large.captured_queries) == len(small.captured_queries)


# ------------------------------------------------------------------------------
# Employer: live, its own organization only
# ------------------------------------------------------------------------------
def test_organization_figures(dataset):
    a = stats.employer_figures(organization_id=dataset.org_a.pk, year=AY)
    assert a["has_data"]
    m = a["headline"]
    assert (m["applications"], m["unique_applicants"], m["decided"], m["accepted"]) == (6, 5, 5, 3)
    assert m["acceptance_rate"] == 60.0
    assert m["median_days_to_decide"] == median([10, 10, 9, 4, 6]) == 9.0
    assert (m["engagements_started"], m["engagements_completed"], m["engagements_cancelled"]) == (
        3,
        2,
        1,
    )
    assert m["completion_rate"] == 66.7
    # "Offer from this engagement": E1 (cited) and E2 (same student, later offer).
    assert (m["conversions"], m["conversion_rate"]) == (2, 100.0)
    assert m["median_days_to_offer"] == median([9, 16]) == 12.5
    assert (m["offers_extended"], m["hired"], m["offers_accepted_other"]) == (2, 2, 0)
    assert m["ratings"]["communication"] == 3.0
    assert m["ratings"]["teamwork"] == 5.0 and m["ratings"]["leadership"] is None
    assert (m["feedback_count"], m["overall_rating"]) == (2, 4.0)
    assert "graduates" not in m  # no knowledge rate for employers

    b = stats.employer_figures(organization_id=dataset.org_b.pk, year=AY)["headline"]
    assert (b["applications"], b["decided"], b["accepted"], b["acceptance_rate"]) == (2, 2, 1, 50.0)
    assert b["median_days_to_decide"] == median([5, 4]) == 4.5
    # E4's offer was declined: not an offer from this engagement.
    assert (b["engagements_completed"], b["conversions"], b["conversion_rate"]) == (1, 0, 0.0)
    assert b["median_days_to_offer"] is None
    assert (b["offers_extended"], b["hired"]) == (1, 0)
    assert b["feedback_count"] == 0 and b["overall_rating"] is None


def test_organization_months_and_breakdowns(dataset):
    a = stats.employer_figures(organization_id=dataset.org_a.pk, year=AY)
    months = dict(a["months"])
    assert list(months) == stats.academic_year_months(AY)
    sep, nov = months[at(9, 1).date()], months[at(11, 1).date()]
    assert (sep["applications"], sep["engagements_started"]) == (3, 2)
    assert (nov["engagements_completed"], nov["conversions"], nov["hired"]) == (2, 2, 1)
    assert nov["median_days_to_offer"] == 12.5
    assert months[at(12, 1).date()]["hired"] == 1
    assert months[at(8, 1).date()]["applications"] == 0
    categories = dict(a["breakdowns"]["category"])
    assert (categories["data"]["applications"], categories["data"]["conversions"]) == (3, 2)
    assert categories["marketing"]["engagements_cancelled"] == 1
    assert "software" not in categories  # B's project
    skills = dict(a["breakdowns"]["skill"])
    assert set(skills) == {"SQL", "Excel", "Copywriting"}
    assert skills["SQL"]["applications"] == 3


def test_organization_figures_are_scoped_to_the_organization(dataset):
    groups = stats.compute_groups(
        period_type=stats.Period.YEAR,
        dimension="",
        selection=stats.Selection(scope_id=dataset.org_b.pk, start=None, end=None),
    )
    assert set(groups) == {(dataset.org_b.pk, AY, "")}
    # Unscoped: one group per organization, nothing else (no institution, no site).
    everything = stats.compute_groups(period_type=stats.Period.YEAR, dimension="")
    assert set(everything) == {(dataset.org_a.pk, AY, ""), (dataset.org_b.pk, AY, "")}
    assert everything[(dataset.org_b.pk, AY, "")]["applications"] == 2
    # A window that ends before the year: nothing.
    start, _ = stats.academic_year_bounds(AY)
    before = stats.Selection(
        scope_id=dataset.org_a.pk, start=start - dt.timedelta(days=30), end=start
    )
    assert stats.compute_groups(period_type=stats.Period.YEAR, dimension="", selection=before) == {}


def test_an_organization_without_events_has_empty_figures(dataset, organization):
    figures = stats.employer_figures(organization_id=organization.pk, year=AY)
    assert not figures["has_data"]
    m = figures["headline"]
    assert (m["applications"], m["hired"], m["conversions"]) == (0, 0, 0)
    assert m["acceptance_rate"] is None and m["median_days_to_decide"] is None


def test_academic_year_helpers():
    assert stats.academic_year_start(dt.date(2025, 7, 1)) == dt.date(2025, 7, 1)
    assert stats.academic_year_start(dt.date(2026, 6, 30)) == dt.date(2025, 7, 1)
    assert stats.academic_year_label(dt.date(2025, 7, 1)) == "2025–26"
    assert stats.academic_year_label(dt.date(1999, 7, 1)) == "1999–00"
    months = stats.academic_year_months(dt.date(2025, 7, 1))
    assert months[0] == dt.date(2025, 7, 1) and months[-1] == dt.date(2026, 6, 1)
    assert len(months) == 12
    assert stats.pct(2, 3) == 66.7 and stats.pct(1, 0) is None
    start, end = stats.academic_year_bounds(dt.date(2025, 7, 1))
    # Midnight in New York, not UTC.
    assert start == dt.datetime(2025, 7, 1, 4, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC)


# ------------------------------------------------------------------------------
# Runs: the task, "Refresh now"
# ------------------------------------------------------------------------------
def test_task_records_the_run(dataset):
    run = StatsRun.objects.create(requested_by=dataset.employer_a)
    rows_written = compute_statistics.delay(run_id=run.pk).get()
    run.refresh_from_db()
    assert run.status == "done" and run.rows_written == rows_written > 0
    assert rows_written == PlacementFact.objects.count() + PlacementCell.objects.count()
    assert run.started_at and run.finished_at
    assert PlacementUnit.objects.filter(institution_key=dataset.u.pk, year=AY).get().built_at
    # Delivered twice: the second does nothing.
    assert compute_statistics.delay(run_id=run.pk).get() == 0
    # From beat (no run id): a run row is recorded too.
    compute_statistics.delay().get()
    assert StatsRun.objects.filter(requested_by=None, status="done").count() == 1
    assert stats.last_computed_at() == PlacementUnit.objects.latest("built_at").built_at


def test_task_failure_marks_the_run_failed(db, monkeypatch):
    def boom():
        raise ValueError("broken")

    monkeypatch.setattr(stats, "placement_rebuild", boom)
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
