"""The one transition mechanism: row lock, table check, audit row, clear refusal."""

import pytest
from django.db import transaction

from core.exceptions import InvalidTransition
from core.statemachine import transition, transition_table_pairs
from projects.models import Project
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_legal_move_saves_the_status_and_writes_one_audit_row(employer):
    project = ProjectFactory(organization=employer.membership.organization)
    with transaction.atomic():
        transition(project, to_status=Project.Status.CANCELLED, actor=employer, note="why")
    project.refresh_from_db()
    assert project.status == Project.Status.CANCELLED
    change = project.status_changes.get(to_status=Project.Status.CANCELLED)
    assert (change.from_status, change.actor, change.note) == ("draft", employer, "why")


def test_an_illegal_move_is_refused_with_a_message_and_changes_nothing(employer):
    project = ProjectFactory(organization=employer.membership.organization)
    before = project.status_changes.count()
    with pytest.raises(InvalidTransition) as refused, transaction.atomic():
        transition(project, to_status=Project.Status.COMPLETED, actor=employer)
    assert str(refused.value) == "This project is draft and cannot become completed."
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
    assert project.status_changes.count() == before


@pytest.mark.django_db(transaction=True)
def test_transition_refuses_to_run_outside_a_transaction(employer):
    project = ProjectFactory(organization=employer.membership.organization)
    with pytest.raises(RuntimeError, match="inside the calling service's transaction"):
        transition(project, to_status=Project.Status.CANCELLED, actor=employer)


def test_table_pairs_cover_every_ordered_pair_once():
    statuses = [value for value, _ in Project.Status.choices]
    pairs = list(transition_table_pairs(Project))
    assert len(pairs) == len(statuses) * (len(statuses) - 1)
    legal = {(a, b) for a, b, ok in pairs if ok}
    assert ("draft", "open") in legal and ("open", "draft") not in legal
