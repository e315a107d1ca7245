"""The workspace services: every transition legal and illegal, who may do what, the
payout ledger, project completion, messages, hours and the checklist."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Notification
from core.exceptions import DomainError, InvalidTransition
from matching.models import Engagement, EngagementEvent, HoursEntry, Message, Payout, Submission
from matching.services.engagements import (
    engagement_approve,
    engagement_cancel,
    engagement_extend_due_date,
    engagement_log_hours,
    engagement_post_message,
    engagement_request_revision,
    engagement_submit_work,
    engagement_toggle_checklist_item,
    payout_mark_paid,
)
from projects.models import Project
from tests.accounts.factories import MembershipFactory, StudentFactory
from tests.matching.engagement_helpers import (  # noqa: F401
    engagement_in_status,
    make_engagement,
    pdf_upload,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db
S = Engagement.Status
ALL = [s for s, _ in S.choices]


@pytest.fixture
def engagement(student, supervisor):
    return make_engagement(student=student, supervisor=supervisor)


def in_status(status, student, supervisor):
    return engagement_in_status(status, student=student, supervisor=supervisor)


def kinds_for(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# ------------------------------------------------------------------------------
# Every action from every status: legal moves, illegal ones refused with no change
# ------------------------------------------------------------------------------
def _submit(e):
    return engagement_submit_work(engagement=e, actor=e.student, link="https://example.com/w")


def _revise(e):
    return engagement_request_revision(engagement=e, actor=e.supervisor, comments="More data")


def _approve(e):
    return engagement_approve(engagement=e, actor=e.supervisor)


def _cancel(e):
    return engagement_cancel(engagement=e, actor=e.student, reason="Exams")


ACTIONS = {
    "submit": (_submit, S.SUBMITTED),
    "request_revision": (_revise, S.REVISION_REQUESTED),
    "approve": (_approve, S.COMPLETED),
    "cancel": (_cancel, S.CANCELLED),
}
CASES = [(name, status) for name in ACTIONS for status in ALL]


@pytest.mark.parametrize(("action", "from_status"), CASES)
def test_every_action_from_every_status(action, from_status, student, supervisor):
    engagement = in_status(from_status, student, supervisor)
    service, to_status = ACTIONS[action]
    events = EngagementEvent.objects.filter(engagement=engagement).count()
    legal = Engagement.can_transition(from_status, to_status)
    if legal:
        service(engagement)
        engagement.refresh_from_db()
        assert engagement.status == to_status
        event = EngagementEvent.objects.filter(engagement=engagement).latest("pk")
        assert (event.from_status, event.to_status) == (from_status, to_status)
    else:
        submissions = Submission.objects.count()
        with pytest.raises(InvalidTransition):
            service(engagement)
        engagement.refresh_from_db()
        assert engagement.status == from_status
        assert EngagementEvent.objects.filter(engagement=engagement).count() == events
        assert Submission.objects.count() == submissions


# ------------------------------------------------------------------------------
# Submitting
# ------------------------------------------------------------------------------
def test_submit_stores_the_file_moves_to_submitted_and_tells_the_supervisor(
    engagement, student, supervisor
):
    before = engagement.last_activity_at
    submission = engagement_submit_work(
        engagement=engagement, actor=student, file=pdf_upload("Final report.pdf"), note="Done"
    )
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED
    assert engagement.submitted_at is not None
    assert engagement.last_activity_at > before
    assert submission.original_filename == "Final report.pdf"
    assert submission.file.name.startswith(f"engagements/{engagement.pk}/")
    assert submission.file.storage.exists(submission.file.name)
    assert submission.size_bytes > 0
    assert "work_submitted" in kinds_for(supervisor)


def test_resubmitting_after_a_revision_is_legal(student, supervisor):
    engagement = in_status(S.REVISION_REQUESTED, student, supervisor)
    engagement_submit_work(engagement=engagement, actor=student, link="https://example.com/v2")
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED
    assert engagement.submissions.count() == 2


@pytest.mark.parametrize("who", ["supervisor", "employer", "other_student"])
def test_only_the_intern_submits(who, engagement, request):
    actor = StudentFactory() if who == "other_student" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        engagement_submit_work(engagement=engagement, actor=actor, link="https://example.com")
    engagement.refresh_from_db()
    assert engagement.status == S.ACTIVE
    assert not Submission.objects.exists()


def test_submit_needs_a_file_or_a_link(engagement, student):
    with pytest.raises(DomainError, match="Attach a file or give a link"):
        engagement_submit_work(engagement=engagement, actor=student, note="nothing")
    engagement.refresh_from_db()
    assert engagement.status == S.ACTIVE


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.com/x", "data:text/html,x"])
def test_submit_refuses_links_that_are_not_http(link, engagement, student):
    with pytest.raises(DomainError) as excinfo:
        engagement_submit_work(engagement=engagement, actor=student, link=link)
    assert excinfo.value.field == "link"
    assert not Submission.objects.exists()


# ------------------------------------------------------------------------------
# Revision, approval, payouts
# ------------------------------------------------------------------------------
def test_request_revision_needs_comments(student, supervisor):
    engagement = in_status(S.SUBMITTED, student, supervisor)
    with pytest.raises(DomainError, match="what needs to change"):
        engagement_request_revision(engagement=engagement, actor=supervisor, comments="   ")
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED


def test_request_revision_records_comments_and_tells_the_intern(student, supervisor):
    engagement = in_status(S.SUBMITTED, student, supervisor)
    engagement_request_revision(engagement=engagement, actor=supervisor, comments="Add sources")
    event = engagement.events.latest("pk")
    assert event.to_status == S.REVISION_REQUESTED
    assert event.note == "Add sources"
    assert "revision_requested" in kinds_for(student)


@pytest.mark.parametrize("service", [_approve, _revise])
@pytest.mark.parametrize("who", ["student", "unassigned_supervisor", "other_employer"])
def test_only_the_supervisor_side_reviews(service, who, student, supervisor, request):
    engagement = in_status(S.SUBMITTED, student, supervisor)
    if who == "unassigned_supervisor":
        actor = MembershipFactory(organization=supervisor.membership.organization).user
    else:
        actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        if service is _approve:
            engagement_approve(engagement=engagement, actor=actor)
        else:
            engagement_request_revision(engagement=engagement, actor=actor, comments="x")
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED
    assert not Payout.objects.exists()


def test_an_owner_of_the_organization_may_approve(student, supervisor, employer):
    engagement = in_status(S.SUBMITTED, student, supervisor)
    payout = engagement_approve(engagement=engagement, actor=employer)
    engagement.refresh_from_db()
    assert engagement.status == S.COMPLETED
    assert payout.engagement == engagement


def test_approve_records_the_fee_as_due(student, supervisor, employer):
    engagement = in_status(S.SUBMITTED, student, supervisor)
    payout = engagement_approve(engagement=engagement, actor=supervisor)
    engagement.refresh_from_db()
    assert engagement.completed_at is not None
    assert (payout.amount, payout.currency, payout.status) == (
        engagement.fee,
        engagement.currency,
        Payout.Status.DUE,
    )
    assert "engagement_completed" in kinds_for(student)
    assert "payout_due" in kinds_for(employer)


def test_owner_marks_paid_once(student, supervisor, employer):
    engagement = in_status(S.COMPLETED, student, supervisor)
    payout = engagement.payout
    payout_mark_paid(payout=payout, actor=employer, reference="TR-1")
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert (payout.marked_paid_by, payout.reference) == (employer, "TR-1")
    assert payout.paid_at is not None
    assert "payout_marked_paid" in kinds_for(student)
    paid_at = payout.paid_at
    with pytest.raises(DomainError, match="already marked paid"):
        payout_mark_paid(payout=payout, actor=employer, reference="TR-2")
    payout.refresh_from_db()
    assert (payout.reference, payout.paid_at) == ("TR-1", paid_at)


@pytest.mark.parametrize("who", ["supervisor", "student", "other_employer"])
def test_mark_paid_refused_for_non_owners(who, student, supervisor, request):
    engagement = in_status(S.COMPLETED, student, supervisor)
    with pytest.raises(PermissionDenied):
        payout_mark_paid(payout=engagement.payout, actor=request.getfixturevalue(who))
    engagement.payout.refresh_from_db()
    assert engagement.payout.status == Payout.Status.DUE


def test_staff_may_mark_paid(student, supervisor, staff_user):
    engagement = in_status(S.COMPLETED, student, supervisor)
    payout_mark_paid(payout=engagement.payout, actor=staff_user)
    engagement.payout.refresh_from_db()
    assert engagement.payout.status == Payout.Status.PAID
    assert engagement.payout.marked_paid_by == staff_user


# ------------------------------------------------------------------------------
# The project completes when its last engagement ends
# ------------------------------------------------------------------------------
def test_project_completes_when_all_engagements_are_final(supervisor):
    project = open_project(
        organization=supervisor.membership.organization, supervisor=supervisor, slots=2
    )
    first = make_engagement(project=project)
    second = make_engagement(project=project)
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    engagement_submit_work(engagement=first, actor=first.student, link="https://example.com")
    engagement_approve(engagement=first, actor=supervisor)
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED  # the second is still going
    engagement_cancel(engagement=second, actor=second.student, reason="Got sick")
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert project.status_changes.latest("pk").to_status == Project.Status.COMPLETED


def test_an_open_project_does_not_complete(supervisor):
    project = open_project(
        organization=supervisor.membership.organization, supervisor=supervisor, slots=2
    )
    engagement = make_engagement(project=project)
    engagement_submit_work(engagement=engagement, actor=engagement.student, link="https://x.org")
    engagement_approve(engagement=engagement, actor=supervisor)
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN


def test_approving_the_only_engagement_of_a_closed_project_completes_it(student, supervisor):
    engagement = in_status(S.COMPLETED, student, supervisor)
    engagement.project.refresh_from_db()
    assert engagement.project.status == Project.Status.COMPLETED


# ------------------------------------------------------------------------------
# Cancelling
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["student", "supervisor", "employer"])
def test_either_side_may_cancel_with_a_reason(who, engagement, request, student, supervisor):
    actor = request.getfixturevalue(who)
    engagement_cancel(engagement=engagement, actor=actor, reason="Scope changed")
    engagement.refresh_from_db()
    assert engagement.status == S.CANCELLED
    assert engagement.cancel_reason == "Scope changed"
    assert engagement.cancelled_at is not None
    told = student if who != "student" else supervisor
    assert "engagement_cancelled" in kinds_for(told)
    assert "engagement_cancelled" not in kinds_for(actor)


def test_cancel_needs_a_reason(engagement, student):
    with pytest.raises(DomainError, match="reason"):
        engagement_cancel(engagement=engagement, actor=student, reason=" ")
    engagement.refresh_from_db()
    assert engagement.status == S.ACTIVE


@pytest.mark.parametrize("who", ["other_employer", "career_officer", "other_student"])
def test_outsiders_cannot_cancel(who, engagement, request):
    actor = StudentFactory() if who == "other_student" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        engagement_cancel(engagement=engagement, actor=actor, reason="x")
    engagement.refresh_from_db()
    assert engagement.status == S.ACTIVE


# ------------------------------------------------------------------------------
# Extending the due date
# ------------------------------------------------------------------------------
def test_extend_moves_the_date_later_and_tells_the_intern(engagement, supervisor, student):
    new = engagement.due_date + timedelta(days=7)
    engagement_extend_due_date(engagement=engagement, actor=supervisor, due_date=new, reason="Hols")
    engagement.refresh_from_db()
    assert engagement.due_date == new
    event = engagement.events.latest("pk")
    assert event.from_status == event.to_status == S.ACTIVE
    assert "Hols" in event.note
    assert "due_date_extended" in kinds_for(student)


@pytest.mark.parametrize("days", [0, -1])
def test_extend_refuses_a_date_not_later(days, engagement, supervisor):
    old = engagement.due_date
    with pytest.raises(DomainError, match="after the current due date"):
        engagement_extend_due_date(
            engagement=engagement, actor=supervisor, due_date=old + timedelta(days=days)
        )
    engagement.refresh_from_db()
    assert engagement.due_date == old


def test_the_intern_cannot_extend(engagement, student):
    with pytest.raises(PermissionDenied):
        engagement_extend_due_date(
            engagement=engagement, actor=student, due_date=engagement.due_date + timedelta(1)
        )


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED])
def test_a_final_engagement_cannot_be_extended(status, student, supervisor):
    engagement = in_status(status, student, supervisor)
    with pytest.raises(DomainError):
        engagement_extend_due_date(
            engagement=engagement, actor=supervisor, due_date=engagement.due_date + timedelta(9)
        )


# ------------------------------------------------------------------------------
# Messages
# ------------------------------------------------------------------------------
def test_a_message_notifies_the_other_side_once_an_hour(engagement, student, supervisor):
    before = engagement.last_activity_at
    engagement_post_message(engagement=engagement, actor=student, body="Hello!")
    engagement_post_message(engagement=engagement, actor=student, body="And again")
    assert Message.objects.filter(engagement=engagement).count() == 2
    assert kinds_for(supervisor).count("message_received") == 1
    assert "message_received" not in kinds_for(student)
    engagement.refresh_from_db()
    assert engagement.last_activity_at > before
    engagement_post_message(engagement=engagement, actor=supervisor, body="Hi")
    assert kinds_for(student).count("message_received") == 1


def test_an_owner_message_tells_intern_and_supervisor(engagement, student, supervisor, employer):
    engagement_post_message(engagement=engagement, actor=employer, body="Welcome aboard")
    assert "message_received" in kinds_for(student)
    assert "message_received" in kinds_for(supervisor)


def test_a_blank_message_is_refused(engagement, student):
    with pytest.raises(DomainError, match="Write a message"):
        engagement_post_message(engagement=engagement, actor=student, body="  \n ")
    assert not Message.objects.exists()


@pytest.mark.parametrize("who", ["other_employer", "career_officer"])
def test_outsiders_cannot_post(who, engagement, request):
    with pytest.raises(PermissionDenied):
        engagement_post_message(
            engagement=engagement, actor=request.getfixturevalue(who), body="hi"
        )
    assert not Message.objects.exists()


# ------------------------------------------------------------------------------
# Hours
# ------------------------------------------------------------------------------
def test_log_hours(engagement, student):
    entry = engagement_log_hours(
        engagement=engagement,
        actor=student,
        date=timezone.localdate(),
        hours=Decimal("1.5"),
        description="Interviews",
    )
    assert entry.hours == Decimal("1.50")
    assert HoursEntry.objects.filter(engagement=engagement).count() == 1


@pytest.mark.parametrize(
    ("day_offset", "hours", "description", "message"),
    [
        (1, "1", "x", "future"),
        (-30, "1", "x", "started on"),
        (0, "0.1", "x", "between 0.25 and 24"),
        (0, "24.5", "x", "between 0.25 and 24"),
        (0, "2", "  ", "what you worked on"),
    ],
)
def test_log_hours_refuses_bad_input(day_offset, hours, description, message, engagement, student):
    with pytest.raises(DomainError, match=message):
        engagement_log_hours(
            engagement=engagement,
            actor=student,
            date=timezone.localdate() + timedelta(days=day_offset),
            hours=Decimal(hours),
            description=description,
        )
    assert not HoursEntry.objects.exists()


def test_a_day_has_at_most_24_hours(engagement, student):
    today = timezone.localdate()
    engagement_log_hours(
        engagement=engagement, actor=student, date=today, hours=Decimal("20"), description="a"
    )
    with pytest.raises(DomainError, match="at most 24"):
        engagement_log_hours(
            engagement=engagement, actor=student, date=today, hours=Decimal("5"), description="b"
        )
    assert HoursEntry.objects.count() == 1


def test_only_the_intern_logs_hours(engagement, supervisor):
    with pytest.raises(PermissionDenied):
        engagement_log_hours(
            engagement=engagement,
            actor=supervisor,
            date=timezone.localdate(),
            hours=Decimal("1"),
            description="x",
        )


def test_no_hours_on_a_final_engagement(student, supervisor):
    engagement = in_status(S.CANCELLED, student, supervisor)
    with pytest.raises(DomainError, match="cancelled"):
        engagement_log_hours(
            engagement=engagement,
            actor=student,
            date=timezone.localdate(),
            hours=Decimal("1"),
            description="x",
        )


# ------------------------------------------------------------------------------
# The checklist
# ------------------------------------------------------------------------------
def test_the_intern_ticks_and_unticks(engagement, student):
    assert len(engagement.checklist) == 3
    engagement_toggle_checklist_item(engagement=engagement, actor=student, index=1)
    engagement.refresh_from_db()
    assert [item["done"] for item in engagement.checklist] == [False, True, False]
    engagement_toggle_checklist_item(engagement=engagement, actor=student, index=1)
    engagement.refresh_from_db()
    assert [item["done"] for item in engagement.checklist] == [False, False, False]


def test_checklist_index_out_of_range(engagement, student):
    with pytest.raises(DomainError, match="does not exist"):
        engagement_toggle_checklist_item(engagement=engagement, actor=student, index=3)


def test_the_supervisor_does_not_tick(engagement, supervisor):
    with pytest.raises(PermissionDenied):
        engagement_toggle_checklist_item(engagement=engagement, actor=supervisor, index=0)
    engagement.refresh_from_db()
    assert not any(item["done"] for item in engagement.checklist)


def test_a_final_checklist_is_frozen(student, supervisor):
    engagement = in_status(S.COMPLETED, student, supervisor)
    with pytest.raises(DomainError, match="completed"):
        engagement_toggle_checklist_item(engagement=engagement, actor=student, index=0)
