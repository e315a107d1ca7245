"""The network's part in deleting a student's account: ``network_erase_for_student``
(follows, the invitation setting, the notes the student wrote), and a closed account
can no longer be asked to connect, offered as someone to ask, or invited."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import User
from matching.exceptions import NotAllowed
from matching.models import Connection, Follow, NetworkPreference
from matching.selectors.network import connection_candidates_for, invitable_students_for
from matching.services.network import (
    connection_request,
    invitation_send,
    network_erase_for_student,
    network_preference_update,
    organization_follow,
)
from tests.matching.network_helpers import connection_in_status, new_project_for
from tests.matching.offers_helpers import completed_engagement

pytestmark = pytest.mark.django_db

STUDENT_NOTE = "Thank you for the four weeks."
SUPERVISOR_NOTE = "Keep in touch."


def close(user: User) -> None:
    """What the account deletion does to the row that matters here."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()


def erase(student: User) -> dict[str, int]:
    with transaction.atomic():
        return network_erase_for_student(student=student)


def test_follows_the_setting_and_the_students_own_notes_go(student, supervisor, organization):
    completed_engagement(student=student, supervisor=supervisor)
    mine = connection_request(actor=student, other=supervisor, note=STUDENT_NOTE)
    second = completed_engagement(student=student)
    theirs = connection_request(actor=second.supervisor, other=student, note=SUPERVISOR_NOTE)
    organization_follow(student=student, organization=organization)
    network_preference_update(student=student, accepts_invitations=False)

    counts = erase(student)

    assert counts == {"follows_deleted": 1, "connection_notes_erased": 1}
    assert not Follow.objects.filter(student=student).exists()
    assert not NetworkPreference.objects.filter(student=student).exists()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.note == "" and theirs.note == SUPERVISOR_NOTE
    # Statuses are the services' business, not this function's.
    assert mine.status == theirs.status == Connection.Status.PENDING


def test_another_students_network_is_untouched(student, other_student, supervisor, organization):
    completed_engagement(student=other_student, supervisor=supervisor)
    theirs = connection_request(actor=other_student, other=supervisor, note=STUDENT_NOTE)
    organization_follow(student=other_student, organization=organization)
    network_preference_update(student=other_student, accepts_invitations=False)
    assert erase(student) == {"follows_deleted": 0, "connection_notes_erased": 0}
    theirs.refresh_from_db()
    assert theirs.note == STUDENT_NOTE
    assert Follow.objects.filter(student=other_student).count() == 1
    assert NetworkPreference.objects.filter(student=other_student).exists()


def test_a_closed_account_cannot_be_asked_to_connect(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    assert [c.person.pk for c in connection_candidates_for(user=supervisor)] == [student.pk]
    close(student)
    assert connection_candidates_for(user=supervisor) == []
    with pytest.raises(NotAllowed):
        connection_request(actor=supervisor, other=student)
    assert not Connection.objects.filter(engagement=engagement).exists()


def test_a_closed_account_is_not_offered_to_its_former_supervisor_after_a_withdrawal(
    student, supervisor
):
    # A withdrawn request leaves the pair askable again: not once the student is gone.
    engagement = completed_engagement(student=student, supervisor=supervisor)
    connection_in_status(Connection.Status.WITHDRAWN, engagement)
    assert connection_candidates_for(user=supervisor)
    close(student)
    assert connection_candidates_for(user=supervisor) == []


def test_a_closed_account_cannot_be_invited(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    project = new_project_for(engagement)
    close(student)
    assert not invitable_students_for(project=project).filter(pk=student.pk).exists()
    with pytest.raises(NotAllowed):
        invitation_send(project=project, student=student, actor=supervisor)
