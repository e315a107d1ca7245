"""Application services: submit, the employer's decisions, withdraw, expire, slots."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Notification, StudentSkill
from core.exceptions import InvalidTransition
from matching.exceptions import (
    AlreadyApplied,
    ApplicationError,
    ApplicationValidationError,
    DeadlinePassed,
    NotAllowed,
    NotEligible,
    ProfileIncomplete,
    ProjectNotOpen,
    SlotsFull,
)
from matching.models import Application, ApplicationEvent, Engagement, EngagementEvent
from matching.services import applications as services
from matching.services.applications import (
    FILLED_MESSAGE,
    application_accept,
    application_expire,
    application_reject,
    application_shortlist,
    application_submit,
    application_withdraw,
    applications_bulk_reject,
    applications_close_undecided,
)
from projects.models import Project
from tests.accounts.factories import EmployerFactory, StudentFactory
from tests.matching.factories import (
    PDF_BYTES,
    application_in_status,
    ready_student,
    submitted_application,
)
from tests.projects.factories import open_project, project_in_status

pytestmark = pytest.mark.django_db

Status = Application.Status


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# ------------------------------------------------------------------------------
# Every transition, legal and illegal
# ------------------------------------------------------------------------------
ACTIONS = {
    "shortlist": Status.SHORTLISTED,
    "accept": Status.ACCEPTED,
    "reject": Status.REJECTED,
    "withdraw": Status.WITHDRAWN,
    "expire": Status.EXPIRED,
}
NOTIFY_KIND = {
    "shortlist": "application_shortlisted",
    "accept": "application_accepted",
    "reject": "application_rejected",
    "expire": "application_expired",
}


def _run(action: str, application: Application):
    supervisor = application.project.supervisor
    if action == "shortlist":
        return application_shortlist(application=application, actor=supervisor)
    if action == "accept":
        return application_accept(application=application, actor=supervisor)
    if action == "reject":
        return application_reject(application=application, actor=supervisor, message="No")
    if action == "withdraw":
        return application_withdraw(application=application, actor=application.student)
    return application_expire(application=application)


@pytest.mark.parametrize("from_status", Status.values)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition(from_status, action):
    # Two places, so an accepted application leaves a free one and a second accept
    # fails on the transition table, not on the slots.
    application = application_in_status(from_status, project=open_project(slots=2))
    to_status = ACTIONS[action]
    legal = Application.can_transition(from_status, to_status)
    events_before = application.events.count()
    if legal:
        _run(action, application)
        application.refresh_from_db()
        assert application.status == to_status
        last = application.events.order_by("pk").last()
        assert (last.from_status, last.to_status) == (from_status, to_status)
        if action in NOTIFY_KIND:
            assert NOTIFY_KIND[action] in _kinds(application.student)
        else:
            assert "application_withdrawn" in _kinds(application.project.supervisor)
    else:
        with pytest.raises(InvalidTransition):
            _run(action, application)
        application.refresh_from_db()
        assert application.status == from_status
        assert application.events.count() == events_before


# ------------------------------------------------------------------------------
# Submitting
# ------------------------------------------------------------------------------
def test_submit_records_snapshot_event_and_tells_supervisor():
    project = open_project(screening_questions=["Why?", "When can you start?"])
    student = ready_student()
    application = application_submit(
        project=project, student=student, cover_note="  Keen!  ", answers=[" Because ", "Now"]
    )
    assert application.status == Status.SUBMITTED
    assert application.cover_note == "Keen!"
    assert application.answers == ["Because", "Now"]
    with application.resume_snapshot.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", Status.SUBMITTED, student)
    notification = Notification.objects.get(kind="application_received")
    assert notification.recipient == project.supervisor
    assert notification.dedupe_key == f"application-received-{application.pk}"
    assert str(application.pk) in notification.link


def test_snapshot_unchanged_after_profile_resume_replaced():
    application = submitted_application()
    profile = application.student.student_profile
    old_name = profile.resume.name
    profile.resume.delete(save=False)
    profile.resume.save("new.pdf", ContentFile(b"%PDF-1.4 a completely different resume"))
    assert profile.resume.name != application.resume_snapshot.name
    application.refresh_from_db()
    with application.resume_snapshot.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert old_name != application.resume_snapshot.name


def test_duplicate_application_is_refused():
    application = submitted_application()
    with pytest.raises(AlreadyApplied, match="already applied"):
        submitted_application(project=application.project, student=application.student)
    assert Application.objects.count() == 1


def test_duplicate_caught_by_the_constraint(monkeypatch):
    """Two submits racing past the pre-check: the unique constraint answers the same."""
    application = submitted_application()
    profile = application.student.student_profile
    monkeypatch.setattr(services, "_check_can_apply", lambda **kwargs: profile)
    with pytest.raises(AlreadyApplied, match="already applied"):
        application_submit(
            project=application.project,
            student=application.student,
            cover_note="Again",
            answers=["x"] * len(application.project.screening_questions),
        )
    assert Application.objects.count() == 1


def test_employer_cannot_apply(employer):
    with pytest.raises(NotEligible, match="Only students"):
        submitted_application(student=employer)


def test_student_without_profile_cannot_apply():
    student = ready_student()
    student.student_profile.delete()
    student.refresh_from_db()
    with pytest.raises(NotEligible):
        submitted_application(student=student)


@pytest.mark.parametrize("status", ["draft", "closed", "cancelled", "completed"])
def test_project_must_be_open(status):
    project = project_in_status(status)
    with pytest.raises(ProjectNotOpen, match="not taking applications"):
        submitted_application(project=project)
    assert not Application.objects.exists()


def test_deadline_must_not_have_passed():
    project = open_project()
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(minutes=1)
    )
    project.refresh_from_db()
    with pytest.raises(DeadlinePassed, match="deadline"):
        submitted_application(project=project)


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ("name", "your full name"),
        ("major", "your major"),
        ("year", "your graduation year"),
        ("skills", "at least one skill"),
        ("resume", "a résumé"),
    ],
)
def test_profile_must_be_complete(change, missing):
    student = ready_student(resume=None if change == "resume" else PDF_BYTES)
    profile = student.student_profile
    if change == "name":
        student.last_name = ""
        student.save()
    elif change == "major":
        profile.major = ""
        profile.save()
    elif change == "year":
        profile.graduation_year = None
        profile.save()
    elif change == "skills":
        StudentSkill.objects.filter(profile=profile).delete()
    with pytest.raises(ProfileIncomplete) as info:
        submitted_application(student=student)
    assert info.value.missing == [missing]
    assert missing in str(info.value)
    assert not Application.objects.exists()


def test_profile_incomplete_lists_everything_missing():
    student = StudentFactory(first_name="", last_name="")
    with pytest.raises(ProfileIncomplete) as info:
        submitted_application(student=student)
    assert info.value.missing == ["your full name", "at least one skill", "a résumé"]


@pytest.mark.parametrize(
    ("cover_note", "answers", "field"),
    [
        ("   ", ["ok"], "cover_note"),
        ("x" * (Application.COVER_NOTE_MAX + 1), ["ok"], "cover_note"),
        ("Hello", [], "answers"),
        ("Hello", ["ok", "extra"], "answers"),
        ("Hello", ["  "], "answer_0"),
        ("Hello", ["y" * (Application.ANSWER_MAX + 1)], "answer_0"),
    ],
)
def test_bad_content_stores_nothing(cover_note, answers, field):
    project = open_project(screening_questions=["Why?"])
    with pytest.raises(ApplicationValidationError) as info:
        application_submit(
            project=project, student=ready_student(), cover_note=cover_note, answers=answers
        )
    assert info.value.field == field
    assert not Application.objects.exists()
    assert not Notification.objects.filter(kind="application_received").exists()


# ------------------------------------------------------------------------------
# Who may decide
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["shortlist", "accept", "reject"])
def test_only_organization_members_decide(action, other_employer):
    application = submitted_application()
    service = {
        "shortlist": application_shortlist,
        "accept": application_accept,
        "reject": application_reject,
    }[action]
    with pytest.raises(NotAllowed):
        service(application=application, actor=other_employer)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_only_the_applicant_withdraws():
    application = submitted_application()
    with pytest.raises(NotAllowed):
        application_withdraw(application=application, actor=StudentFactory())
    with pytest.raises(NotAllowed):
        application_withdraw(application=application, actor=application.project.supervisor)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_supervisor_member_may_decide(organization, supervisor):
    project = open_project(organization=organization)
    application = submitted_application(project=project)
    application_shortlist(application=application, actor=supervisor)
    application.refresh_from_db()
    assert application.status == Status.SHORTLISTED
    assert application.events.last().actor == supervisor


# ------------------------------------------------------------------------------
# Rejecting
# ------------------------------------------------------------------------------
def test_reject_keeps_message_and_decision_time():
    application = submitted_application()
    application_reject(
        application=application, actor=application.project.supervisor, message="  Not now.  "
    )
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.decision_message == "Not now."
    assert application.decided_at is not None


def test_reject_message_too_long():
    application = submitted_application()
    with pytest.raises(ApplicationValidationError):
        application_reject(
            application=application,
            actor=application.project.supervisor,
            message="x" * (services.DECISION_MESSAGE_MAX + 1),
        )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_bulk_reject_only_touches_undecided_of_this_project():
    project = open_project(slots=3)
    a, b, c = (submitted_application(project=project) for _ in range(3))
    application_shortlist(application=b, actor=project.supervisor)
    accepted = submitted_application(project=project)
    application_accept(application=accepted, actor=project.supervisor)
    foreign = submitted_application()
    count = applications_bulk_reject(
        project=project,
        application_ids=[a.pk, b.pk, accepted.pk, foreign.pk],
        actor=project.supervisor,
        message="Thanks",
    )
    assert count == 2
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[a.pk] == statuses[b.pk] == Status.REJECTED
    assert statuses[c.pk] == Status.SUBMITTED
    assert statuses[accepted.pk] == Status.ACCEPTED
    assert statuses[foreign.pk] == Status.SUBMITTED
    assert Notification.objects.filter(kind="application_rejected").count() == 2


def test_bulk_reject_needs_membership(other_employer):
    application = submitted_application()
    with pytest.raises(NotAllowed):
        applications_bulk_reject(
            project=application.project, application_ids=[application.pk], actor=other_employer
        )


# ------------------------------------------------------------------------------
# Accepting and slots
# ------------------------------------------------------------------------------
def test_accept_creates_engagement():
    project = open_project(slots=2, fee=900)
    application = submitted_application(project=project)
    engagement = application_accept(application=application, actor=project.supervisor)
    assert engagement.status == Engagement.Status.ACTIVE
    assert engagement.slot_number == 1
    assert engagement.student == application.student
    assert engagement.supervisor == project.supervisor
    assert (engagement.fee, engagement.currency) == (900, project.currency)
    assert engagement.checklist == [{"title": d, "done": False} for d in project.deliverables]
    assert engagement.due_date == timezone.localdate() + timedelta(days=project.duration_days)
    event = EngagementEvent.objects.get(engagement=engagement)
    assert (event.from_status, event.to_status) == ("", Engagement.Status.ACTIVE)
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED and application.decided_at
    assert "application_accepted" in _kinds(application.student)
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN  # one place left


def test_accept_uses_fixed_due_date():
    due = timezone.localdate() + timedelta(days=40)
    project = open_project(due_date=due, duration_days=None)
    engagement = application_accept(
        application=submitted_application(project=project), actor=project.supervisor
    )
    assert engagement.due_date == due


def test_accept_beyond_slots_is_refused():
    project = open_project(slots=1)
    first, second = submitted_application(project=project), submitted_application(project=project)
    application_accept(application=first, actor=project.supervisor)
    with pytest.raises(SlotsFull, match="only place"):
        application_accept(application=second, actor=project.supervisor)
    assert Engagement.objects.filter(project=project).count() == 1


def test_last_slot_closes_project_and_expires_the_rest():
    project = open_project(slots=2)
    accepted = [submitted_application(project=project) for _ in range(2)]
    waiting = [submitted_application(project=project) for _ in range(3)]
    application_shortlist(application=waiting[0], actor=project.supervisor)
    withdrawn = submitted_application(project=project)
    application_withdraw(application=withdrawn, actor=withdrawn.student)

    application_accept(application=accepted[0], actor=project.supervisor)
    assert not Notification.objects.filter(kind="application_expired").exists()
    application_accept(application=accepted[1], actor=project.supervisor)

    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert project.closed_at is not None
    assert project.status_changes.filter(to_status="closed", note="All places filled").exists()
    assert list(
        Engagement.objects.filter(project=project)
        .order_by("slot_number")
        .values_list("slot_number", flat=True)
    ) == [1, 2]
    for application in waiting:
        application.refresh_from_db()
        assert application.status == Status.EXPIRED
        assert application.decision_message == FILLED_MESSAGE
        assert application.decided_at is not None
        assert _kinds(application.student).count("application_expired") == 1
    withdrawn.refresh_from_db()
    assert withdrawn.status == Status.WITHDRAWN
    assert "project_filled" in _kinds(project.supervisor)
    # Nobody can apply any more.
    with pytest.raises(ProjectNotOpen):
        submitted_application(project=project)


def test_accept_after_the_project_closed_still_fills_and_answers_the_rest():
    """Selection goes on after applications close; the last place still answers
    everyone waiting (the project stays closed)."""
    from projects.services.posting import project_close

    project = open_project(slots=1)
    application = submitted_application(project=project)
    other = submitted_application(project=project)
    project_close(project=project, actor=project.supervisor)
    application_accept(application=application, actor=project.supervisor)
    project.refresh_from_db()
    other.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert other.status == Status.EXPIRED
    assert other.decision_message == FILLED_MESSAGE


def test_accept_on_cancelled_project_is_refused():
    project = open_project()
    application = submitted_application(project=project)
    from projects.services.posting import project_cancel

    project_cancel(project=project, actor=project.supervisor, reason="Budget cut")
    with pytest.raises(ApplicationError, match="cancelled"):
        application_accept(application=application, actor=project.supervisor)
    assert not Engagement.objects.exists()


def test_close_undecided_helper_runs_in_callers_transaction():
    from django.db import transaction

    project = open_project()
    applications = [submitted_application(project=project) for _ in range(2)]
    with transaction.atomic():
        count = applications_close_undecided(
            project=project, actor=None, message="Project cancelled.", decided_at=None
        )
    assert count == 2
    for application in applications:
        application.refresh_from_db()
        assert application.status == Status.EXPIRED
        assert application.decision_message == "Project cancelled."


def test_expire_default_message_names_the_promise(settings):
    settings.APPLICATION_RESPONSE_DAYS = 9
    application = submitted_application()
    application_expire(application=application)
    application.refresh_from_db()
    assert "9 days" in application.decision_message
    assert application.decided_at is None


def test_other_employer_is_not_a_member(other_employer):
    assert not services._is_member(user=other_employer, project=open_project())
    owner = EmployerFactory()
    assert not services._is_member(user=owner, project=open_project())


def test_event_count_after_full_pipeline():
    application = submitted_application()
    application_shortlist(application=application, actor=application.project.supervisor)
    application_accept(application=application, actor=application.project.supervisor)
    assert list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("to_status", flat=True)
    ) == ["submitted", "shortlisted", "accepted"]
