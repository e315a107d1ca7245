"""The application's transition table and constraints."""

import pytest
from django.db import IntegrityError

from core.statemachine import transition_table_pairs
from matching.models import Application

Status = Application.Status

LEGAL = {
    (Status.SUBMITTED, Status.SHORTLISTED),
    (Status.SUBMITTED, Status.ACCEPTED),
    (Status.SUBMITTED, Status.REJECTED),
    (Status.SUBMITTED, Status.WITHDRAWN),
    (Status.SUBMITTED, Status.EXPIRED),
    (Status.SHORTLISTED, Status.ACCEPTED),
    (Status.SHORTLISTED, Status.REJECTED),
    (Status.SHORTLISTED, Status.WITHDRAWN),
    (Status.SHORTLISTED, Status.EXPIRED),
}


@pytest.mark.parametrize(
    ("from_status", "to_status", "legal"), list(transition_table_pairs(Application))
)
def test_transition_table(from_status, to_status, legal):
    assert Application.can_transition(from_status, to_status) is legal
    assert legal is ((from_status, to_status) in LEGAL)


def test_final_statuses_go_nowhere():
    for status in (Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN, Status.EXPIRED):
        assert Application.TRANSITIONS[status] == frozenset()
        assert status not in Application.UNDECIDED


def test_undecided_property():
    assert Application(status=Status.SUBMITTED).is_undecided
    assert Application(status=Status.SHORTLISTED).is_undecided
    assert not Application(status=Status.ACCEPTED).is_undecided


@pytest.mark.django_db
def test_one_application_per_project_constraint():
    from tests.matching.factories import submitted_application

    application = submitted_application()
    with pytest.raises(IntegrityError):
        Application.objects.create(
            project=application.project, student=application.student, cover_note="again"
        )
