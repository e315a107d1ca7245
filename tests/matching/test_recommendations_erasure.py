"""Recommendations when the student they are about deletes their account:
``recommendations_erase_for_student`` revokes current letters (with an audit row),
erases every letter's text and the student's request notes, drops attachments, and the
public verification answers "no longer valid" without the letter or its people."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import User
from matching.models import Recommendation, RecommendationAttachment, RecommendationRequest
from matching.selectors.recommendations import recommendation_is_erased, recommendation_verify
from matching.services.recommendations import (
    ERASED_REASON,
    recommendation_attachments_set,
    recommendations_erase_for_student,
)
from tests.matching.factories import submitted_application
from tests.matching.offers_helpers import completed_engagement
from tests.matching.recommendation_helpers import (
    LETTER,
    ask,
    recommendation_in_status,
    request_in_status,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

Status = Recommendation.Status
NOTE = "Could you mention the survey I designed?"


def erase(student: User) -> dict[str, int]:
    with transaction.atomic():
        return recommendations_erase_for_student(student=student)


@pytest.mark.parametrize("waived", [False, True])
def test_a_current_letter_is_revoked_and_erased(student, waived):
    rec = recommendation_in_status(Status.ISSUED, waived=waived, student=student)
    assert recommendation_verify(verification_id=rec.verification_id).valid

    counts = erase(student)

    assert counts == {
        "recommendations_revoked": 1,
        "recommendations_erased": 1,
        "recommendation_attachments_deleted": 0,
    }
    rec.refresh_from_db()
    assert rec.status == Status.REVOKED and rec.revoked_at and rec.revoke_reason == ERASED_REASON
    assert (rec.relationship, rec.known_for, rec.work_done, rec.results, rec.letter) == (("",) * 5)
    assert rec.strengths == [] and rec.show_on_record is False
    event = rec.events.order_by("-pk").first()
    assert (event.from_status, event.to_status, event.actor_id) == ("issued", "revoked", student.pk)
    # Who wrote it, for whom and when stay: the author's and the organization's record.
    assert rec.author_id and rec.organization_id and rec.issued_at and rec.signature
    assert recommendation_is_erased(rec)

    result = recommendation_verify(verification_id=rec.verification_id)
    assert (result.valid, result.genuine, result.current) == (False, False, False)
    assert "no longer valid" in result.reason and result.recommendation is None
    assert result.as_dict() == {
        "valid": False,
        "genuine": False,
        "current": False,
        "reason": result.reason,
    }


def test_a_letter_its_author_revoked_keeps_their_reason_and_loses_its_text(student):
    rec = recommendation_in_status(Status.REVOKED, student=student)
    before = recommendation_verify(verification_id=rec.verification_id)
    assert before.genuine and "withdrawn" in before.reason
    assert not recommendation_is_erased(rec)

    counts = erase(student)

    assert counts["recommendations_revoked"] == 0 and counts["recommendations_erased"] == 1
    rec.refresh_from_db()
    assert rec.letter == "" and rec.revoke_reason == "Changed my mind"
    assert rec.events.count() == 2  # issued, revoked by its author: no new row
    assert "no longer valid" in recommendation_verify(verification_id=rec.verification_id).reason


def test_attachments_and_the_students_notes_go_the_authors_answers_stay(student):
    rec = recommendation_in_status(Status.ISSUED, student=student)
    application = submitted_application(project=open_project(), student=student)
    recommendation_attachments_set(application=application, actor=student, recommendations=[rec])
    engagement = completed_engagement(student=student)
    declined = request_in_status(RecommendationRequest.Status.DECLINED, engagement)
    pending = ask(completed_engagement(student=student), note=NOTE)
    RecommendationRequest.objects.filter(pk=declined.pk).update(note=NOTE)

    counts = erase(student)

    assert counts["recommendation_attachments_deleted"] == 1
    assert not RecommendationAttachment.objects.filter(application=application).exists()
    declined.refresh_from_db()
    pending.refresh_from_db()
    assert declined.note == pending.note == ""
    assert declined.decline_message  # the recommender's own answer, the organization's
    # Pending requests are withdrawn by the caller through the service beforehand.
    assert pending.status == RecommendationRequest.Status.PENDING


def test_another_students_letters_are_untouched(student, other_student):
    theirs = recommendation_in_status(Status.ISSUED, student=other_student)
    mine = recommendation_in_status(Status.ISSUED, student=student)
    erase(student)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.status == Status.ISSUED and theirs.letter == LETTER
    assert recommendation_verify(verification_id=theirs.verification_id).valid
    assert mine.status == Status.REVOKED
