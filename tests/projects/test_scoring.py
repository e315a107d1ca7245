"""The match score: table-driven, pure (no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from projects.scoring import (
    DEADLINE_POINTS,
    HOURS_POINTS,
    NICE_POINTS,
    REQUIRED_POINTS,
    match_score,
    weekly_hours_needed,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
NAMES = {1: "SQL", 2: "Excel", 3: "Tableau", 4: "Python", 5: "Figma"}


def score(**overrides):
    args = {
        "student_skills": {1: 5, 2: 5, 3: 5},
        "weekly_hours": 15,
        "project_required": {1, 2, 3},
        "project_nice": {4},
        "estimated_hours": 20,
        "duration_days": 14,
        "deadline": NOW + timedelta(days=3),
        "now": NOW,
        "skill_names": NAMES,
    }
    args.update(overrides)
    return match_score(**args)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # all required at level 5, no nice-to-have, fits hours, deadline ≤ 7 days
        ({}, REQUIRED_POINTS + 0 + HOURS_POINTS + DEADLINE_POINTS),
        # + the nice-to-have skill
        ({"student_skills": {1: 5, 2: 5, 3: 5, 4: 1}}, 100.0),
        # level 1 earns 60 % of a required skill's share
        (
            {"student_skills": {1: 1, 2: 1, 3: 1}},
            REQUIRED_POINTS * 0.6 + HOURS_POINTS + DEADLINE_POINTS,
        ),
        # one of three required skills missing
        (
            {"student_skills": {1: 5, 2: 5}},
            REQUIRED_POINTS * 2 / 3 + HOURS_POINTS + DEADLINE_POINTS,
        ),
        # no required and no nice-to-have skills: full required part, half the nice part
        (
            {"project_required": set(), "project_nice": set()},
            REQUIRED_POINTS + NICE_POINTS / 2 + HOURS_POINTS + DEADLINE_POINTS,
        ),
        # needs 20 h/week (20 h in 7 days) with 10 available: half the hours part
        (
            {"weekly_hours": 10, "duration_days": 7},
            REQUIRED_POINTS + HOURS_POINTS / 2 + DEADLINE_POINTS,
        ),
        # deadline in 10 days: 70 %; in 20 days: 40 %; in 60 days: 20 %
        (
            {"deadline": NOW + timedelta(days=10)},
            REQUIRED_POINTS + HOURS_POINTS + DEADLINE_POINTS * 0.7,
        ),
        (
            {"deadline": NOW + timedelta(days=20)},
            REQUIRED_POINTS + HOURS_POINTS + DEADLINE_POINTS * 0.4,
        ),
        (
            {"deadline": NOW + timedelta(days=60)},
            REQUIRED_POINTS + HOURS_POINTS + DEADLINE_POINTS * 0.2,
        ),
        # deadline passed: no deadline points
        ({"deadline": NOW - timedelta(hours=1)}, REQUIRED_POINTS + HOURS_POINTS),
        # no skills at all
        ({"student_skills": {}}, HOURS_POINTS + DEADLINE_POINTS),
    ],
)
def test_score_parts(overrides, expected):
    assert score(**overrides).score == pytest.approx(round(expected, 1))


@pytest.mark.parametrize(
    ("overrides", "reasons"),
    [
        (
            {"student_skills": {1: 3, 2: 3, 3: 3}, "project_required": {1, 2, 3, 5}},
            [
                "Matches 3 of 4 required skills: Excel, SQL, Tableau",
                "Missing: Figma",
                "Fits your 15 h/week",
                "Deadline in 3 days",
            ],
        ),
        (
            {
                "student_skills": {1: 3, 4: 2},
                "project_required": {1},
                "weekly_hours": 5,
                "duration_days": 7,
                "deadline": NOW + timedelta(days=1, hours=2),
            },
            [
                "Matches 1 of 1 required skill: SQL",
                "Also has 1 nice-to-have skill: Python",
                "Needs about 20 h/week; you have 5",
                "Deadline tomorrow",
            ],
        ),
        (
            {"project_required": set(), "deadline": NOW + timedelta(hours=5)},
            ["No required skills", "Fits your 15 h/week", "Deadline today"],
        ),
        (
            {"deadline": NOW + timedelta(days=30)},
            ["Matches 3 of 3 required skills: Excel, SQL, Tableau", "Fits your 15 h/week"],
        ),
        ({"deadline": NOW - timedelta(days=1), "project_required": set()}, None),
    ],
)
def test_reasons(overrides, reasons):
    result = score(**overrides)
    if reasons is None:
        assert "Deadline passed" in result.reasons
        assert result.eligible is False
    else:
        assert result.reasons == reasons
        assert result.eligible is True


def test_reasons_without_names_do_not_name_skills():
    result = score(skill_names=None, student_skills={1: 4})
    assert result.reasons[0] == "Matches 1 of 3 required skills"
    assert not any(r.startswith("Missing") for r in result.reasons)
    assert result.required_matched == [1]
    assert result.required_missing == [2, 3]
    assert result.required_total == 3


def test_required_skills_weigh_more_than_nice_to_have():
    required_only = score(student_skills={1: 3}, project_required={1, 2}, project_nice={4, 5})
    nice_only = score(student_skills={4: 3, 5: 3}, project_required={1, 2}, project_nice={4, 5})
    assert required_only.score > nice_only.score


def test_higher_level_scores_higher():
    assert (
        score(student_skills={1: 5, 2: 5, 3: 5}).score
        > score(student_skills={1: 2, 2: 2, 3: 2}).score
    )


@pytest.mark.parametrize(
    ("hours", "days", "expected"),
    [(20, 14, 10.0), (20, 7, 20.0), (10, 3, 10.0), (40, 28, 10.0), (5, 0, 5.0)],
)
def test_weekly_hours_needed(hours, days, expected):
    assert weekly_hours_needed(hours, days) == pytest.approx(expected)


def test_score_is_bounded_and_pure():
    first, second = score(), score()
    assert first == second
    assert 0 <= first.score <= 100
    assert score(weekly_hours=0).fits_hours is False
