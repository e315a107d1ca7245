"""The recommendation services: who may ask whom and when, writing (signed, validated),
declining kindly, withdrawing, revoking, the student's visibility and attachment
choices, and the beat tasks (expiry and nudges), each safe to run twice."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from matching.exceptions import NotAllowed
from matching.models import (
    Engagement,
    Recommendation,
    RecommendationAttachment,
    RecommendationEvent,
    RecommendationRequest,
)
from matching.selectors.recommendations import (
    recommendation_sign,
    recommendation_verify,
    recommenders_for,
    verification_code,
)
from matching.services.engagements import engagement_post_message
from matching.services.recommendations import (
    DECLINE_DEFAULT,
    RecommendationError,
    recommendation_attachments_set,
    recommendation_request_create,
    recommendation_request_decline,
    recommendation_request_withdraw,
    recommendation_requests_expire_overdue,
    recommendation_requests_remind,
    recommendation_revoke,
    recommendation_set_visibility,
)
from matching.tasks import expire_recommendation_requests, remind_recommendation_requests
from tests.accounts.factories import MembershipFactory
from tests.matching.engagement_helpers import engagement_in_status
from tests.matching.factories import ready_student, submitted_application
from tests.matching.recommendation_helpers import (
    ask,
    make_overdue,
    recommendation_in_status,
    request_in_status,
    write,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db
RS = RecommendationRequest.Status
S = Recommendation.Status


def kinds(recipient) -> list[str]:
    return list(
        Notification.objects.filter(recipient=recipient)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# ------------------------------------------------------------------------------
# Asking
# ------------------------------------------------------------------------------
def test_the_student_asks_the_supervisor_who_is_told(
    engagement, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(engagement, note="For my grad-school application", waived=True)
    assert request.status == RS.PENDING
    assert request.waived and request.note == "For my grad-school application"
    assert request.organization == engagement.project.organization
    assert timezone.now() + dt.timedelta(days=20) < request.expires_at
    event = request.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", RS.PENDING, engagement.student)
    notice = Notification.objects.get(
        recipient=engagement.supervisor, kind="recommendation_requested"
    )
    assert notice.link == request.get_absolute_url()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "status", [Engagement.Status.ACTIVE, Engagement.Status.SUBMITTED, Engagement.Status.CANCELLED]
)
def test_only_after_completion(status, student, supervisor):
    engagement = engagement_in_status(status, student=student, supervisor=supervisor)
    with pytest.raises(RecommendationError, match="once the engagement is completed"):
        ask(engagement)
    assert not RecommendationRequest.objects.exists()


def test_only_the_engagements_student_asks(engagement, other_student, supervisor):
    with pytest.raises(NotAllowed):
        recommendation_request_create(
            engagement=engagement, actor=other_student, recommender=supervisor, waived=False
        )
    with pytest.raises(NotAllowed):
        recommendation_request_create(
            engagement=engagement, actor=supervisor, recommender=supervisor, waived=False
        )
    assert not RecommendationRequest.objects.exists()


def test_a_member_who_worked_with_them_may_be_asked_others_not(
    engagement, organization, employer, other_employer
):
    bystander = MembershipFactory(organization=organization, user__email="by@acme.example.com").user
    assert set(recommenders_for(engagement=engagement)) == {engagement.supervisor}
    # The owner worked with the student once they wrote in the engagement's thread.
    engagement_post_message(engagement=engagement, actor=employer, body="Nice work on the draft.")
    assert set(recommenders_for(engagement=engagement)) == {engagement.supervisor, employer}
    ask(engagement, recommender=employer)
    for stranger in (bystander, other_employer, engagement.student):
        with pytest.raises(RecommendationError, match="worked with you"):
            ask(engagement, recommender=stranger)


def test_a_member_who_left_can_no_longer_be_asked(engagement):
    engagement.supervisor.membership.delete()
    assert not recommenders_for(engagement=engagement).exists()
    with pytest.raises(RecommendationError):
        ask(engagement)


@pytest.mark.parametrize("status", [RS.PENDING, RS.WRITTEN, RS.DECLINED])
def test_one_live_request_per_person(status, engagement):
    request_in_status(status, engagement)
    with pytest.raises(RecommendationError, match="already asked"):
        ask(engagement)
    assert RecommendationRequest.objects.count() == 1


@pytest.mark.parametrize("status", [RS.WITHDRAWN, RS.EXPIRED])
def test_asking_again_after_withdrawal_or_expiry(status, engagement):
    request_in_status(status, engagement)
    assert ask(engagement).status == RS.PENDING


def test_the_note_has_a_limit(engagement):
    with pytest.raises(RecommendationError) as info:
        ask(engagement, note="x" * (RecommendationRequest.NOTE_MAX + 1))
    assert info.value.field == "note"


# ------------------------------------------------------------------------------
# Writing, declining, withdrawing
# ------------------------------------------------------------------------------
def test_writing_issues_a_signed_recommendation_and_tells_the_student(engagement):
    request = ask(engagement)
    recommendation = write(request)
    request.refresh_from_db()
    assert request.status == RS.WRITTEN and request.answered_at is not None
    assert recommendation.status == S.ISSUED
    assert recommendation.author == engagement.supervisor
    assert recommendation.organization == engagement.project.organization
    assert recommendation.engagement == engagement and not recommendation.waived
    assert len(recommendation.strengths) == 2
    assert recommendation.signature == recommendation_sign(recommendation)
    assert RecommendationEvent.objects.get(recommendation=recommendation).to_status == S.ISSUED
    assert [e.to_status for e in request.events.all()] == [RS.PENDING, RS.WRITTEN]
    notice = Notification.objects.get(recipient=engagement.student, kind="recommendation_written")
    assert "choose whether it shows" in notice.text


def test_a_waived_letter_notice_says_so(engagement):
    recommendation = write(ask(engagement, waived=True))
    assert recommendation.waived
    notice = Notification.objects.get(recipient=engagement.student, kind="recommendation_written")
    assert "waived your right to read" in notice.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"relationship": "  "}, "relationship"),
        ({"known_for": ""}, "known_for"),
        ({"work_done": ""}, "work_done"),
        ({"results": ""}, "results"),
        ({"letter": ""}, "letter"),
        ({"letter": "x" * (Recommendation.LETTER_MAX + 1)}, "letter"),
        ({"strengths": [{"strength": "Rigour", "example": "Checked twice"}]}, "strengths"),
        ({"strengths": [{"strength": "A", "example": "a"}] * 4}, "strengths"),
        (
            {"strengths": [{"strength": "A", "example": ""}, {"strength": "B", "example": "b"}]},
            "strengths",
        ),
    ],
)
def test_bad_letters_store_nothing(engagement, overrides, field):
    request = ask(engagement)
    with pytest.raises(RecommendationError) as info:
        write(request, **overrides)
    assert info.value.field == field
    request.refresh_from_db()
    assert request.status == RS.PENDING
    assert not Recommendation.objects.exists()


def test_only_the_member_asked_writes_or_declines(engagement, employer, other_employer):
    request = ask(engagement)
    for stranger in (employer, other_employer, engagement.student):
        with pytest.raises(NotAllowed):
            write(request, actor=stranger)
        with pytest.raises(NotAllowed):
            recommendation_request_decline(request=request, actor=stranger)
    request.refresh_from_db()
    assert request.status == RS.PENDING


def test_a_member_who_left_cannot_answer(engagement):
    request = ask(engagement)
    engagement.supervisor.membership.delete()
    with pytest.raises(NotAllowed, match="no longer a member"):
        write(request)


def test_an_expired_request_cannot_be_answered(engagement):
    request = make_overdue(ask(engagement))
    with pytest.raises(RecommendationError, match="expired"):
        write(request)
    with pytest.raises(RecommendationError, match="expired"):
        recommendation_request_decline(request=request, actor=request.recommender)


def test_declining_kindly_by_default(engagement):
    request = ask(engagement)
    recommendation_request_decline(request=request, actor=request.recommender)
    request.refresh_from_db()
    assert request.status == RS.DECLINED
    assert request.decline_message == DECLINE_DEFAULT
    notice = Notification.objects.get(recipient=engagement.student, kind="recommendation_declined")
    assert DECLINE_DEFAULT[:40] in notice.text


def test_declining_with_ones_own_words(engagement):
    request = ask(engagement)
    recommendation_request_decline(
        request=request, actor=request.recommender, message="I only knew you for a week."
    )
    request.refresh_from_db()
    assert request.decline_message == "I only knew you for a week."


def test_answered_requests_cannot_be_answered_again(engagement):
    request = request_in_status(RS.WRITTEN, engagement)
    with pytest.raises(Exception, match="cannot become declined"):
        recommendation_request_decline(request=request, actor=request.recommender)
    with pytest.raises(Exception, match="cannot become written"):
        write(request)
    assert Recommendation.objects.count() == 1


def test_withdraw_by_the_student_only(engagement, other_student):
    request = ask(engagement)
    with pytest.raises(NotAllowed):
        recommendation_request_withdraw(request=request, actor=other_student)
    with pytest.raises(NotAllowed):
        recommendation_request_withdraw(request=request, actor=request.recommender)
    recommendation_request_withdraw(request=request, actor=engagement.student)
    request.refresh_from_db()
    assert request.status == RS.WITHDRAWN
    assert "recommendation_request_withdrawn" in kinds(request.recommender)


# ------------------------------------------------------------------------------
# After it is written
# ------------------------------------------------------------------------------
def test_revoke_by_its_author_only(engagement, employer):
    recommendation = recommendation_in_status(S.ISSUED, engagement)
    recommendation_set_visibility(
        recommendation=recommendation, actor=engagement.student, show_on_record=True
    )
    for stranger in (employer, engagement.student):
        with pytest.raises(NotAllowed):
            recommendation_revoke(recommendation=recommendation, actor=stranger, reason="No")
    with pytest.raises(RecommendationError):
        recommendation_revoke(recommendation=recommendation, actor=recommendation.author, reason="")
    recommendation_revoke(
        recommendation=recommendation, actor=recommendation.author, reason="Wrote it in haste"
    )
    recommendation.refresh_from_db()
    assert recommendation.status == S.REVOKED and recommendation.revoked_at
    assert not recommendation.show_on_record
    assert recommendation.events.last().note == "Wrote it in haste"
    assert "recommendation_revoked" in kinds(engagement.student)
    assert recommendation_verify(verification_id=recommendation.verification_id).current is False


def test_the_student_shows_a_readable_letter_on_the_record(engagement, other_student):
    recommendation = recommendation_in_status(S.ISSUED, engagement)
    with pytest.raises(NotAllowed):
        recommendation_set_visibility(
            recommendation=recommendation, actor=other_student, show_on_record=True
        )
    recommendation_set_visibility(
        recommendation=recommendation, actor=engagement.student, show_on_record=True
    )
    recommendation.refresh_from_db()
    assert recommendation.show_on_record


def test_a_waived_letter_never_goes_on_the_record(engagement):
    recommendation = recommendation_in_status(S.ISSUED, engagement, waived=True)
    with pytest.raises(RecommendationError, match="waived"):
        recommendation_set_visibility(
            recommendation=recommendation, actor=engagement.student, show_on_record=True
        )
    recommendation.refresh_from_db()
    assert not recommendation.show_on_record


@pytest.fixture
def application(engagement):
    return submitted_application(project=open_project(), student=engagement.student)


def test_attach_and_detach(engagement, application, other_student):
    first = recommendation_in_status(S.ISSUED, engagement)
    owner = engagement.project.organization.memberships.get(role="owner").user
    engagement_post_message(engagement=engagement, actor=owner, body="hi")
    second = write(ask(engagement, recommender=owner, waived=True))
    assert (
        recommendation_attachments_set(
            application=application, actor=engagement.student, recommendations=[first, second]
        )
        == 2
    )
    assert set(RecommendationAttachment.objects.values_list("recommendation_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    recommendation_attachments_set(
        application=application, actor=engagement.student, recommendations=[second]
    )
    assert list(RecommendationAttachment.objects.values_list("recommendation_id", flat=True)) == [
        second.pk
    ]
    with pytest.raises(NotAllowed):
        recommendation_attachments_set(
            application=application, actor=other_student, recommendations=[]
        )


def test_only_own_current_recommendations_attach(engagement, application, other_student):
    revoked = recommendation_in_status(S.REVOKED, engagement)
    with pytest.raises(RecommendationError, match="own current"):
        recommendation_attachments_set(
            application=application, actor=engagement.student, recommendations=[revoked]
        )
    foreign = recommendation_in_status(S.ISSUED, student=other_student)
    with pytest.raises(RecommendationError, match="own current"):
        recommendation_attachments_set(
            application=application, actor=engagement.student, recommendations=[foreign]
        )
    assert not RecommendationAttachment.objects.exists()


def test_a_decided_application_keeps_its_recommendations(engagement, application):
    from matching.services.applications import application_withdraw

    recommendation = recommendation_in_status(S.ISSUED, engagement)
    application_withdraw(application=application, actor=engagement.student)
    with pytest.raises(RecommendationError, match="withdrawn"):
        recommendation_attachments_set(
            application=application, actor=engagement.student, recommendations=[recommendation]
        )


# ------------------------------------------------------------------------------
# Verification
# ------------------------------------------------------------------------------
def test_verification_genuine_current_altered_and_code(engagement):
    recommendation = recommendation_in_status(S.ISSUED, engagement)
    result = recommendation_verify(verification_id=recommendation.verification_id)
    assert result.valid and result.shows_letter
    code = verification_code(recommendation)
    assert recommendation_verify(
        verification_id=recommendation.verification_id, code=code.lower()
    ).valid
    wrong = recommendation_verify(verification_id=recommendation.verification_id, code="ABCD-0000")
    assert not wrong.genuine and "does not match" in wrong.reason
    Recommendation.objects.filter(pk=recommendation.pk).update(letter="A much better letter.")
    altered = recommendation_verify(verification_id=recommendation.verification_id)
    assert not altered.genuine and "altered" in altered.reason


def test_a_waived_verification_never_carries_the_text(engagement):
    recommendation = recommendation_in_status(S.ISSUED, engagement, waived=True)
    result = recommendation_verify(verification_id=recommendation.verification_id)
    assert result.valid and not result.shows_letter
    assert "letter" not in result.as_dict()


def test_unknown_id_is_not_valid(db):
    import uuid

    result = recommendation_verify(verification_id=uuid.uuid4())
    assert not result.valid and "No recommendation" in result.reason


# ------------------------------------------------------------------------------
# Beat: expiry and nudges
# ------------------------------------------------------------------------------
def test_expiry_runs_once_and_says_so_clearly(engagement, django_capture_on_commit_callbacks):
    request = make_overdue(ask(engagement))
    fresh = ask(
        engagement_in_status(
            Engagement.Status.COMPLETED, student=ready_student(), supervisor=engagement.supervisor
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_recommendation_requests() == 1
    assert expire_recommendation_requests() == 0
    request.refresh_from_db()
    fresh.refresh_from_db()
    assert request.status == RS.EXPIRED and fresh.status == RS.PENDING
    assert request.events.last().actor is None
    notice = Notification.objects.get(
        recipient=engagement.student, kind="recommendation_request_expired"
    )
    assert "expired" in notice.text and "ask them again" in notice.text
    assert "recommendation_request_expired" in kinds(engagement.supervisor)


def test_an_answered_request_is_not_expired(engagement):
    request = ask(engagement)
    write(request)
    make_overdue(request)
    assert recommendation_requests_expire_overdue() == 0
    request.refresh_from_db()
    assert request.status == RS.WRITTEN


def test_nudge_once_a_week_before(engagement):
    request = ask(engagement)
    assert recommendation_requests_remind() == 0  # three weeks left
    RecommendationRequest.objects.filter(pk=request.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=5)
    )
    assert remind_recommendation_requests() == 1
    assert remind_recommendation_requests() == 0
    notice = Notification.objects.get(kind="recommendation_reminder")
    assert notice.recipient == engagement.supervisor and "still waiting" in notice.text
