"""The offer services: who may do each move, every legal and illegal transition, the
talent-pool rule, one open offer per organization and student, deadlines, and the beat
tasks run twice."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Notification
from core.exceptions import InvalidTransition
from matching.exceptions import NotAllowed
from matching.models import Engagement, Offer, OfferEvent
from matching.services.offers import (
    OfferAlreadyOpen,
    OfferError,
    offer_accept,
    offer_decline,
    offer_expire,
    offer_extend,
    offer_rescind,
    offers_expire_overdue,
    offers_remind_expiring,
)
from matching.tasks import expire_overdue_offers, remind_expiring_offers
from tests.accounts.factories import MembershipFactory, StudentFactory
from tests.matching.engagement_helpers import (  # noqa: F401
    engagement_in_status,
)
from tests.matching.offers_helpers import (
    completed_engagement,
    extend_offer,
    make_overdue,
    offer_in_status,
    offer_terms,
)

pytestmark = pytest.mark.django_db
S = Offer.Status
TODAY = timezone.localdate


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# ------------------------------------------------------------------------------
# Extending
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("actor_name", ["supervisor", "employer"])
def test_a_member_extends_an_offer_citing_the_engagement(request, engagement, student, actor_name):
    actor = request.getfixturevalue(actor_name)
    offer = extend_offer(engagement, actor=actor)
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED
    assert offer.engagement_id == engagement.pk
    assert offer.created_by == actor
    assert offer.organization == engagement.project.organization
    event = OfferEvent.objects.get(offer=offer)
    assert (event.from_status, event.to_status, event.actor) == ("", S.EXTENDED, actor)
    note = Notification.objects.get(recipient=student, kind="offer_extended")
    assert offer.title in note.text and note.link == offer.get_absolute_url()


def test_an_offer_from_the_talent_pool_needs_no_engagement(engagement, employer):
    offer = extend_offer(engagement, actor=employer, cite=False)
    assert offer.engagement is None and offer.status == S.EXTENDED


@pytest.mark.parametrize("actor_name", ["other_employer", "student", "career_officer"])
def test_only_members_extend(request, engagement, actor_name):
    actor = request.getfixturevalue(actor_name)
    with pytest.raises(NotAllowed):
        extend_offer(engagement, actor=actor)
    assert not Offer.objects.exists()


def test_a_student_outside_the_talent_pool_gets_no_offer(employer, organization):
    stranger = StudentFactory()
    with pytest.raises(OfferError, match="completed work for your organization"):
        offer_extend(organization=organization, actor=employer, student=stranger, **offer_terms())
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    "engagement_status", [Engagement.Status.ACTIVE, Engagement.Status.SUBMITTED]
)
def test_an_unfinished_engagement_does_not_qualify(student, supervisor, engagement_status):
    engagement = engagement_in_status(engagement_status, student=student, supervisor=supervisor)
    with pytest.raises(OfferError):
        extend_offer(engagement, actor=supervisor)
    with pytest.raises(OfferError):
        extend_offer(engagement, actor=supervisor, cite=False)
    assert not Offer.objects.exists()


def test_the_cited_engagement_must_be_ours_and_the_students(engagement, employer, other_employer):
    theirs = completed_engagement(supervisor=other_employer)
    # Another organization's engagement, cited by us.
    with pytest.raises(OfferError) as excinfo:
        offer_extend(
            organization=engagement.project.organization,
            actor=employer,
            student=engagement.student,
            engagement=theirs,
            **offer_terms(),
        )
    assert excinfo.value.field == "engagement"
    # Our engagement, but cited for another student.
    other = completed_engagement(supervisor=employer)
    with pytest.raises(OfferError):
        offer_extend(
            organization=engagement.project.organization,
            actor=employer,
            student=other.student,
            engagement=engagement,
            **offer_terms(),
        )
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"response_deadline": dt.date.today() - dt.timedelta(days=1)}, "response_deadline"),
        ({"response_deadline": "today"}, "response_deadline"),
        ({"response_deadline": "far"}, "response_deadline"),
        ({"start_date": "today"}, "start_date"),
        ({"start_date": dt.date(2000, 1, 1)}, "start_date"),
        ({"pay_amount": 0}, "pay_amount"),
        ({"pay_amount": -5}, "pay_amount"),
        ({"pay_amount": 10**12}, "pay_amount"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 141}, "title"),
        ({"type": "volunteer"}, "type"),
        ({"pay_period": "weekly"}, "pay_period"),
        ({"currency": "XYZ"}, "currency"),
        ({"location": "", "is_remote": False}, "location"),
        ({"message": "x" * 4001}, "message"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_stored(engagement, employer, overrides, field):
    values = dict(overrides)
    if values.get("response_deadline") == "today":
        values["response_deadline"] = TODAY()
    if values.get("response_deadline") == "far":
        values["response_deadline"] = TODAY() + dt.timedelta(days=365)
    if values.get("start_date") == "today":
        values["start_date"] = TODAY()
    with pytest.raises(OfferError) as excinfo:
        extend_offer(engagement, actor=employer, **values)
    assert excinfo.value.field == field
    assert not Offer.objects.exists()
    assert not Notification.objects.filter(kind="offer_extended").exists()


def test_a_remote_offer_needs_no_location(engagement, employer):
    offer = extend_offer(engagement, actor=employer, location="", is_remote=True)
    assert offer.is_remote and offer.location == ""


def test_one_open_offer_per_student_and_organization(engagement, employer, supervisor):
    first = extend_offer(engagement, actor=supervisor)
    with pytest.raises(OfferAlreadyOpen, match="already has an open offer"):
        extend_offer(engagement, actor=employer, title="Another role")
    assert Offer.objects.count() == 1
    # Once answered, a new offer may follow.
    offer_decline(offer=first, actor=engagement.student)
    second = extend_offer(engagement, actor=employer, title="A better role")
    assert second.status == S.EXTENDED and Offer.objects.count() == 2


def test_another_organization_may_make_an_offer_at_the_same_time(
    engagement, student, employer, other_employer
):
    extend_offer(engagement, actor=employer)
    theirs = completed_engagement(student=student, supervisor=other_employer)
    offer = extend_offer(theirs, actor=other_employer)
    assert offer.status == S.EXTENDED
    assert Offer.objects.filter(student=student, status=S.EXTENDED).count() == 2


# ------------------------------------------------------------------------------
# Answering
# ------------------------------------------------------------------------------
def test_the_student_accepts(engagement, student, employer, supervisor):
    offer = extend_offer(engagement, actor=supervisor)
    offer_accept(offer=offer, actor=student)
    offer.refresh_from_db()
    assert offer.status == S.ACCEPTED and offer.responded_at is not None
    event = OfferEvent.objects.filter(offer=offer).last()
    assert (event.from_status, event.to_status, event.actor) == (S.EXTENDED, S.ACCEPTED, student)
    # The member who extended it and the owner both hear.
    assert "offer_accepted" in kinds(supervisor)
    assert "offer_accepted" in kinds(employer)


def test_the_student_declines_with_a_reason(engagement, student, employer):
    offer = extend_offer(engagement, actor=employer)
    offer_decline(offer=offer, actor=student, reason="I am going to graduate school.")
    offer.refresh_from_db()
    assert offer.status == S.DECLINED and offer.responded_at is not None
    assert OfferEvent.objects.filter(offer=offer).last().note == "I am going to graduate school."
    note = Notification.objects.get(recipient=employer, kind="offer_declined")
    assert "graduate school" in note.text


@pytest.mark.parametrize("service", [offer_accept, offer_decline])
@pytest.mark.parametrize(
    "actor_name", ["other_student", "employer", "supervisor", "other_employer"]
)
def test_only_the_student_answers(request, engagement, service, actor_name):
    actor = (
        StudentFactory() if actor_name == "other_student" else request.getfixturevalue(actor_name)
    )
    offer = extend_offer(engagement)
    with pytest.raises(NotAllowed):
        service(offer=offer, actor=actor)
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED


@pytest.mark.parametrize("service", [offer_accept, offer_decline])
def test_no_answer_after_the_deadline(engagement, student, service):
    offer = make_overdue(extend_offer(engagement))
    with pytest.raises(OfferError, match="deadline"):
        service(offer=offer, actor=student)
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED


def test_the_deadline_day_itself_still_counts(engagement, student):
    offer = make_overdue(extend_offer(engagement), days=0)
    assert offer.response_deadline == TODAY()
    offer_accept(offer=offer, actor=student)
    offer.refresh_from_db()
    assert offer.status == S.ACCEPTED


@pytest.mark.parametrize("from_status", [S.ACCEPTED, S.DECLINED, S.RESCINDED, S.EXPIRED])
@pytest.mark.parametrize("service", [offer_accept, offer_decline])
def test_answering_is_illegal_once_decided(from_status, service):
    offer = offer_in_status(from_status)
    events = OfferEvent.objects.filter(offer=offer).count()
    with pytest.raises(InvalidTransition):
        service(offer=offer, actor=offer.student)
    offer.refresh_from_db()
    assert offer.status == from_status
    assert OfferEvent.objects.filter(offer=offer).count() == events


# ------------------------------------------------------------------------------
# Rescinding
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("actor_name", ["employer", "supervisor"])
def test_a_member_rescinds_an_open_offer_with_a_reason(request, engagement, student, actor_name):
    actor = request.getfixturevalue(actor_name)
    offer = extend_offer(engagement)
    offer_rescind(offer=offer, actor=actor, reason="  Budget frozen.  ")
    offer.refresh_from_db()
    assert offer.status == S.RESCINDED and offer.rescind_reason == "Budget frozen."
    event = OfferEvent.objects.filter(offer=offer).last()
    assert (event.to_status, event.note, event.actor) == (S.RESCINDED, "Budget frozen.", actor)
    note = Notification.objects.get(recipient=student, kind="offer_rescinded")
    assert "Budget frozen." in note.text


@pytest.mark.parametrize("from_status", [S.EXTENDED, S.ACCEPTED])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rescinding_needs_a_reason(from_status, reason):
    offer = offer_in_status(from_status)
    with pytest.raises(OfferError, match="reason") as excinfo:
        offer_rescind(offer=offer, actor=offer.created_by, reason=reason)
    assert excinfo.value.field == "reason"
    offer.refresh_from_db()
    assert offer.status == from_status
    assert not Notification.objects.filter(kind="offer_rescinded").exists()


def test_rescinding_an_accepted_offer_tells_the_student_explicitly(engagement, student, employer):
    offer = offer_in_status(S.ACCEPTED, engagement=engagement)
    offer_rescind(offer=offer, actor=employer, reason="The team was dissolved.")
    offer.refresh_from_db()
    assert offer.status == S.RESCINDED
    note = Notification.objects.get(recipient=student, kind="offer_rescinded")
    assert "you accepted" in note.text and "The team was dissolved." in note.text
    # The member who extended it hears about a colleague's rescind too.
    assert "offer_rescinded" in kinds(engagement.supervisor)


@pytest.mark.parametrize("actor_name", ["student", "other_employer", "career_officer"])
def test_only_members_rescind(request, engagement, actor_name):
    actor = request.getfixturevalue(actor_name)
    offer = extend_offer(engagement)
    with pytest.raises(NotAllowed):
        offer_rescind(offer=offer, actor=actor, reason="No.")
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED


@pytest.mark.parametrize("from_status", [S.DECLINED, S.RESCINDED, S.EXPIRED])
def test_rescinding_a_closed_offer_is_illegal(from_status):
    offer = offer_in_status(from_status)
    with pytest.raises(InvalidTransition):
        offer_rescind(offer=offer, actor=offer.created_by, reason="Too late.")
    offer.refresh_from_db()
    assert offer.status == from_status


def test_a_former_member_can_no_longer_rescind(engagement, organization):
    colleague = MembershipFactory(organization=organization).user
    offer = extend_offer(engagement, actor=colleague)
    colleague.membership.delete()
    colleague.refresh_from_db()
    with pytest.raises(NotAllowed):
        offer_rescind(offer=offer, actor=colleague, reason="Leaving.")


# ------------------------------------------------------------------------------
# Deadlines: expiry and reminders (the beat tasks)
# ------------------------------------------------------------------------------
def test_expiry_runs_twice_and_expires_once(engagement, student, employer, supervisor):
    offer = make_overdue(extend_offer(engagement, actor=supervisor))
    assert expire_overdue_offers.delay().get() == 1
    assert expire_overdue_offers.delay().get() == 0
    offer.refresh_from_db()
    assert offer.status == S.EXPIRED
    assert OfferEvent.objects.filter(offer=offer, to_status=S.EXPIRED).count() == 1
    assert OfferEvent.objects.filter(offer=offer, to_status=S.EXPIRED).get().actor is None
    assert kinds(student).count("offer_expired") == 1
    assert kinds(employer).count("offer_expired") == 1
    assert kinds(supervisor).count("offer_expired") == 1


def test_expiry_leaves_open_and_answered_offers_alone(student, supervisor, other_employer):
    open_offer = extend_offer(completed_engagement(student=student, supervisor=supervisor))
    accepted = offer_in_status(S.ACCEPTED, supervisor=other_employer)
    make_overdue(accepted)
    assert offers_expire_overdue() == 0
    open_offer.refresh_from_db()
    accepted.refresh_from_db()
    assert (open_offer.status, accepted.status) == (S.EXTENDED, S.ACCEPTED)


def test_an_offer_is_not_expired_before_its_deadline(engagement):
    offer = extend_offer(engagement)
    with pytest.raises(OfferError):
        offer_expire(offer=offer)
    offer.refresh_from_db()
    assert offer.status == S.EXTENDED


def test_expiry_of_an_offer_answered_meanwhile_is_illegal(engagement, student):
    offer = make_overdue(extend_offer(engagement), days=0)
    offer_accept(offer=offer, actor=student)
    with pytest.raises(InvalidTransition):
        offer_expire(offer=offer, today=TODAY() + dt.timedelta(days=1))


@pytest.mark.parametrize(("days_left", "reminded"), [(0, True), (1, True), (2, True), (3, False)])
def test_reminders_for_offers_due_within_two_days(engagement, student, days_left, reminded):
    offer = extend_offer(engagement, response_deadline=TODAY() + dt.timedelta(days=10))
    today = offer.response_deadline - dt.timedelta(days=days_left)
    assert offers_remind_expiring(today=today) == (1 if reminded else 0)
    assert kinds(student).count("offer_expiring") == (1 if reminded else 0)


def test_a_reminder_is_sent_once(engagement, student):
    extend_offer(engagement, response_deadline=TODAY() + dt.timedelta(days=2))
    assert remind_expiring_offers.delay().get() == 1
    assert remind_expiring_offers.delay().get() == 0
    assert offers_remind_expiring(today=TODAY() + dt.timedelta(days=1)) == 0
    assert kinds(student).count("offer_expiring") == 1


def test_no_reminder_for_answered_or_overdue_offers(student, supervisor, other_employer):
    offer_in_status(S.DECLINED, student=student, supervisor=supervisor)
    make_overdue(extend_offer(completed_engagement(student=student, supervisor=other_employer)))
    assert offers_remind_expiring() == 0
    assert "offer_expiring" not in kinds(student)
