"""The network's services: connections (who may ask, answer, end and ask again),
follows, the student's invitation switch, invitations to apply and direct rehires, and
the fan-out of a followed organization's new project."""

import pytest

from accounts.models import Notification
from accounts.notification_kinds import Delivery
from accounts.services.notifications import notification_preferences_update
from core.exceptions import InvalidTransition
from matching.exceptions import NetworkError, NotAllowed, ProjectNotOpen
from matching.models import (
    Application,
    ApplicationEvent,
    Connection,
    ConnectionEvent,
    Engagement,
    EngagementEvent,
    Follow,
    ProjectInvitation,
    ProjectInvitationEvent,
)
from matching.services import network as services
from projects.services.posting import project_close
from tests.accounts.factories import MembershipFactory
from tests.matching.engagement_helpers import make_engagement
from tests.matching.factories import submitted_application
from tests.matching.network_helpers import (
    connection_in_status,
    invitation_in_status,
    new_project_for,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db
CS = Connection.Status
IS = ProjectInvitation.Status
KIND = ProjectInvitation.Kind


def notices(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


# ------------------------------------------------------------------------------
# Connections
# ------------------------------------------------------------------------------
def test_a_student_asks_their_supervisor(engagement, student, supervisor):
    connection = services.connection_request(actor=student, other=supervisor, note="Thank you!")
    assert (connection.status, connection.requested_by, connection.note) == (
        CS.PENDING,
        student,
        "Thank you!",
    )
    assert connection.engagement == engagement
    assert connection.organization == engagement.project.organization
    event = ConnectionEvent.objects.get(connection=connection)
    assert (event.from_status, event.to_status, event.actor) == ("", CS.PENDING, student)
    assert notices(supervisor, "connection_requested").count() == 1


def test_a_supervisor_asks_their_intern_and_the_intern_accepts(engagement, student, supervisor):
    connection = services.connection_request(actor=supervisor, other=student)
    services.connection_accept(connection=connection, actor=student)
    connection.refresh_from_db()
    assert connection.status == CS.CONNECTED
    assert connection.connected_at is not None
    assert notices(supervisor, "connection_accepted").count() == 1
    assert list(connection.events.values_list("to_status", flat=True)) == [
        CS.PENDING,
        CS.CONNECTED,
    ]


def test_only_people_who_finished_a_project_together_can_connect(
    student, supervisor, other_student, employer
):
    active = make_engagement(student=student, supervisor=supervisor)
    assert active.status == Engagement.Status.ACTIVE
    with pytest.raises(NotAllowed):
        services.connection_request(actor=student, other=supervisor)
    with pytest.raises(NotAllowed):
        services.connection_request(actor=student, other=other_student)
    with pytest.raises(NotAllowed):
        services.connection_request(actor=supervisor, other=employer)
    assert not Connection.objects.exists()


def test_the_owner_did_not_supervise_so_cannot_connect(engagement, student, employer):
    with pytest.raises(NotAllowed):
        services.connection_request(actor=student, other=employer)


@pytest.mark.parametrize(
    ("status", "asker", "message"),
    [
        (CS.CONNECTED, "student", "already connected"),
        (CS.PENDING, "student", "already asked"),
        (CS.PENDING, "supervisor", "accept their request"),
    ],
)
def test_asking_again_while_pending_or_connected_is_refused(
    engagement, student, supervisor, status, asker, message
):
    connection_in_status(status, engagement)
    actor, other = (student, supervisor) if asker == "student" else (supervisor, student)
    with pytest.raises(NetworkError, match=message):
        services.connection_request(actor=actor, other=other)
    assert Connection.objects.get().status == status


def test_only_the_one_who_said_no_can_ask_again(engagement, student, supervisor):
    connection = connection_in_status(CS.DECLINED, engagement)  # the supervisor declined
    with pytest.raises(NetworkError, match="only they can ask again"):
        services.connection_request(actor=student, other=supervisor)
    services.connection_request(actor=supervisor, other=student)
    connection.refresh_from_db()
    assert (connection.status, connection.requested_by) == (CS.PENDING, supervisor)
    assert connection.events.last().note == "Asked again"


def test_a_student_who_removed_a_connection_is_not_asked_again(engagement, student, supervisor):
    connection = connection_in_status(CS.REMOVED, engagement)  # the student removed it
    assert connection.connected_at is None
    with pytest.raises(NetworkError):
        services.connection_request(actor=supervisor, other=student)
    services.connection_request(actor=student, other=supervisor)
    connection.refresh_from_db()
    assert connection.status == CS.PENDING


def test_a_withdrawn_request_can_be_sent_again(engagement, student, supervisor):
    connection_in_status(CS.WITHDRAWN, engagement)
    connection = services.connection_request(actor=student, other=supervisor)
    assert connection.status == CS.PENDING
    assert Connection.objects.count() == 1


def test_who_may_answer_withdraw_and_remove(engagement, student, supervisor, other_student):
    connection = connection_in_status(CS.PENDING, engagement)  # the student asked
    with pytest.raises(NotAllowed):
        services.connection_accept(connection=connection, actor=student)
    with pytest.raises(NotAllowed):
        services.connection_decline(connection=connection, actor=other_student)
    with pytest.raises(NotAllowed):
        services.connection_withdraw(connection=connection, actor=supervisor)
    with pytest.raises(NotAllowed):
        services.connection_remove(connection=connection, actor=other_student)
    connection.refresh_from_db()
    assert connection.status == CS.PENDING
    assert connection.events.count() == 1


def test_illegal_moves_raise_and_change_nothing(engagement, student, supervisor):
    connection = connection_in_status(CS.PENDING, engagement)
    with pytest.raises(InvalidTransition):
        services.connection_remove(connection=connection, actor=student)
    services.connection_accept(connection=connection, actor=supervisor)
    with pytest.raises(InvalidTransition):
        services.connection_accept(connection=connection, actor=supervisor)
    with pytest.raises(InvalidTransition):
        services.connection_withdraw(connection=connection, actor=student)
    connection.refresh_from_db()
    assert connection.status == CS.CONNECTED


def test_either_side_can_leave(engagement, student, supervisor):
    connection = connection_in_status(CS.CONNECTED, engagement)
    services.connection_remove(connection=connection, actor=supervisor)
    connection.refresh_from_db()
    assert connection.status == CS.REMOVED
    assert connection.events.last().actor == supervisor


# ------------------------------------------------------------------------------
# Follows and the student's choices
# ------------------------------------------------------------------------------
def test_follow_twice_is_one_follow_and_unfollow_deletes(student, organization):
    services.organization_follow(student=student, organization=organization)
    services.organization_follow(student=student, organization=organization)
    assert Follow.objects.filter(student=student, organization=organization).count() == 1
    assert services.organization_unfollow(student=student, organization=organization) is True
    assert services.organization_unfollow(student=student, organization=organization) is False
    assert not Follow.objects.exists()


def test_only_students_follow_and_choose(employer, organization, career_officer):
    for user in (employer, career_officer):
        with pytest.raises(NotAllowed):
            services.organization_follow(student=user, organization=organization)
        with pytest.raises(NotAllowed):
            services.network_preference_update(student=user, accepts_invitations=False)
    assert not Follow.objects.exists()


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
def test_a_supervisor_invites_a_past_intern(engagement, student, supervisor):
    project = new_project_for(engagement)
    invitation = services.invitation_send(
        project=project, student=student, actor=supervisor, message="We loved your work."
    )
    assert (invitation.status, invitation.kind, invitation.invited_by) == (
        IS.SENT,
        KIND.APPLY,
        supervisor,
    )
    event = ProjectInvitationEvent.objects.get(invitation=invitation)
    assert (event.from_status, event.to_status, event.actor) == ("", IS.SENT, supervisor)
    notice = notices(student, "project_invitation").get()
    assert notice.link == invitation.get_absolute_url()


def test_an_owner_invites_too(engagement, student, employer):
    project = new_project_for(engagement)
    invitation = services.invitation_send(project=project, student=student, actor=employer)
    assert invitation.invited_by == employer


def test_another_organization_cannot_invite(engagement, student, other_employer):
    project = new_project_for(engagement)
    with pytest.raises(NotAllowed):
        services.invitation_send(project=project, student=student, actor=other_employer)
    own = open_project(organization=other_employer.membership.organization)
    with pytest.raises(NotAllowed, match="completed a project for your organization"):
        services.invitation_send(project=own, student=student, actor=other_employer)
    assert not ProjectInvitation.objects.exists()


def test_only_past_interns_can_be_invited(engagement, supervisor, other_student):
    project = new_project_for(engagement)
    with pytest.raises(NotAllowed):
        services.invitation_send(project=project, student=other_student, actor=supervisor)
    with pytest.raises(NotAllowed):
        services.invitation_send(project=project, student=supervisor, actor=supervisor)


def test_a_student_who_turned_invitations_off_is_not_invited(engagement, student, supervisor):
    services.network_preference_update(student=student, accepts_invitations=False)
    with pytest.raises(NetworkError, match="turned invitations off"):
        services.invitation_send(
            project=new_project_for(engagement), student=student, actor=supervisor
        )
    services.network_preference_update(student=student, accepts_invitations=True)
    services.invitation_send(project=new_project_for(engagement), student=student, actor=supervisor)
    assert ProjectInvitation.objects.count() == 1


def test_no_invitation_twice_nor_after_applying_nor_to_a_closed_project(
    engagement, student, supervisor
):
    project = new_project_for(engagement)
    services.invitation_send(project=project, student=student, actor=supervisor)
    with pytest.raises(NetworkError, match="already invited"):
        services.invitation_send(project=project, student=student, actor=supervisor)
    applied = new_project_for(engagement)
    submitted_application(project=applied, student=student)
    with pytest.raises(NetworkError, match="already applied"):
        services.invitation_send(project=applied, student=student, actor=supervisor)
    closed = new_project_for(engagement)
    project_close(project=closed, actor=supervisor)
    with pytest.raises(NetworkError, match="open projects"):
        services.invitation_send(project=closed, student=student, actor=supervisor)
    assert ProjectInvitation.objects.count() == 1


def test_bad_input_stores_nothing(engagement, student, supervisor):
    project = new_project_for(engagement)
    with pytest.raises(NetworkError) as error:
        services.invitation_send(
            project=project, student=student, actor=supervisor, message="x" * 1001
        )
    assert error.value.field == "message"
    with pytest.raises(NetworkError):
        services.invitation_send(project=project, student=student, actor=supervisor, kind="hire")
    assert not ProjectInvitation.objects.exists()


def test_applying_answers_the_invitation(engagement, student):
    invitation = invitation_in_status(IS.SENT, engagement)
    application = submitted_application(project=invitation.project, student=student)
    invitation.refresh_from_db()
    assert invitation.status == IS.ACCEPTED
    assert invitation.answered_at == application.created_at
    last = invitation.events.last()
    assert (last.to_status, last.actor, last.note) == (IS.ACCEPTED, student, "Applied")


def test_the_student_declines_and_the_inviter_hears(engagement, student, supervisor, other_student):
    invitation = invitation_in_status(IS.SENT, engagement)
    with pytest.raises(NotAllowed):
        services.invitation_decline(invitation=invitation, actor=other_student)
    services.invitation_decline(invitation=invitation, actor=student)
    invitation.refresh_from_db()
    assert invitation.status == IS.DECLINED
    assert notices(supervisor, "project_invitation_answered").count() == 1
    with pytest.raises(InvalidTransition):
        services.invitation_withdraw(invitation=invitation, actor=supervisor)


def test_withdrawing_is_for_members_of_the_organization(engagement, other_employer, employer):
    invitation = invitation_in_status(IS.SENT, engagement)
    with pytest.raises(NotAllowed):
        services.invitation_withdraw(invitation=invitation, actor=other_employer)
    services.invitation_withdraw(invitation=invitation, actor=employer)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.events.last().actor) == (IS.WITHDRAWN, employer)


def test_a_direct_rehire_starts_an_engagement_through_the_application_services(
    engagement, student, supervisor
):
    project = new_project_for(engagement, screening_questions=["Not asked of a rehire?"], slots=2)
    invitation = invitation_in_status(IS.SENT, engagement, kind=KIND.REHIRE, project=project)
    new = services.invitation_accept(invitation=invitation, actor=student)
    assert (new.project, new.student, new.status) == (project, student, Engagement.Status.ACTIVE)
    application = new.application
    assert application.status == Application.Status.ACCEPTED
    assert application.answers == []
    assert list(
        ApplicationEvent.objects.filter(application=application).values_list("to_status", "actor")
    ) == [(Application.Status.SUBMITTED, student.pk), (Application.Status.ACCEPTED, supervisor.pk)]
    assert EngagementEvent.objects.filter(engagement=new, to_status="active").exists()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.engagement) == (IS.ACCEPTED, new)
    assert notices(supervisor, "project_invitation_answered").count() == 1
    assert notices(student, "application_accepted").filter(link=new.get_absolute_url()).exists()
    with pytest.raises(NetworkError, match="accepted"):
        services.invitation_accept(invitation=invitation, actor=student)


def test_an_apply_invitation_is_not_accepted_directly(engagement, student):
    invitation = invitation_in_status(IS.SENT, engagement)
    with pytest.raises(NetworkError, match="Apply"):
        services.invitation_accept(invitation=invitation, actor=student)
    assert not Application.objects.filter(project=invitation.project).exists()


def test_a_rehire_for_a_closed_project_changes_nothing(engagement, student, supervisor):
    invitation = invitation_in_status(IS.SENT, engagement, kind=KIND.REHIRE)
    project_close(project=invitation.project, actor=supervisor)
    with pytest.raises(ProjectNotOpen):
        services.invitation_accept(invitation=invitation, actor=student)
    invitation.refresh_from_db()
    assert invitation.status == IS.SENT
    assert not Application.objects.filter(project=invitation.project).exists()


def test_only_the_invited_student_accepts(engagement, other_student, supervisor):
    invitation = invitation_in_status(IS.SENT, engagement, kind=KIND.REHIRE)
    for actor in (other_student, supervisor):
        with pytest.raises(NotAllowed):
            services.invitation_accept(invitation=invitation, actor=actor)


# ------------------------------------------------------------------------------
# A followed organization's new project
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("delivery", [Delivery.EMAIL, Delivery.DIGEST, Delivery.IN_APP])
def test_followers_hear_by_their_preference_once(
    student, other_student, organization, supervisor, delivery
):
    services.organization_follow(student=student, organization=organization)
    notification_preferences_update(user=student, deliveries={"followed_project_posted": delivery})
    project = open_project(organization=organization, supervisor=supervisor)
    Notification.objects.filter(kind="followed_project_posted").delete()
    assert services.followers_notify_new_project(project_id=project.pk) == 1
    assert services.followers_notify_new_project(project_id=project.pk) == 0
    notice = notices(student, "followed_project_posted").get()
    assert notice.delivery == delivery
    assert notice.link == project.get_absolute_url()
    assert not notices(other_student, "followed_project_posted").exists()


def test_a_project_that_is_not_open_tells_nobody(student, organization, supervisor):
    services.organization_follow(student=student, organization=organization)
    project = open_project(organization=organization, supervisor=supervisor)
    project_close(project=project, actor=supervisor)
    Notification.objects.filter(kind="followed_project_posted").delete()
    assert services.followers_notify_new_project(project_id=project.pk) == 0
    assert services.followers_notify_new_project(project_id=0) == 0
    assert not notices(student, "followed_project_posted").exists()


def test_a_second_organization_member_invites_from_a_shared_pool(engagement, student, employer):
    colleague = MembershipFactory(organization=employer.membership.organization).user
    invitation = services.invitation_send(
        project=new_project_for(engagement), student=student, actor=colleague
    )
    assert invitation.invited_by == colleague
