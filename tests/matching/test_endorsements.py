"""Aggregates from released feedback: a student's endorsements and ratings, an
organization's ratings from interns, and the two partial templates."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from matching.selectors.feedback import (
    organization_ratings_summary,
    student_endorsements,
    student_ratings_summary,
)
from tests.accounts.factories import SkillFactory, StudentFactory
from tests.matching.records_helpers import (
    completed_engagement,
    give_intern_feedback,
    give_supervisor_feedback,
    released_engagement,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills(db):
    return {name: SkillFactory(name=name) for name in ("Excel", "SQL", "Python")}


def test_student_endorsements_per_skill_with_organizations(student, skills):
    first = released_engagement(student=student, skills=[skills["Excel"], skills["SQL"]])
    second = released_engagement(student=student, skills=[skills["Excel"]])
    # Blind (not released) endorsements do not count yet.
    blind = completed_engagement(student=student)
    give_supervisor_feedback(blind, skills=[skills["Python"], skills["Excel"]])
    # Nor do another student's.
    released_engagement(student=StudentFactory(), skills=[skills["SQL"]])

    rows = student_endorsements(student=student)
    assert [(r.skill_name, r.count) for r in rows] == [("Excel", 2), ("SQL", 1)]
    org_names = sorted([first.project.organization.name, second.project.organization.name])
    assert sorted(rows[0].organizations) == org_names
    assert rows[1].organizations == [first.project.organization.name]


def test_student_endorsements_one_query(student, skills):
    for _ in range(3):
        released_engagement(student=student, skills=list(skills.values()))
    with CaptureQueriesContext(connection) as queries:
        rows = student_endorsements(student=student)
    assert len(queries) == 1
    assert {r.count for r in rows} == {3}


def test_student_ratings_average_observed_competencies_only(student):
    released_engagement(
        student=student,
        supervisor_overrides={
            "ratings": {"communication": 5, "teamwork": None},
            "overall_rating": 4,
            "would_hire": True,
        },
    )
    released_engagement(
        student=student,
        supervisor_overrides={
            "ratings": {"communication": 2, "teamwork": 4},
            "overall_rating": 1,
            "would_hire": False,
        },
    )
    blind = completed_engagement(student=student)
    give_supervisor_feedback(blind, ratings={"communication": 1, "leadership": 1}, overall_rating=1)

    summary = student_ratings_summary(student=student)
    assert summary.count == 2
    assert summary.overall == 2.5
    assert summary.would_hire == 1
    by_label = {label: (avg, n) for label, avg, n in summary.competencies}
    assert by_label["Communication"] == (3.5, 2)
    assert by_label["Teamwork"] == (4.0, 1)  # the "not observed" one is left out
    assert by_label["Leadership"] == (None, 0)  # only the blind feedback observed it


def test_student_ratings_empty(student):
    summary = student_ratings_summary(student=student)
    assert summary.count == 0 and summary.overall is None
    assert all(avg is None and n == 0 for _, avg, n in summary.competencies)


def test_organization_ratings_from_released_intern_feedback(organization, employer):
    released_engagement(
        organization=organization,
        intern_overrides={
            "brief_clarity": 5,
            "mentorship": 4,
            "scope_fairness": 3,
            "would_recommend": True,
        },
    )
    released_engagement(
        organization=organization,
        intern_overrides={
            "brief_clarity": 3,
            "mentorship": 5,
            "scope_fairness": 4,
            "would_recommend": False,
        },
    )
    blind = completed_engagement(organization=organization)
    give_intern_feedback(blind, brief_clarity=1, mentorship=1, scope_fairness=1)
    released_engagement(intern_overrides={"brief_clarity": 1})  # another organization

    summary = organization_ratings_summary(organization=organization)
    assert summary.count == 2
    assert (summary.brief_clarity, summary.mentorship, summary.scope_fairness) == (4.0, 4.5, 3.5)
    assert summary.overall == 4.0
    assert summary.would_recommend_percent == 50


def test_organization_ratings_empty(organization):
    summary = organization_ratings_summary(organization=organization)
    assert summary.count == 0
    assert summary.overall is None and summary.would_recommend_percent is None


def test_student_ratings_partial(student, skills):
    released_engagement(student=student, skills=[skills["Excel"]])
    html = render_to_string(
        "matching/record_detail.html#student-ratings",
        {
            "ratings": student_ratings_summary(student=student),
            "endorsements": student_endorsements(student=student),
        },
    )
    assert "4.0 / 5" in html and "Excel" in html and "× 1" in html
    empty = render_to_string(
        "matching/record_detail.html#student-ratings", {"ratings": None, "endorsements": []}
    )
    assert "No ratings yet" in empty


def test_organization_ratings_partial(organization):
    released_engagement(organization=organization)
    html = render_to_string(
        "matching/organization_public.html#organization-ratings",
        {"ratings": organization_ratings_summary(organization=organization)},
    )
    assert "from 1 intern" in html and "100% would recommend" in html
    empty = render_to_string(
        "matching/organization_public.html#organization-ratings", {"ratings": None}
    )
    assert "No ratings from interns yet" in empty
