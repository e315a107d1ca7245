"""Offer reads: scoping, the talent pool (its annotations and constant query count) and
the conversion rule used by the statistics."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from matching.models import Engagement, Offer
from matching.selectors.offers import (
    completed_engagement_get,
    conversion_exists,
    engagement_converted,
    offer_get_for,
    offer_list_for_organization,
    offer_list_for_student,
    talent_pool_for,
    talent_pool_student_get,
)
from matching.services.offers import offer_accept
from tests.accounts.factories import StudentFactory
from tests.matching.engagement_helpers import (  # noqa: F401
    engagement_in_status,
    make_engagement,
)
from tests.matching.offers_helpers import (
    completed_engagement,
    extend_offer,
    give_feedback,
    offer_in_status,
)

pytestmark = pytest.mark.django_db
S = Offer.Status


# ------------------------------------------------------------------------------
# Scoping
# ------------------------------------------------------------------------------
def test_offer_get_for_scopes_to_the_student_and_the_members(
    student, employer, supervisor, other_employer, career_officer
):
    offer = extend_offer(completed_engagement(student=student, supervisor=supervisor))
    for user in (student, employer, supervisor):
        assert offer_get_for(user=user, pk=offer.pk) == offer
    for user in (StudentFactory(), other_employer, career_officer):
        with pytest.raises(Http404):
            offer_get_for(user=user, pk=offer.pk)


def test_lists_show_only_ones_own(student, supervisor, other_employer, organization):
    ours = extend_offer(completed_engagement(student=student, supervisor=supervisor))
    theirs = extend_offer(completed_engagement(supervisor=other_employer))
    assert list(offer_list_for_student(user=student)) == [ours]
    assert list(offer_list_for_organization(organization=organization)) == [ours]
    assert list(offer_list_for_organization(organization=organization, status=S.ACCEPTED)) == []
    assert theirs not in offer_list_for_student(user=student)


def test_talent_pool_lookups_404_outside_the_pool(
    student, supervisor, organization, other_employer
):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    assert talent_pool_student_get(organization=organization, pk=student.pk) == student
    assert completed_engagement_get(organization=organization, pk=engagement.pk) == engagement
    active = make_engagement(supervisor=supervisor)
    theirs = completed_engagement(supervisor=other_employer)
    for pk in (active.student_id, theirs.student_id, "abc", "-1", 10**12):
        with pytest.raises(Http404):
            talent_pool_student_get(organization=organization, pk=pk)
    for pk in (active.pk, theirs.pk, "abc"):
        with pytest.raises(Http404):
            completed_engagement_get(organization=organization, pk=pk)


# ------------------------------------------------------------------------------
# The talent pool
# ------------------------------------------------------------------------------
def test_talent_pool_annotations(student, employer, supervisor, organization, other_employer):
    first = completed_engagement(student=student, supervisor=supervisor)
    second = completed_engagement(student=student, supervisor=employer)
    give_feedback(first, rating=4, would_hire=False)
    give_feedback(second, rating=5, would_hire=True)
    # Another organization's work with the same student counts nowhere here.
    theirs = completed_engagement(student=student, supervisor=other_employer)
    give_feedback(theirs, rating=1, would_hire=False)
    # A student whose feedback is not released yet: no rating, no would-hire.
    newcomer_engagement = completed_engagement(supervisor=supervisor)
    give_feedback(newcomer_engagement, rating=2, would_hire=True, released=False)
    # Work in progress does not put a student in the pool.
    make_engagement(supervisor=supervisor)
    offer = extend_offer(first, cite=False)
    offer_accept(offer=offer, actor=student)

    pool = {person.pk: person for person in talent_pool_for(organization=organization)}
    assert set(pool) == {student.pk, newcomer_engagement.student_id}
    ours = pool[student.pk]
    assert ours.projects_done == 2
    assert ours.rating == pytest.approx(4.5)
    assert ours.would_hire is True
    assert (ours.offer_pk, ours.offer_status, ours.offer_status_label) == (
        offer.pk,
        S.ACCEPTED,
        "Accepted",
    )
    assert ours.last_project_title in (first.project.title, second.project.title)
    newcomer = pool[newcomer_engagement.student_id]
    assert newcomer.projects_done == 1
    assert newcomer.rating is None and newcomer.would_hire is False
    assert newcomer.offer_pk is None and newcomer.offer_status_label == ""


def test_talent_pool_is_one_query_whatever_its_size(supervisor, organization):
    for _ in range(3):
        engagement = completed_engagement(supervisor=supervisor)
        give_feedback(engagement, rating=3, would_hire=True)
        extend_offer(engagement)
    with CaptureQueriesContext(connection) as queries:
        rows = list(talent_pool_for(organization=organization))
        [(r.projects_done, r.rating, r.would_hire, r.offer_status_label) for r in rows]
    assert len(rows) == 3
    assert len(queries) == 1


# ------------------------------------------------------------------------------
# Conversion
# ------------------------------------------------------------------------------
def test_an_accepted_offer_citing_the_engagement_is_a_conversion(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    offer = extend_offer(engagement)
    assert engagement_converted(engagement) is False  # extended is not yet a hire
    offer_accept(offer=offer, actor=student)
    assert engagement_converted(engagement) is True


def test_an_accepted_talent_pool_offer_after_completion_is_a_conversion(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    offer_accept(offer=extend_offer(engagement, cite=False), actor=student)
    assert engagement_converted(engagement) is True


@pytest.mark.parametrize("status", [S.DECLINED, S.RESCINDED, S.EXPIRED])
def test_an_offer_not_accepted_is_no_conversion(status):
    offer = offer_in_status(status)
    assert engagement_converted(offer.engagement) is False


def test_another_organizations_hire_is_not_our_conversion(student, supervisor, other_employer):
    ours = completed_engagement(student=student, supervisor=supervisor)
    theirs = completed_engagement(student=student, supervisor=other_employer)
    offer_accept(offer=extend_offer(theirs), actor=student)
    assert engagement_converted(ours) is False
    assert engagement_converted(theirs) is True


def test_an_offer_made_before_the_engagement_completed_does_not_count(student, supervisor):
    earlier = completed_engagement(student=student, supervisor=supervisor)
    offer = extend_offer(earlier, cite=False)
    offer_accept(offer=offer, actor=student)
    later = completed_engagement(student=student, supervisor=supervisor)
    Engagement.objects.filter(pk=later.pk).update(
        completed_at=offer.created_at + dt.timedelta(days=1)
    )
    assert engagement_converted(later) is False
    assert engagement_converted(earlier) is True


def test_conversion_annotates_a_list_in_one_query(student, supervisor):
    converted = completed_engagement(student=student, supervisor=supervisor)
    offer_accept(offer=extend_offer(converted), actor=student)
    plain = completed_engagement(supervisor=supervisor)
    with CaptureQueriesContext(connection) as queries:
        flags = dict(
            Engagement.objects.filter(pk__in=[converted.pk, plain.pk])
            .annotate(converted=conversion_exists())
            .values_list("pk", "converted")
        )
    assert flags == {converted.pk: True, plain.pk: False}
    assert len(queries) == 1
