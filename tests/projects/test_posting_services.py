from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Notification
from accounts.services.notifications import notify
from core.exceptions import DomainError, InvalidTransition
from core.statemachine import transition, transition_table_pairs
from projects.exceptions import ProjectError, ProjectValidationError
from projects.models import Project, ProjectSkill, ProjectStatusChange
from projects.services import posting
from projects.services.posting import (
    EXPIRED_NOTE,
    project_cancel,
    project_close,
    project_complete,
    project_create,
    project_duplicate,
    project_publish,
    project_review_approve,
    project_review_return,
    project_update,
    projects_close_expired,
)
from tests.accounts.factories import MembershipFactory, SkillFactory
from tests.projects.factories import ProjectFactory, open_project, project_in_status

pytestmark = pytest.mark.django_db
Status = Project.Status


def _create_kwargs(organization, actor, **overrides):
    values = {
        "organization": organization,
        "actor": actor,
        "supervisor": actor,
        "title": "Build a churn dashboard",
        "summary": "A small dashboard of customer churn.",
        "description": "Use our anonymised data to build a dashboard.",
        "deliverables": ["Dashboard", "Short write-up"],
        "category": Project.Category.DATA,
        "estimated_hours": 12,
        "fee": 300,
        "application_deadline": timezone.now() + timedelta(days=7),
        "duration_days": 14,
        "required_skills": [SkillFactory()],
        "nice_to_have_skills": [SkillFactory()],
    }
    values.update(overrides)
    return values


# ------------------------------------------------------------------------------
# Every (from, to) pair of the table, through the one transition mechanism
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("from_status", "to_status", "legal"), list(transition_table_pairs(Project))
)
def test_transition_pair(from_status, to_status, legal, staff_user):
    project = project_in_status(from_status)
    rows_before = project.status_changes.count()
    if legal:
        with transaction.atomic():
            transition(project, to_status=to_status, actor=staff_user, note="test")
        project.refresh_from_db()
        assert project.status == to_status
        last = project.status_changes.last()
        assert (last.from_status, last.to_status, last.actor) == (
            from_status,
            to_status,
            staff_user,
        )
    else:
        with pytest.raises(InvalidTransition), transaction.atomic():
            transition(project, to_status=to_status, actor=staff_user)
        project.refresh_from_db()
        assert project.status == from_status
        assert project.status_changes.count() == rows_before


# ------------------------------------------------------------------------------
# Every service from every status: allowed only from its own statuses
# ------------------------------------------------------------------------------
def _publish(project, staff):
    return project_publish(project=project, actor=project.supervisor)


def _approve(project, staff):
    return project_review_approve(project=project, actor=staff)


def _return(project, staff):
    return project_review_return(project=project, actor=staff, note="Add more detail")


def _close(project, staff):
    return project_close(project=project, actor=project.supervisor)


def _cancel(project, staff):
    return project_cancel(project=project, actor=project.supervisor, reason="Budget cut")


def _complete(project, staff):
    return project_complete(project=project, actor=project.supervisor)


SERVICES = {
    "publish": (_publish, {Status.DRAFT}, Status.OPEN),
    "approve": (_approve, {Status.PENDING_REVIEW}, Status.OPEN),
    "return": (_return, {Status.PENDING_REVIEW}, Status.DRAFT),
    "close": (_close, {Status.OPEN}, Status.CLOSED),
    "cancel": (
        _cancel,
        {Status.DRAFT, Status.PENDING_REVIEW, Status.OPEN, Status.CLOSED},
        Status.CANCELLED,
    ),
    "complete": (_complete, {Status.CLOSED}, Status.COMPLETED),
}


@pytest.mark.parametrize("from_status", Status.values)
@pytest.mark.parametrize("service", SERVICES)
def test_service_from_every_status(service, from_status, staff_user):
    call, allowed, target = SERVICES[service]
    project = project_in_status(from_status)
    rows_before = project.status_changes.count()
    if from_status in allowed:
        call(project, staff_user)
        project.refresh_from_db()
        assert project.status == target
        assert project.status_changes.count() == rows_before + 1
        assert project.status_changes.last().to_status == target
    else:
        with pytest.raises(DomainError):
            call(project, staff_user)
        project.refresh_from_db()
        assert project.status == from_status
        assert project.status_changes.count() == rows_before


# ------------------------------------------------------------------------------
# Create and edit
# ------------------------------------------------------------------------------
def test_create_stores_a_draft_with_skills_and_a_history_row(employer, organization):
    required, nice = SkillFactory(), SkillFactory()
    project = project_create(
        **_create_kwargs(
            organization, employer, required_skills=[required], nice_to_have_skills=[nice]
        )
    )
    assert project.status == Status.DRAFT
    assert project.created_by == employer
    assert set(project.project_skills.values_list("skill", "is_required")) == {
        (required.pk, True),
        (nice.pk, False),
    }
    row = project.status_changes.get()
    assert (row.from_status, row.to_status, row.actor) == ("", Status.DRAFT, employer)


def test_create_refreshes_the_search_vector(employer, organization, monkeypatch):
    calls = []
    monkeypatch.setattr(
        posting, "refresh_search_vector", lambda *, project_ids: calls.append(list(project_ids))
    )
    project = project_create(**_create_kwargs(organization, employer))
    assert calls == [[project.pk]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"estimated_hours": 4, "fee": 1000}, "estimated_hours"),
        ({"estimated_hours": 41, "fee": 5000}, "estimated_hours"),
        ({"fee": 239}, "fee"),
        ({"slots": 0}, "slots"),
        ({"slots": 21}, "slots"),
        ({"deliverables": ["  ", ""]}, "deliverables"),
        ({"work_mode": Project.WorkMode.ONSITE, "location": " "}, "location"),
        ({"screening_questions": ["a", "b", "c", "d"]}, "screening_questions"),
        ({"required_skills": []}, "required_skills"),
        ({"duration_days": None}, "duration_days"),
        ({"title": "  "}, "title"),
        ({"category": "astrology"}, "category"),
    ],
)
def test_create_rejects_bad_content_and_stores_nothing(employer, organization, overrides, field):
    with pytest.raises(ProjectValidationError) as excinfo:
        project_create(**_create_kwargs(organization, employer, **overrides))
    assert excinfo.value.field == field
    assert not Project.objects.exists()
    assert not ProjectSkill.objects.exists()


def test_pay_floor_message_names_hours_minimum_and_rate(employer, organization):
    with pytest.raises(ProjectValidationError) as excinfo:
        project_create(**_create_kwargs(organization, employer, estimated_hours=12, fee=200))
    assert str(excinfo.value) == "At 12 hours the fee must be at least 240 USD (20 per hour)."


def test_pay_floor_follows_the_setting(employer, organization, settings):
    settings.PAY_FLOOR_PER_HOUR = 30
    with pytest.raises(ProjectValidationError, match="at least 360 EUR"):
        project_create(
            **_create_kwargs(organization, employer, estimated_hours=12, fee=300, currency="EUR")
        )
    project = project_create(**_create_kwargs(organization, employer, estimated_hours=12, fee=360))
    assert project.fee == 360


def test_a_skill_cannot_be_required_and_nice_to_have(employer, organization):
    skill = SkillFactory()
    with pytest.raises(ProjectValidationError, match="both required and nice"):
        project_create(
            **_create_kwargs(
                organization, employer, required_skills=[skill], nice_to_have_skills=[skill]
            )
        )


def test_supervisor_must_be_a_member(employer, organization, other_employer):
    with pytest.raises(ProjectValidationError) as excinfo:
        project_create(**_create_kwargs(organization, employer, supervisor=other_employer))
    assert excinfo.value.field == "supervisor"


def test_only_members_create(organization, other_employer):
    with pytest.raises(ProjectError, match="Only members"):
        project_create(**_create_kwargs(organization, other_employer))
    assert not Project.objects.exists()


def test_duration_is_derived_from_a_due_date(employer, organization):
    deadline = timezone.now() + timedelta(days=7)
    due = timezone.localdate(deadline) + timedelta(days=10)
    project = project_create(
        **_create_kwargs(
            organization,
            employer,
            application_deadline=deadline,
            duration_days=None,
            due_date=due,
        )
    )
    assert project.duration_days == 10
    assert project.due_date == due


def test_due_date_must_follow_the_deadline(employer, organization):
    deadline = timezone.now() + timedelta(days=7)
    with pytest.raises(ProjectValidationError) as excinfo:
        project_create(
            **_create_kwargs(
                organization,
                employer,
                application_deadline=deadline,
                due_date=timezone.localdate(deadline),
            )
        )
    assert excinfo.value.field == "due_date"


def test_update_changes_content_and_skills(organization, employer):
    project = ProjectFactory(organization=organization)
    new_skill = SkillFactory()
    project_update(
        project=project,
        actor=employer,
        title="A better title",
        fee=1000,
        required_skills=[new_skill],
        nice_to_have_skills=[],
    )
    project.refresh_from_db()
    assert project.title == "A better title"
    assert project.fee == 1000
    assert list(project.project_skills.values_list("skill", "is_required")) == [
        (new_skill.pk, True)
    ]


def test_update_keeps_skills_when_not_given(organization, employer):
    project = ProjectFactory(organization=organization)
    before = set(project.project_skills.values_list("skill", "is_required"))
    project_update(project=project, actor=employer, summary="New summary")
    assert set(project.project_skills.values_list("skill", "is_required")) == before


def test_update_rejects_bad_content_and_changes_nothing(organization, employer):
    project = ProjectFactory(organization=organization)
    with pytest.raises(ProjectValidationError):
        project_update(project=project, actor=employer, title="New", fee=1)
    project.refresh_from_db()
    assert project.title != "New"


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.DRAFT])
def test_only_drafts_are_edited(status, staff_user):
    project = project_in_status(status)
    with pytest.raises(ProjectError, match="Only drafts can be edited"):
        project_update(project=project, actor=project.supervisor, title="Changed")
    project.refresh_from_db()
    assert project.title != "Changed"


def test_update_rejects_unknown_fields(organization, employer):
    project = ProjectFactory(organization=organization)
    with pytest.raises(TypeError):
        project_update(project=project, actor=employer, status=Status.OPEN)


# ------------------------------------------------------------------------------
# Publishing and review
# ------------------------------------------------------------------------------
def test_verified_organization_publishes_straight_to_open(organization):
    project = ProjectFactory(organization=organization)
    project_publish(project=project, actor=project.supervisor)
    project.refresh_from_db()
    assert project.status == Status.OPEN
    assert project.published_at is not None
    assert project.status_changes.last().actor == project.supervisor


def test_unverified_organization_goes_to_review():
    project = ProjectFactory(verified=False)
    project_publish(project=project, actor=project.supervisor)
    project.refresh_from_db()
    assert project.status == Status.PENDING_REVIEW
    assert project.published_at is None


def test_publish_refuses_a_past_deadline(organization):
    project = ProjectFactory(organization=organization)
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(minutes=1)
    )
    project.refresh_from_db()
    with pytest.raises(ProjectValidationError, match="deadline has passed"):
        project_publish(project=project, actor=project.supervisor)
    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_publish_refuses_when_the_supervisor_left(organization, supervisor, employer):
    project = ProjectFactory(organization=organization, supervisor=supervisor)
    Membership.objects.filter(user=supervisor).delete()
    with pytest.raises(ProjectValidationError) as excinfo:
        project_publish(project=project, actor=employer)
    assert excinfo.value.field == "supervisor"
    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_publish_refuses_a_project_without_required_skills(organization, employer):
    project = ProjectFactory(organization=organization)
    ProjectSkill.objects.filter(project=project, is_required=True).delete()
    with pytest.raises(ProjectValidationError, match="required skill"):
        project_publish(project=project, actor=employer)


def test_review_approve_opens_and_notifies_supervisor_and_owners(staff_user):
    project = project_in_status(Status.PENDING_REVIEW)
    supervisor = MembershipFactory(organization=project.organization).user
    owner = project.supervisor
    # Make the extra member the supervisor: both they and the owner hear about it.
    Project.objects.filter(pk=project.pk).update(supervisor=supervisor)
    project.refresh_from_db()
    project_review_approve(project=project, actor=staff_user)
    project.refresh_from_db()
    assert project.status == Status.OPEN
    assert project.published_at is not None
    assert project.status_changes.last().actor == staff_user
    recipients = set(
        Notification.objects.filter(kind="project_approved").values_list("recipient", flat=True)
    )
    assert recipients == {supervisor.pk, owner.pk}


def test_review_approve_refuses_a_passed_deadline(staff_user):
    project = project_in_status(Status.PENDING_REVIEW)
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(ProjectError, match="deadline has passed"):
        project_review_approve(project=project, actor=staff_user)
    project.refresh_from_db()
    assert project.status == Status.PENDING_REVIEW


def test_review_return_needs_a_note_and_notifies(staff_user):
    project = project_in_status(Status.PENDING_REVIEW)
    with pytest.raises(ProjectValidationError):
        project_review_return(project=project, actor=staff_user, note="   ")
    project.refresh_from_db()
    assert project.status == Status.PENDING_REVIEW
    project_review_return(project=project, actor=staff_user, note="Describe the deliverables")
    project.refresh_from_db()
    assert project.status == Status.DRAFT
    assert project.status_changes.last().note == "Describe the deliverables"
    notification = Notification.objects.get(kind="project_returned")
    assert notification.recipient == project.supervisor
    assert "Describe the deliverables" in notification.text


# ------------------------------------------------------------------------------
# Close, cancel, complete, duplicate
# ------------------------------------------------------------------------------
def test_close_sets_closed_at_and_notifies_the_supervisor_when_someone_else_closes(
    organization, employer, supervisor
):
    project = open_project(organization=organization, supervisor=supervisor)
    project_close(project=project, actor=employer)
    project.refresh_from_db()
    assert project.status == Status.CLOSED
    assert project.closed_at is not None
    assert Notification.objects.filter(recipient=supervisor, kind="project_closed").exists()


def test_close_by_the_supervisor_tells_nobody(organization):
    project = open_project(organization=organization)
    project_close(project=project, actor=project.supervisor)
    assert not Notification.objects.filter(kind="project_closed").exists()


def test_cancel_needs_a_reason(organization):
    project = open_project(organization=organization)
    with pytest.raises(ProjectValidationError, match="reason"):
        project_cancel(project=project, actor=project.supervisor, reason=" ")
    project.refresh_from_db()
    assert project.status == Status.OPEN
    project_cancel(project=project, actor=project.supervisor, reason="Budget cut")
    project.refresh_from_db()
    assert project.status == Status.CANCELLED
    assert project.cancel_reason == "Budget cut"
    assert project.status_changes.last().note == "Budget cut"


def test_duplicate_copies_content_and_skills_into_a_new_draft(organization, employer):
    original = project_in_status(Status.CLOSED, organization=organization)
    copy = project_duplicate(project=original, actor=employer)
    assert copy.pk != original.pk
    assert copy.status == Status.DRAFT
    assert copy.duplicated_from == original
    assert copy.title == original.title
    assert copy.deliverables == original.deliverables
    assert copy.fee == original.fee
    assert copy.created_by == employer
    assert copy.application_deadline > timezone.now()
    assert set(copy.project_skills.values_list("skill", "is_required")) == set(
        original.project_skills.values_list("skill", "is_required")
    )
    assert copy.status_changes.get().to_status == Status.DRAFT
    # The original is untouched.
    original.refresh_from_db()
    assert original.status == Status.CLOSED


def test_duplicate_falls_back_to_the_actor_when_the_supervisor_left(
    organization, employer, supervisor
):
    original = ProjectFactory(organization=organization, supervisor=supervisor)
    Membership.objects.filter(user=supervisor).delete()
    copy = project_duplicate(project=original, actor=employer)
    assert copy.supervisor == employer


def test_duplicate_refuses_outsiders(organization, other_employer):
    original = ProjectFactory(organization=organization)
    with pytest.raises(ProjectError):
        project_duplicate(project=original, actor=other_employer)
    assert Project.objects.count() == 1


# ------------------------------------------------------------------------------
# Closing expired projects (the beat task's service)
# ------------------------------------------------------------------------------
def _expire(project, minutes=1):
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(minutes=minutes)
    )


def test_close_expired_closes_once_and_notifies_once(organization):
    expired = open_project(organization=organization)
    still_open = open_project(organization=organization)
    _expire(expired)

    assert projects_close_expired() == 1
    assert projects_close_expired() == 0

    expired.refresh_from_db()
    still_open.refresh_from_db()
    assert expired.status == Status.CLOSED
    assert expired.closed_at is not None
    assert still_open.status == Status.OPEN
    rows = ProjectStatusChange.objects.filter(project=expired, to_status=Status.CLOSED)
    assert rows.count() == 1
    assert rows.get().actor is None
    assert rows.get().note == EXPIRED_NOTE
    assert (
        Notification.objects.filter(
            recipient=expired.supervisor, kind="project_deadline_closed"
        ).count()
        == 1
    )


def test_close_expired_leaves_other_statuses_alone(organization):
    draft = ProjectFactory(organization=organization)
    _expire(draft)
    assert projects_close_expired() == 0
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_close_expired_notifies_once_when_a_run_is_replayed(organization):
    """A retried run after a partial failure must not send a second notification: here an
    earlier run already told the supervisor (through the same notify call) before the
    close was replayed."""
    project = open_project(organization=organization)
    _expire(project)
    notify(
        recipient=project.supervisor,
        kind="project_deadline_closed",
        text="Told by an earlier run",
        dedupe_key=f"project-{project.pk}-deadline-closed",
    )
    assert projects_close_expired() == 1
    project.refresh_from_db()
    assert project.status == Status.CLOSED
    told = Notification.objects.filter(kind="project_deadline_closed")
    assert [n.text for n in told] == ["Told by an earlier run"]


@pytest.mark.postgres
def test_search_vector_follows_create_and_skill_changes(organization, employer):
    from django.contrib.postgres.search import SearchQuery

    project = ProjectFactory(organization=organization, title="Churn dashboard")
    matches = Project.objects.filter(search_vector=SearchQuery("churn"))
    assert list(matches) == [project]
    skill = SkillFactory(name="Kubernetes")
    project_update(project=project, actor=employer, required_skills=[skill])
    assert list(Project.objects.filter(search_vector=SearchQuery("kubernetes"))) == [project]
