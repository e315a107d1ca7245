import pytest
from django.db import IntegrityError, transaction

from core.statemachine import transition_table_pairs
from projects.models import Project

Status = Project.Status

LEGAL = {
    (Status.DRAFT, Status.PENDING_REVIEW),
    (Status.DRAFT, Status.OPEN),
    (Status.DRAFT, Status.CANCELLED),
    (Status.PENDING_REVIEW, Status.OPEN),
    (Status.PENDING_REVIEW, Status.DRAFT),
    (Status.PENDING_REVIEW, Status.CANCELLED),
    (Status.OPEN, Status.CLOSED),
    (Status.OPEN, Status.CANCELLED),
    (Status.CLOSED, Status.COMPLETED),
    (Status.CLOSED, Status.CANCELLED),
}


@pytest.mark.parametrize(
    ("from_status", "to_status", "legal"), list(transition_table_pairs(Project))
)
def test_transition_table(from_status, to_status, legal):
    assert Project.can_transition(from_status, to_status) is legal
    assert legal is ((from_status, to_status) in LEGAL)


def test_every_status_has_a_row_in_the_table():
    assert set(Project.TRANSITIONS) == set(Status.values)


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.CANCELLED])
def test_final_statuses(status):
    project = Project(status=status)
    assert project.is_final
    assert project.available_statuses() == frozenset()


def test_available_statuses_of_a_draft():
    assert Project(status=Status.DRAFT).available_statuses() == {
        Status.PENDING_REVIEW,
        Status.OPEN,
        Status.CANCELLED,
    }


@pytest.mark.parametrize(("hours", "minimum"), [(5, 100), (12, 240), (40, 800)])
def test_minimum_fee(hours, minimum, settings):
    settings.PAY_FLOOR_PER_HOUR = 20
    assert Project.minimum_fee_for(hours) == minimum


def test_pay_floor_message():
    assert (
        Project.pay_floor_message(12, "USD")
        == "At 12 hours the fee must be at least 240 USD (20 per hour)."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [{"estimated_hours": 4}, {"estimated_hours": 41}, {"slots": 0}, {"fee": 0}],
)
def test_database_constraints(overrides, settings):
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory()
    for name, value in overrides.items():
        setattr(project, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()
