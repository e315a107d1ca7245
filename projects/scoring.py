"""How well a student fits a project: one pure function, used everywhere a match is shown.

``match_score`` is the single definition of "a good match". Recommendations and the
"best match" browse sort use it to rank projects for a student; the applications app
reuses it to rank a project's applicants. It touches no database: callers load the
inputs (in bounded batches) and pass plain values.

The score is out of 100 and the sum of four parts:

=====================  ======  ==========================================================
part                   points  how
=====================  ======  ==========================================================
required skills        55      each required skill the student has earns its share,
                               scaled by their level: level 5 earns the full share, level
                               1 earns 60 % of it (``0.5 + 0.1 × level``). A project
                               without required skills gives the full 55.
nice-to-have skills    15      the share of nice-to-have skills the student has (level
                               does not matter). A project without any gives half (7.5),
                               so listing none is neither a bonus nor a penalty.
hours                  20      the weekly load the project needs (estimated hours spread
                               over its duration, at least one week) against the
                               student's weekly availability: full points when it fits,
                               otherwise proportionally less.
deadline               10      how soon the student must act: ≤ 7 days 10, ≤ 14 days 7,
                               ≤ 30 days 4, later 2. A passed deadline gives 0 and marks
                               the result not ``eligible``.
=====================  ======  ==========================================================

Required skills weigh most because a missing required skill usually means the work
cannot be done; nice-to-haves separate otherwise equal candidates; hours and deadline
break ties between projects a student could do equally well.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

REQUIRED_POINTS = 55.0
NICE_POINTS = 15.0
HOURS_POINTS = 20.0
DEADLINE_POINTS = 10.0


@dataclass(frozen=True)
class MatchResult:
    score: float
    reasons: list[str] = field(default_factory=list)
    required_matched: list[int] = field(default_factory=list)
    required_missing: list[int] = field(default_factory=list)
    nice_matched: list[int] = field(default_factory=list)
    weekly_hours_needed: float = 0.0
    fits_hours: bool = True
    days_left: int | None = None
    eligible: bool = True

    @property
    def required_total(self) -> int:
        return len(self.required_matched) + len(self.required_missing)


def _level_factor(level: int) -> float:
    level = min(max(int(level), 1), 5)
    return 0.5 + 0.1 * level


def _names(ids: list[int], skill_names: Mapping[int, str] | None) -> str:
    if not skill_names:
        return ""
    return ", ".join(sorted(skill_names.get(i, "") for i in ids if skill_names.get(i)))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def weekly_hours_needed(estimated_hours: int, duration_days: int) -> float:
    """Hours per week a project asks for: its estimate spread over its duration (a
    project shorter than a week needs all its hours in that week)."""
    weeks = max(duration_days or 0, 7) / 7
    return estimated_hours / weeks


def match_score(
    *,
    student_skills: Mapping[int, int],
    weekly_hours: int,
    project_required: set[int],
    project_nice: set[int],
    estimated_hours: int,
    duration_days: int,
    deadline: datetime | None,
    now: datetime | None,
    skill_names: Mapping[int, str] | None = None,
) -> MatchResult:
    """Score one student against one project (0–100) and say why, in words.

    ``student_skills`` maps skill id → level (1–5); ``skill_names`` (optional) maps
    skill id → name so the reasons can name skills. Pure: same input, same output.
    """
    reasons: list[str] = []

    # Required skills, scaled by level.
    required_matched = sorted(s for s in project_required if s in student_skills)
    required_missing = sorted(s for s in project_required if s not in student_skills)
    if project_required:
        earned = sum(_level_factor(student_skills[s]) for s in required_matched)
        required_part = REQUIRED_POINTS * earned / len(project_required)
        text = (
            f"Matches {len(required_matched)} of {len(project_required)} required skills"
            if len(project_required) > 1
            else f"Matches {len(required_matched)} of 1 required skill"
        )
        names = _names(required_matched, skill_names)
        if required_matched and names:
            text += f": {names}"
        reasons.append(text)
        missing = _names(required_missing, skill_names)
        if required_missing and missing:
            reasons.append(f"Missing: {missing}")
    else:
        required_part = REQUIRED_POINTS
        reasons.append("No required skills")

    # Nice-to-have skills: presence only.
    nice_matched = sorted(s for s in project_nice if s in student_skills)
    if project_nice:
        nice_part = NICE_POINTS * len(nice_matched) / len(project_nice)
        if nice_matched:
            text = f"Also has {_plural(len(nice_matched), 'nice-to-have skill')}"
            names = _names(nice_matched, skill_names)
            reasons.append(f"{text}: {names}" if names else text)
    else:
        nice_part = NICE_POINTS / 2

    # Hours against weekly availability over the project's duration.
    needed = weekly_hours_needed(estimated_hours, duration_days)
    available = max(weekly_hours or 0, 0)
    fits = available >= needed
    if fits:
        hours_part = HOURS_POINTS
        reasons.append(f"Fits your {available} h/week")
    else:
        hours_part = HOURS_POINTS * (available / needed if needed else 1.0)
        reasons.append(f"Needs about {math.ceil(needed)} h/week; you have {available}")

    # Deadline proximity.
    days_left: int | None = None
    eligible = True
    deadline_part = 0.0
    if deadline is not None:
        remaining = deadline - (now or datetime.now(UTC))
        if remaining.total_seconds() <= 0:
            eligible = False
            reasons.append("Deadline passed")
        else:
            days_left = remaining.days
            if days_left <= 7:
                deadline_part = DEADLINE_POINTS
            elif days_left <= 14:
                deadline_part = DEADLINE_POINTS * 0.7
            elif days_left <= 30:
                deadline_part = DEADLINE_POINTS * 0.4
            else:
                deadline_part = DEADLINE_POINTS * 0.2
            if days_left == 0:
                reasons.append("Deadline today")
            elif days_left == 1:
                reasons.append("Deadline tomorrow")
            elif days_left <= 14:
                reasons.append(f"Deadline in {days_left} days")

    score = required_part + nice_part + hours_part + deadline_part
    return MatchResult(
        score=round(min(max(score, 0.0), 100.0), 1),
        reasons=reasons,
        required_matched=required_matched,
        required_missing=required_missing,
        nice_matched=nice_matched,
        weekly_hours_needed=round(needed, 1),
        fits_hours=fits,
        days_left=days_left,
        eligible=eligible,
    )
