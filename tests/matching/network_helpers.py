"""Connections and invitations built through the real services.

connection_in_status("connected", engagement)   the engagement's student asked, its
                                               supervisor answered (or the other way)
invitation_in_status("declined", engagement)   the supervisor invited the student to a
                                               new open project of the organization
"""

from __future__ import annotations

from matching.models import Connection, Engagement, ProjectInvitation
from matching.services.network import (
    connection_accept,
    connection_decline,
    connection_remove,
    connection_request,
    connection_withdraw,
    invitation_decline,
    invitation_send,
    invitation_withdraw,
)
from tests.matching.factories import submitted_application
from tests.projects.factories import open_project

CS = Connection.Status
IS = ProjectInvitation.Status


def connection_in_status(status: str, engagement: Engagement, *, by_student: bool = True):
    """A connection of the engagement's two people in ``status``; ``by_student``: the
    student asked (else the supervisor did)."""
    asker, other = (
        (engagement.student, engagement.supervisor)
        if by_student
        else (engagement.supervisor, engagement.student)
    )
    connection = connection_request(actor=asker, other=other)
    if status == CS.PENDING:
        return connection
    if status == CS.WITHDRAWN:
        return connection_withdraw(connection=connection, actor=asker)
    if status == CS.DECLINED:
        return connection_decline(connection=connection, actor=other)
    connection_accept(connection=connection, actor=other)
    if status == CS.REMOVED:
        connection_remove(connection=connection, actor=engagement.student)
    connection.refresh_from_db()
    assert connection.status == status
    return connection


def new_project_for(engagement: Engagement, **kwargs):
    """Another open project of the engagement's organization, same supervisor."""
    return open_project(
        organization=engagement.project.organization, supervisor=engagement.supervisor, **kwargs
    )


def invitation_in_status(
    status: str, engagement: Engagement, *, kind: str = ProjectInvitation.Kind.APPLY, project=None
):
    project = project or new_project_for(engagement)
    invitation = invitation_send(
        project=project, student=engagement.student, actor=engagement.supervisor, kind=kind
    )
    if status == IS.DECLINED:
        invitation_decline(invitation=invitation, actor=engagement.student)
    elif status == IS.WITHDRAWN:
        invitation_withdraw(invitation=invitation, actor=engagement.supervisor)
    elif status == IS.ACCEPTED:
        submitted_application(project=project, student=engagement.student)
    invitation.refresh_from_db()
    assert invitation.status == status
    return invitation
