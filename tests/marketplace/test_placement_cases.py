"""The constructed cases of issue 11: each builds a small world, rebuilds the placement
facts and checks the career-office figures against a value worked out by hand (the
arithmetic is in the comments). Definitions: templates/dashboards/methodology.html.

Outside the privacy tests the minimum cell size is 1, so that figures of one or two
students are shown and can be compared (settings clamp only the environment variable).
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Affiliation
from marketplace.dashboards.figures import Suppressed
from marketplace.models import PlacementDiscrepancy, PlacementFact, PlacementUnit
from marketplace.placement import NO_INSTITUTION, academic_year_start, placement_rebuild
from matching.models import Offer, OutcomeReport
from matching.services.offers import offer_rescind
from tests.accounts.factories import VerifiedOrganizationFactory
from tests.marketplace.placement_helpers import (
    CHICAGO,
    academic,
    applied,
    breakdown,
    enrolled,
    fact,
    figures,
    interned,
    local,
    offered,
    school,
)
from tests.projects.factories import member_of, open_project

pytestmark = pytest.mark.django_db

FULL_TIME = Offer.Type.FULL_TIME
PART_TIME = Offer.Type.PART_TIME


@pytest.fixture
def no_suppression(settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 1


@pytest.fixture
def k5(settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 5


# ------------------------------------------------------------------------------
# Hired: distinct students, full-time only
# ------------------------------------------------------------------------------
def test_two_accepted_full_time_offers_are_one_hire(no_suppression):
    institution = school()
    student = enrolled(institution)
    applied(student, local(2025, 9, 10))
    first, second = VerifiedOrganizationFactory(), VerifiedOrganizationFactory()
    offered(student, first, created=local(2025, 10, 1), responded=local(2025, 10, 5))
    offered(student, second, created=local(2025, 10, 2), responded=local(2025, 10, 6))

    result = figures(institution, 2025)
    headline = result["headline"]

    # One student, two offers accepted: 2 acceptances, but hired = |{student}| = 1.
    assert headline["students"] == 1
    assert headline["offers_extended"] == 2
    assert headline["offers_accepted_full_time"] == 2
    assert headline["hired"] == 1
    assert headline["other_offer_students"] == 0
    # Both in October 2025: the month's hires are distinct students too (1, not 2).
    assert breakdown(result, "month")["2025-10"]["hires"] == 1
    # Each organization hired that one student once.
    organizations = breakdown(result, "organization")
    assert organizations[str(first.pk)]["hires"] == 1
    assert organizations[str(second.pk)]["hires"] == 1


def test_part_time_and_other_offer_types_are_not_hires(no_suppression):
    institution = school()
    part_timer, full_timer, other_types = (enrolled(institution) for _ in range(3))
    # The part-timer interned at the organization that then offers part-time work.
    engagement = interned(part_timer, started=local(2025, 9, 1), completed=local(2025, 10, 1))
    organization = engagement.project.organization
    offered(part_timer, organization, created=local(2025, 10, 10), type=PART_TIME)
    offered(full_timer, VerifiedOrganizationFactory(), created=local(2025, 11, 1))
    offered(
        other_types, VerifiedOrganizationFactory(), created=local(2025, 11, 2), type="internship"
    )
    offered(other_types, VerifiedOrganizationFactory(), created=local(2025, 11, 3), type="contract")

    headline = figures(institution, 2025)["headline"]

    # Hired = students with an accepted full-time offer = {full_timer} = 1.
    assert headline["hired"] == 1
    assert headline["offers_accepted_full_time"] == 1
    # Another type: {part_timer, other_types} = 2 students, 1 + 2 = 3 offers.
    assert headline["other_offer_students"] == 2
    assert headline["offers_accepted_other"] == 3
    # The part-timer interned (1 intern) but a part-time offer is no conversion: 0 / 1.
    assert headline["interns"] == 1
    assert headline["converted"] == 0
    assert headline["conversion_rate"] == 0.0
    assert fact(institution, 2025, part_timer).offers_accepted_other == 1
    assert fact(institution, 2025, part_timer).offers_accepted_full_time == 0


# ------------------------------------------------------------------------------
# Conversion to hire
# ------------------------------------------------------------------------------
def test_two_engagements_and_one_hire_convert_one_intern(no_suppression):
    institution = school()
    intern = enrolled(institution)
    first = interned(intern, started=local(2025, 9, 1), completed=local(2025, 10, 1))
    second = interned(intern, started=local(2025, 11, 1), completed=local(2025, 12, 1))
    assert first.project.organization != second.project.organization
    offered(
        intern,
        first.project.organization,
        created=local(2026, 1, 10),
        responded=local(2026, 1, 15),
        engagement=first,
    )

    headline = figures(institution, 2025)["headline"]
    # Two completions, one intern; converted {intern}: 1 / 1 = 100.0 %.
    assert headline["engagements_completed"] == 2
    assert headline["interns"] == 1
    assert headline["converted"] == 1
    assert headline["conversion_rate"] == 100.0
    assert headline["hired"] == 1

    other = enrolled(institution)
    interned(other, started=local(2026, 2, 1), completed=local(2026, 3, 1))
    headline = figures(institution, 2025)["headline"]
    # Interns {intern, other} = 2, converted {intern} = 1: 1 / 2 = 50.0 %.
    assert headline["interns"] == 2
    assert headline["converted"] == 1
    assert headline["conversion_rate"] == 50.0


def test_offer_made_during_the_engagement_without_citing_it_is_a_conversion(no_suppression):
    institution = school()
    intern = enrolled(institution)
    engagement = interned(intern, started=local(2025, 9, 1), completed=local(2025, 10, 15))
    # Made and accepted before the engagement completed, and not linked to it.
    offer = offered(
        intern,
        engagement.project.organization,
        created=local(2025, 10, 1),
        responded=local(2025, 10, 3),
        engagement=None,
    )
    assert offer.engagement_id is None
    # Another intern is hired full-time, but by an organization they never interned with.
    elsewhere = enrolled(institution)
    interned(elsewhere, started=local(2025, 9, 1), completed=local(2025, 10, 15))
    offered(elsewhere, VerifiedOrganizationFactory(), created=local(2025, 11, 1))

    headline = figures(institution, 2025)["headline"]
    # Interns 2, hired 2, converted {intern} only (same organization): 1 / 2 = 50.0 %.
    assert headline["interns"] == 2
    assert headline["hired"] == 2
    assert headline["converted"] == 1
    assert headline["conversion_rate"] == 50.0
    assert fact(institution, 2025, intern).converted is True
    assert fact(institution, 2025, elsewhere).converted is False


def test_conversion_counts_offers_accepted_until_december_31_after_the_year(no_suppression):
    institution = school()
    on_time, late = enrolled(institution), enrolled(institution)
    for student, responded in (
        # 23:30 local on Dec 31, 2025 (05:30 UTC Jan 1): inside the 2024–25 window.
        (on_time, local(2025, 12, 31, 23, 30)),
        # 00:30 local on Jan 1, 2026: the window has closed.
        (late, local(2026, 1, 1, 0, 30)),
    ):
        engagement = interned(student, started=local(2025, 3, 1), completed=local(2025, 4, 1))
        offered(
            student,
            engagement.project.organization,
            created=local(2025, 12, 1),
            responded=responded,
            engagement=engagement,
        )

    headline = figures(institution, 2024)["headline"]
    # Interns of 2024–25 {on_time, late} = 2, converted {on_time} = 1: 50.0 %.
    assert headline["interns"] == 2
    assert headline["converted"] == 1
    assert headline["conversion_rate"] == 50.0
    # Both acceptances are hires of 2025–26, when they were accepted.
    assert figures(institution, 2025, rebuild=False)["headline"]["hired"] == 2


# ------------------------------------------------------------------------------
# Rescinded offers, and closed years
# ------------------------------------------------------------------------------
def test_offer_rescinded_before_the_year_closes_is_no_longer_a_hire(no_suppression):
    institution = school()
    student = enrolled(institution)
    organization = VerifiedOrganizationFactory()
    # An open year whatever today is: the current one (it closes eighteen months on).
    moment = timezone.now() - timedelta(minutes=5)
    year = academic_year_start(moment.astimezone(CHICAGO).date())
    offer = offered(student, organization, created=moment, responded=moment)

    assert figures(institution, year.year)["headline"]["hired"] == 1
    offer_rescind(offer=offer, actor=member_of(organization), reason="The position was cut.")
    result = figures(institution, year.year)

    # Still accepted when computed: none. Hired 0, though the offer was extended (1).
    assert result["headline"]["hired"] == 0
    assert result["headline"]["offers_extended"] == 1
    assert result["final_as_of"] is None
    assert not PlacementDiscrepancy.objects.exists()


def test_offer_rescinded_after_the_year_closed_leaves_the_frozen_figures(no_suppression):
    institution = school()
    student = enrolled(institution)
    organization = VerifiedOrganizationFactory()
    applied(student, local(2023, 9, 1))
    offer = offered(student, organization, created=local(2024, 3, 1), responded=local(2024, 3, 5))

    # 2023–24's reporting window ended Dec 31, 2024: the first build freezes it.
    first = figures(institution, 2023)
    assert first["headline"]["hired"] == 1
    unit = PlacementUnit.objects.get(institution_key=institution.pk, year=academic(2023))
    assert unit.frozen_at is not None
    assert first["final_as_of"] == unit.frozen_at

    offer_rescind(offer=offer, actor=member_of(organization), reason="The position was cut.")
    after = figures(institution, 2023)

    # Frozen: still 1 hire, 1 full-time acceptance; the change is logged for review.
    assert after["headline"]["hired"] == 1
    assert after["headline"]["offers_accepted_full_time"] == 1
    assert after["final_as_of"] == unit.frozen_at
    logged = set(
        PlacementDiscrepancy.objects.filter(unit=unit).values_list(
            "figure", "frozen_value", "recomputed_value"
        )
    )
    # Recomputed: offers_accepted_full_time 1 → 0; everything else (1 student, 1
    # application, 1 offer extended) is unchanged.
    assert logged == {("offers_accepted_full_time", 1, 0)}

    placement_rebuild()
    assert PlacementDiscrepancy.objects.filter(unit=unit).count() == 1
    assert figures(institution, 2023)["headline"]["hired"] == 1


# ------------------------------------------------------------------------------
# Which school
# ------------------------------------------------------------------------------
def test_a_student_who_changes_school_counts_for_each_school_in_turn(no_suppression):
    before, after = school(), school(time_zone="America/Los_Angeles")
    student = enrolled(after, graduation_date=date(2026, 5, 15))
    moved = local(2026, 1, 15, 12, 0)
    Affiliation.objects.create(
        student=student, institution=before, started_at=local(2024, 8, 20), ended_at=moved
    )
    Affiliation.objects.create(student=student, institution=after, started_at=moved)

    applied(student, local(2025, 10, 1))  # at `before`
    applied(student, moved - timedelta(minutes=1))  # at `before`, a minute before moving
    applied(student, moved)  # at `after`: the new period starts at that instant
    interned(student, started=local(2026, 2, 1), completed=local(2026, 3, 1))  # at `after`
    placement_rebuild()

    old = fact(before, 2025, student)
    # Two applications at the old school, nothing else, and not its graduate.
    assert (old.applications, old.engagements_started, old.graduate) == (2, 0, False)
    new = fact(after, 2025, student)
    # At the new school: `moved` + the engagement's application = 2; it graduates there
    # (May 15, 2026 falls in its period).
    assert (new.applications, new.engagements_completed, new.graduate) == (2, 1, True)
    assert not PlacementFact.objects.filter(institution_key=NO_INSTITUTION).exists()

    old_figures = figures(before, 2025, rebuild=False)["headline"]
    new_figures = figures(after, 2025, rebuild=False)["headline"]
    assert (old_figures["students"], old_figures["applications"]) == (1, 2)
    assert (old_figures["interns"], old_figures["graduates"]) == (0, 0)
    assert (new_figures["students"], new_figures["applications"]) == (1, 2)
    assert (new_figures["interns"], new_figures["graduates"]) == (1, 1)


def test_events_between_two_schools_count_for_no_school(no_suppression):
    first, second = school(), school()
    student = enrolled(second)  # verified at `second` now, with a recorded history
    left, joined = local(2026, 1, 15, 12, 0), local(2026, 2, 1, 9, 0)
    Affiliation.objects.create(
        student=student, institution=first, started_at=local(2024, 8, 20), ended_at=left
    )
    Affiliation.objects.create(student=student, institution=second, started_at=joined)

    applied(student, local(2025, 10, 1))  # at `first`
    applied(student, local(2026, 1, 20))  # between the two periods: no verified school
    applied(student, local(2026, 2, 10))  # at `second`
    placement_rebuild()

    # One application each: `first`, no institution (unit 0), `second` — the gap does
    # not go to the current school.
    assert fact(first, 2025, student).applications == 1
    assert fact(NO_INSTITUTION, 2025, student).applications == 1
    assert fact(second, 2025, student).applications == 1
    assert figures(second, 2025, rebuild=False)["headline"]["applications"] == 1


# ------------------------------------------------------------------------------
# Knowledge rate and exclusions
# ------------------------------------------------------------------------------
def test_knowledge_rate_counts_outcomes_recorded_near_graduation(no_suppression):
    institution = school()
    graduation = date(2026, 5, 15)
    sophomore, recent, hired, too_early, unknown = (
        enrolled(institution, graduation_date=graduation) for _ in range(5)
    )
    still_looking = OutcomeReport.Kind.STILL_LOOKING
    # "Still looking" as a sophomore, two and a half years before graduating: not known.
    OutcomeReport.objects.create(
        student=sophomore, kind=still_looking, reported_at=local(2023, 10, 1)
    )
    # "Still looking" two months after graduating: known (NACE counts it).
    OutcomeReport.objects.create(student=recent, kind=still_looking, reported_at=local(2026, 7, 15))
    # A contract (any type) accepted two months before graduating: known.
    offered(
        hired,
        VerifiedOrganizationFactory(),
        created=local(2026, 3, 1),
        responded=local(2026, 3, 8),
        type="contract",
    )
    # 200 days before graduating (> 183): not known.
    OutcomeReport.objects.create(
        student=too_early, kind="graduate_school", reported_at=local(2025, 10, 27)
    )

    headline = figures(institution, 2025)["headline"]
    # Graduates 5; known {recent, hired} = 2: 2 / 5 = 40.0 %.
    assert headline["graduates"] == 5
    assert headline["known_outcomes"] == 2
    assert headline["knowledge_rate"] == 40.0
    assert fact(institution, 2025, sophomore).outcome_known is False
    assert fact(institution, 2025, unknown).outcome_known is False


def test_students_without_a_graduation_date_are_counted_apart(no_suppression):
    institution = school()
    undated = enrolled(institution, graduation_year=2026, graduation_date=None)
    dated = enrolled(institution, graduation_date=date(2026, 5, 20))
    reported = enrolled(institution, graduation_date=date(2026, 6, 1))
    applied(undated, local(2025, 10, 1))
    applied(dated, local(2025, 10, 1))
    OutcomeReport.objects.create(
        student=reported, kind="not_seeking", reported_at=local(2026, 6, 15)
    )

    headline = figures(institution, 2025)["headline"]
    # Students {undated, dated, reported} = 3; graduates {dated, reported} = 2, known
    # {reported} = 1: 1 / 2 = 50.0 %; one student has no date and is not in the rate.
    assert headline["students"] == 3
    assert headline["graduates"] == 2
    assert headline["known_outcomes"] == 1
    assert headline["knowledge_rate"] == 50.0
    assert headline["without_graduation_date"] == 1
    undated_fact = fact(institution, 2025, undated)
    assert (undated_fact.graduate, undated_fact.has_graduation_date) == (False, False)


def test_a_deactivated_student_is_still_counted(no_suppression):
    institution = school()
    active = enrolled(institution)
    gone = enrolled(institution, active=False)
    assert gone.is_active is False
    applied(active, local(2025, 10, 1))
    applied(gone, local(2025, 10, 2))
    offered(gone, VerifiedOrganizationFactory(), created=local(2025, 11, 1))

    headline = figures(institution, 2025)["headline"]
    # Both students' history counts: 2 students, 2 applications, 1 hire; 1 deactivated.
    assert headline["students"] == 2
    assert headline["applications"] == 2
    assert headline["unique_applicants"] == 2
    assert headline["hired"] == 1
    assert headline["deactivated"] == 1
    assert fact(institution, 2025, gone).active is False


# ------------------------------------------------------------------------------
# Time zone: years and months cut at local midnight
# ------------------------------------------------------------------------------
def test_the_year_is_cut_at_midnight_in_the_institution_time_zone(no_suppression):
    institution = school(time_zone="America/Chicago")
    student = enrolled(institution)
    late = applied(student, local(2026, 6, 30, 23, 30))
    early = applied(student, local(2026, 7, 1, 0, 30))
    # In UTC both are on July 1 (04:30 and 05:30): a UTC cut would put both in 2026–27.
    assert late.created_at.astimezone(UTC).date() == date(2026, 7, 1)

    ending = figures(institution, 2025)
    starting = figures(institution, 2026, rebuild=False)
    # June 30, 23:30 CDT: the year ending that day, month 2026-06.
    assert ending["headline"]["applications"] == 1
    assert {m: row["applications"] for m, row in ending["breakdowns"]["month"]} == {"2026-06": 1}
    # July 1, 00:30 CDT: the next year, month 2026-07.
    assert starting["headline"]["applications"] == 1
    assert {m: row["applications"] for m, row in starting["breakdowns"]["month"]} == {"2026-07": 1}
    assert early.created_at > late.created_at


def test_months_are_cut_at_midnight_in_the_institution_time_zone(no_suppression):
    institution = school(time_zone="America/Chicago")
    student = enrolled(institution)
    # 23:30 CDT Oct 31 = 04:30 UTC Nov 1: October.
    applied(student, local(2025, 10, 31, 23, 30))
    # 00:30 CDT Nov 1 and 23:30 CST Nov 30 (= 05:30 UTC Dec 1): November, twice.
    applied(student, local(2025, 11, 1, 0, 30))
    applied(student, local(2025, 11, 30, 23, 30))
    # Started 23:30 CDT Sept 30 (its application too), completed 23:30 CST Dec 31.
    engagement = interned(
        student, started=local(2025, 9, 30, 23, 30), completed=local(2025, 12, 31, 23, 30)
    )
    # A full-time hire accepted 23:30 CST Jan 31 (= 05:30 UTC Feb 1): January.
    offered(
        student,
        engagement.project.organization,
        created=local(2026, 1, 20),
        responded=local(2026, 1, 31, 23, 30),
    )

    rows = breakdown(figures(institution, 2025), "month")
    months = {
        month: (row["applications"], row["engagements_started"], row["engagements_completed"])
        for month, row in rows.items()
    }
    assert months == {
        "2025-09": (1, 1, 0),
        "2025-10": (1, 0, 0),
        "2025-11": (2, 0, 0),
        "2025-12": (0, 0, 1),
        "2026-01": (0, 0, 0),
    }
    # Students hired per month: the one hire, in January.
    assert {month: row["hires"] for month, row in rows.items()} == {
        "2025-09": 0,
        "2025-10": 0,
        "2025-11": 0,
        "2025-12": 0,
        "2026-01": 1,
    }


# ------------------------------------------------------------------------------
# Privacy (k = 5)
# ------------------------------------------------------------------------------
def _applicants(institution, project, counts: dict[str, int], when) -> dict[str, list]:
    """``counts`` students per major, each with one application to ``project``;
    ``when``: major → moment of their applications."""
    students: dict[str, list] = {}
    for major, n in counts.items():
        students[major] = [enrolled(institution, major=major) for _ in range(n)]
        for student in students[major]:
            applied(student, when(major), project=project)
    return students


def test_a_breakdown_row_of_fewer_than_k_students_is_suppressed(k5):
    institution = school()
    project = open_project()
    _applicants(
        institution,
        project,
        {"Economics": 5, "Finance": 5, "History": 2, "Art": 3},
        lambda major: local(2025, 10, 1),
    )

    result = figures(institution, 2025)
    majors = breakdown(result, "major")
    # History (2) and Art (3) < 5: suppressed; two hidden per column, so no complement.
    for small in ("History", "Art"):
        assert isinstance(majors[small]["students"], Suppressed)
        assert isinstance(majors[small]["applications"], Suppressed)
        assert str(majors[small]["students"]) == "fewer than 5"
    # Exactly k = 5 is shown.
    for shown in ("Economics", "Finance"):
        assert (majors[shown]["students"], majors[shown]["applications"]) == (5, 5)
    # Headline: 5 + 5 + 2 + 3 = 15 students, 15 applications.
    assert (result["headline"]["students"], result["headline"]["applications"]) == (15, 15)


def test_a_lone_suppressed_row_is_complemented_by_the_next_smallest(k5):
    institution = school()
    project = open_project()
    month_of = {"Finance": 10, "Economics": 11, "History": 12}
    _applicants(
        institution,
        project,
        {"Economics": 5, "Finance": 6, "History": 2},
        lambda major: local(2025, month_of[major], 5),
    )

    result = figures(institution, 2025)
    # Headline 13 = 6 (Finance) + 7: History (2) alone would be 13 - 6 - 5 = 2, so the
    # next smallest row, Economics (5), is hidden with it.
    assert result["headline"]["students"] == 13
    majors = breakdown(result, "major")
    assert isinstance(majors["History"]["students"], Suppressed)
    assert isinstance(majors["Economics"]["students"], Suppressed)
    assert isinstance(majors["Economics"]["applications"], Suppressed)
    assert (majors["Finance"]["students"], majors["Finance"]["applications"]) == (6, 6)
    # Months, likewise: Dec (2) hidden, Nov (5) hidden as its complement, Oct (6) shown.
    months = breakdown(result, "month")
    assert isinstance(months["2025-12"]["applications"], Suppressed)
    assert isinstance(months["2025-11"]["applications"], Suppressed)
    assert months["2025-10"]["applications"] == 6


def test_headline_figures_of_fewer_than_k_students_are_suppressed_but_zero_is_shown(k5):
    institution = school()
    project = open_project()
    students = _applicants(
        institution, project, {"Economics": 6, "History": 2}, lambda major: local(2025, 10, 1)
    )
    organization = VerifiedOrganizationFactory()
    for student in students["Economics"][:2]:
        offered(student, organization, created=local(2025, 11, 1))

    result = figures(institution, 2025)
    headline = result["headline"]
    # 6 + 2 = 8 students and applications: shown.
    assert (headline["students"], headline["applications"]) == (8, 8)
    # Hired and offered: 2 students each (< 5): suppressed.
    assert isinstance(headline["hired"], Suppressed)
    assert isinstance(headline["offers_extended"], Suppressed)
    # Nobody accepted another type, nobody interned: 0 identifies no one and is shown.
    assert headline["other_offer_students"] == 0
    assert headline["interns"] == 0
    assert not isinstance(headline["converted"], Suppressed)

    # Filtered to History's 2 students, every figure is computed from 2: all hidden,
    # even their 0 hires (it would say that neither was hired).
    history = figures(institution, 2025, rebuild=False, major="History")["headline"]
    assert isinstance(history["students"], Suppressed)
    assert isinstance(history["applications"], Suppressed)
    assert isinstance(history["hired"], Suppressed)
    # A filter nobody matches: 0 students, shown as 0.
    nobody = figures(institution, 2025, rebuild=False, major="Nobody")["headline"]
    assert nobody["students"] == 0
    assert nobody["hired"] == 0


def test_an_organization_row_of_fewer_than_k_students_hides_its_student_count(k5):
    institution = school()
    projects = {n: open_project() for n in (5, 2, 3)}
    for n, project in projects.items():
        for _ in range(n):
            applied(enrolled(institution), local(2025, 10, 1), project=project)

    organizations = breakdown(figures(institution, 2025), "organization")
    row = {n: organizations[str(p.organization_id)] for n, p in projects.items()}
    # 5 applicants: shown. 2 and 3 applicants (< 5): the whole row, student count too.
    assert (row[5]["students"], row[5]["applications"]) == (5, 5)
    for small in (2, 3):
        assert isinstance(row[small]["students"], Suppressed)
        assert isinstance(row[small]["applications"], Suppressed)
