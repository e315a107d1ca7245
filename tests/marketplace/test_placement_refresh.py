"""Placement facts follow the events: with change tracking on, a saved application,
offer or profile marks the units it touches dirty (``placement_units_touch``, from the
post_save signals) and, once the transaction commits, ``refresh_dirty_placement_units``
rebuilds those units only. A frozen (closed) unit is never rewritten by it.

The rest of the suite runs with tracking off (tests/conftest.py); here it is turned on
after the world is built, with no delay (tasks run eagerly in tests).

The world, both institutions in New York time: students ``su`` (Upstate) and ``sv``
(Valley), verified through their school address, their affiliation moved back to
before the closed year ``CLOSED`` (two years ago: its reporting window has ended).
Each applied once this year; ``su`` also applied once in ``CLOSED``.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from accounts.models import Affiliation, StudentProfile
from accounts.services.profiles import profile_update, student_affiliate_from_email
from marketplace import placement
from marketplace.models import PlacementCell, PlacementDiscrepancy, PlacementFact, PlacementUnit
from marketplace.tasks import refresh_dirty_placement_units
from matching.models import Application
from matching.services.applications import application_accept
from matching.services.offers import offer_accept
from tests.accounts.factories import InstitutionFactory, SkillFactory
from tests.marketplace.test_stats import AY, CLASS, _complete, make_student, shift
from tests.matching.factories import ready_student, submitted_application
from tests.matching.offers_helpers import extend_offer
from tests.matching.recommendation_helpers import ask, write
from tests.projects.factories import open_project

CLOSED = dt.date(AY.year - 2, 7, 1)


def verified_student(institution, *, email: str, major: str):
    """A student verified the way the site does it (a confirmed school address), with
    the affiliation dated back before ``CLOSED``."""
    student = ready_student(skills=[SkillFactory()], email=email, last_name=major)
    StudentProfile.objects.filter(user=student).update(
        major=major, graduation_year=CLASS, graduation_date=dt.date(CLASS, 5, 1)
    )
    student_affiliate_from_email(user=student, email=email)
    affiliation = Affiliation.objects.get(student=student)
    shift(affiliation, started_at=dt.datetime(CLOSED.year - 1, 7, 1, tzinfo=dt.UTC))
    student.refresh_from_db()
    return student


@pytest.fixture
def world(db):
    u = InstitutionFactory(name="Upstate", email_domains=["upstate.edu"])
    v = InstitutionFactory(name="Valley", email_domains=["valley.edu"])
    su = verified_student(u, email="su@upstate.edu", major="Economics")
    sv = verified_student(v, email="sv@valley.edu", major="History")
    project = open_project(slots=20, nice_to_have_skills=[])
    submitted_application(project, su)
    submitted_application(project, sv)
    old = submitted_application(open_project(nice_to_have_skills=[]), su)
    shift(old, created_at=dt.datetime(CLOSED.year, 10, 1, 12, tzinfo=dt.UTC))
    placement.placement_rebuild()
    return SimpleNamespace(u=u, v=v, su=su, sv=sv, project=project, old=old)


@pytest.fixture
def tracking(settings):
    """Turned on by a test once its world is built."""

    def start() -> None:
        settings.PLACEMENT_TRACK_CHANGES = True
        settings.PLACEMENT_REFRESH_DELAY = 0

    return start


def unit(key, year=AY) -> PlacementUnit:
    return PlacementUnit.objects.get(institution_key=key, year=year)


def fact(key, student, year=AY) -> PlacementFact:
    return PlacementFact.objects.get(institution_key=key, year=year, student_id=student.pk)


def built_at() -> dict[tuple[int, dt.date], dt.datetime | None]:
    return {(u.institution_key, u.year): u.built_at for u in PlacementUnit.objects.all()}


def test_the_world_is_built(world):
    assert fact(world.u.pk, world.su).applications == 1
    assert fact(world.v.pk, world.sv).applications == 1
    assert fact(world.u.pk, world.su, CLOSED).applications == 1
    assert unit(world.u.pk, CLOSED).frozen_at is not None
    assert unit(world.u.pk).frozen_at is None
    assert not PlacementUnit.objects.filter(dirty_at__isnull=False).exists()


def test_without_tracking_nothing_is_marked(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted_application(open_project(nice_to_have_skills=[]), world.su)
    assert not PlacementUnit.objects.filter(dirty_at__isnull=False).exists()
    assert fact(world.u.pk, world.su).applications == 1


def test_a_new_application_marks_and_rebuilds_its_units_only(
    world, tracking, django_capture_on_commit_callbacks
):
    before = built_at()
    tracking()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted_application(open_project(nice_to_have_skills=[]), world.su)
    # Marked, not yet rebuilt: the rebuild waits for the commit.
    assert unit(world.u.pk).dirty_at is not None
    assert unit(world.v.pk).dirty_at is None
    assert fact(world.u.pk, world.su).applications == 1
    assert callbacks
    for callback in callbacks:
        callback()

    assert fact(world.u.pk, world.su).applications == 2
    mine = unit(world.u.pk)
    assert mine.dirty_at is None and mine.built_at > before[(world.u.pk, AY)]
    after = built_at()
    assert after[(world.v.pk, AY)] == before[(world.v.pk, AY)]
    assert after[(world.u.pk, CLOSED)] == before[(world.u.pk, CLOSED)]
    changed = {key for key, when in after.items() if when != before.get(key)}
    assert changed <= placement.student_units(world.su.pk, when=[dt.datetime.now(dt.UTC)])
    assert {key for key, _ in changed} <= {world.u.pk, placement.NO_INSTITUTION}
    assert not PlacementUnit.objects.filter(dirty_at__isnull=False).exists()


def test_an_accepted_offer_is_counted_at_once(world, tracking, django_capture_on_commit_callbacks):
    engagement = application_accept(
        application=Application.objects.get(student=world.su, project=world.project),
        actor=world.project.supervisor,
    )
    _complete(engagement)
    offer = extend_offer(engagement)
    placement.placement_rebuild()
    assert fact(world.u.pk, world.su).offers_accepted_full_time == 0
    before = built_at()

    tracking()
    with django_capture_on_commit_callbacks(execute=True):
        offer_accept(offer=offer, actor=world.su)

    hired = fact(world.u.pk, world.su)
    assert (hired.offers_accepted_full_time, hired.converted) == (1, True)
    assert unit(world.u.pk).dirty_at is None
    assert unit(world.u.pk).built_at > before[(world.u.pk, AY)]
    assert built_at()[(world.v.pk, AY)] == before[(world.v.pk, AY)]
    assert built_at()[(world.u.pk, CLOSED)] == before[(world.u.pk, CLOSED)]


def test_a_recommendation_is_counted_for_its_engagement_at_once(
    world, tracking, django_capture_on_commit_callbacks
):
    engagement = application_accept(
        application=Application.objects.get(student=world.su, project=world.project),
        actor=world.project.supervisor,
    )
    _complete(engagement)
    placement.placement_rebuild()
    assert fact(world.u.pk, world.su).engagements_recommended == 0
    before = built_at()

    tracking()
    with django_capture_on_commit_callbacks(execute=True):
        write(ask(engagement))

    assert fact(world.u.pk, world.su).engagements_recommended == 1
    assert unit(world.u.pk).dirty_at is None
    assert unit(world.u.pk).built_at > before[(world.u.pk, AY)]
    assert built_at()[(world.v.pk, AY)] == before[(world.v.pk, AY)]


def test_a_new_major_is_copied_into_the_facts(world, tracking, django_capture_on_commit_callbacks):
    before = built_at()
    tracking()
    profile = world.su.student_profile
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            profile=profile,
            first_name=world.su.first_name,
            last_name=world.su.last_name,
            institution=profile.institution,
            changes={"major": "Geography"},
        )
    assert fact(world.u.pk, world.su).major == "Geography"
    months = PlacementCell.objects.filter(institution_key=world.u.pk, year=AY, dimension="month")
    assert set(months.values_list("major", flat=True)) == {"Geography"}
    assert unit(world.u.pk).dirty_at is None
    after = built_at()
    assert after[(world.u.pk, AY)] > before[(world.u.pk, AY)]
    assert after[(world.v.pk, AY)] == before[(world.v.pk, AY)]
    # The closed year keeps the major its facts were frozen with.
    assert after[(world.u.pk, CLOSED)] == before[(world.u.pk, CLOSED)]
    assert fact(world.u.pk, world.su, CLOSED).major == "Economics"


def test_a_frozen_unit_is_never_rewritten(world, tracking, django_capture_on_commit_callbacks):
    frozen = unit(world.u.pk, CLOSED)
    tracking()
    # Accepting the closed year's application would change that year's figures.
    with django_capture_on_commit_callbacks(execute=True):
        application_accept(application=world.old, actor=world.old.project.supervisor)

    again = unit(world.u.pk, CLOSED)
    assert (again.built_at, again.frozen_at, again.dirty_at) == (
        frozen.built_at,
        frozen.frozen_at,
        None,
    )
    old_fact = fact(world.u.pk, world.su, CLOSED)
    assert (old_fact.accepted, old_fact.decided) == (0, 0)
    # The engagement it started counts this year, which was rebuilt.
    assert fact(world.u.pk, world.su).engagements_started == 1
    assert refresh_dirty_placement_units.delay().get() == 0  # nothing left to do
    # The nightly full rebuild logs the difference for staff instead of applying it.
    placement.placement_rebuild()
    assert fact(world.u.pk, world.su, CLOSED).accepted == 0
    assert set(
        PlacementDiscrepancy.objects.filter(unit=again).values_list(
            "figure", "frozen_value", "recomputed_value"
        )
    ) >= {("accepted", 0, 1), ("decided", 0, 1)}


def test_the_refresh_task_rebuilds_what_is_dirty(world):
    placement.placement_units_touch(student_id=world.su.pk, when=[dt.datetime.now(dt.UTC)])
    dirty = set(
        PlacementUnit.objects.filter(dirty_at__isnull=False).values_list("institution_key", "year")
    )
    assert (world.u.pk, AY) in dirty and (world.v.pk, AY) not in dirty
    assert refresh_dirty_placement_units.delay().get() == len(dirty)
    assert not PlacementUnit.objects.filter(dirty_at__isnull=False).exists()
    assert refresh_dirty_placement_units.delay().get() == 0


def test_a_profile_edit_keeps_a_student_verified_without_history_at_their_school(
    db, tracking, django_capture_on_commit_callbacks
):
    """A student verified before the history was kept, or by staff in the admin, has no
    affiliation row: their events count for their current school. Editing the profile
    (same school, still verified) must not move those events to "no institution"."""
    u = InstitutionFactory()
    student = make_student(u, last_name="No-History", major="Economics", year=CLASS)
    submitted_application(open_project(nice_to_have_skills=[]), student)
    placement.placement_rebuild()
    assert fact(u.pk, student).applications == 1

    tracking()
    profile = StudentProfile.objects.get(user=student)
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            profile=profile,
            first_name=student.first_name,
            last_name=student.last_name,
            institution=u,
            changes={"headline": "Now looking for data roles"},
        )
    assert not PlacementFact.objects.filter(
        institution_key=placement.NO_INSTITUTION, student_id=student.pk, applications__gt=0
    ).exists()
    assert fact(u.pk, student).applications == 1


def test_a_refresh_leaves_no_open_unit_dirty(db, tracking, django_capture_on_commit_callbacks):
    """A profile edit touches this year and last year (a profile counts in every open
    year). On a platform whose first events are this year, last year's units are
    created dirty; the refresh must build (or release) them, not leave them dirty."""
    u = InstitutionFactory()
    student = make_student(u, last_name="First-Year", major="Economics", year=CLASS)
    submitted_application(open_project(nice_to_have_skills=[]), student)
    placement.placement_rebuild()

    tracking()
    profile = StudentProfile.objects.get(user=student)
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            profile=profile,
            first_name=student.first_name,
            last_name=student.last_name,
            institution=u,
            changes={"major": "Geography"},
        )
    assert fact(u.pk, student).major == "Geography"
    left = PlacementUnit.objects.filter(dirty_at__isnull=False, frozen_at__isnull=True)
    assert list(left.values_list("institution_key", "year")) == []
