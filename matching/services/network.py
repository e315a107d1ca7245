"""The network a finished engagement leaves: connections, follows and invitations.

Connection:  pending ─▶ connected ─▶ removed            (either side leaves)
                │   └──▶ declined                       (the other side said no)
                └──────▶ withdrawn                      (the requester took it back)
             declined / withdrawn / removed ─▶ pending  (asked again; after a "no" or a
                                                          removal only whoever said it)
Invitation:  sent ─▶ accepted    (an apply invitation: the student applied, see
                │                 application_submit; a rehire: accepted into a new
                │                 engagement through application_rehire)
                ├──▶ declined    (the student)
                └──▶ withdrawn   (a member of the organization)
Follow:      a row while the student follows; unfollowing deletes it.

The student decides: only people who finished an engagement together can connect,
only past interns who left invitations on can be invited, and either side can end a
connection at any time. Every public service runs in ``transaction.atomic(durable=True)``
and every status change goes through ``core.statemachine.transition`` (lock, table,
audit row); notices go through ``notify``, which delivers after commit.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, User
from accounts.services.notifications import notify
from core.statemachine import transition
from projects.models import Project

from ..exceptions import NetworkError, NotAllowed
from ..models import (
    Application,
    Connection,
    ConnectionEvent,
    Engagement,
    Follow,
    NetworkPreference,
    ProjectInvitation,
    ProjectInvitationEvent,
)
from ..selectors.network import (
    accepts_invitations,
    connection_engagement_between,
    connection_last_actor_id,
)
from .applications import application_rehire

CStatus = Connection.Status
IStatus = ProjectInvitation.Status


def _network_link() -> str:
    return reverse("matching:network")


# ------------------------------------------------------------------------------
# Connections
# ------------------------------------------------------------------------------
def _clean_note(note: str, limit: int, field: str) -> str:
    note = (note or "").strip()
    if len(note) > limit:
        raise NetworkError(f"Keep it under {limit} characters.", field=field)
    return note


def _pair(actor: User, other: User) -> tuple[User, User]:
    """(student, supervisor) of a request between ``actor`` and ``other``."""
    if actor.is_student and not other.is_student:
        return actor, other
    if other.is_student and not actor.is_student:
        return other, actor
    raise NotAllowed("A connection is between a student and someone who supervised them.")


@transaction.atomic(durable=True)
def connection_request(*, actor: User, other: User, note: str = "") -> Connection:
    """Ask ``other`` to connect. They must have finished an engagement together (a
    student and its supervisor). Asking again after a withdrawal works; after a "no" or
    a removal, only the person who said it may ask again."""
    student, supervisor = _pair(actor, other)
    if not other.is_active:
        raise NotAllowed(f"{other} no longer has an Internly account.")
    note = _clean_note(note, Connection.NOTE_MAX, "note")
    engagement = connection_engagement_between(student_id=student.pk, supervisor_id=supervisor.pk)
    if engagement is None:
        raise NotAllowed("You can connect with people once you have finished a project together.")
    existing = (
        Connection.objects.select_for_update()
        .filter(student_id=student.pk, supervisor_id=supervisor.pk)
        .first()
    )
    now = timezone.now()
    if existing is None:
        try:
            with transaction.atomic():
                connection = Connection.objects.create(
                    student=student,
                    supervisor=supervisor,
                    engagement=engagement,
                    organization=engagement.project.organization,
                    requested_by=actor,
                    note=note,
                    requested_at=now,
                )
        except IntegrityError as exc:  # the other side asked at the same moment
            raise NetworkError(f"{other} has just asked to connect with you.") from exc
        ConnectionEvent.objects.create(
            connection=connection, from_status="", to_status=CStatus.PENDING, actor=actor
        )
    else:
        connection = existing
        if connection.status == CStatus.CONNECTED:
            raise NetworkError(f"You are already connected with {other}.")
        if connection.status == CStatus.PENDING:
            if connection.requested_by_id == actor.pk:
                raise NetworkError(f"You already asked {other}; they have not answered yet.")
            raise NetworkError(f"{other} already asked to connect with you: accept their request.")
        if connection.status in (CStatus.DECLINED, CStatus.REMOVED) and (
            connection_last_actor_id(connection=connection) == other.pk
        ):
            raise NetworkError(f"{other} ended this connection; only they can ask again.")
        transition(
            connection,
            to_status=CStatus.PENDING,
            actor=actor,
            note="Asked again",
            fields={
                "requested_by": actor,
                "note": note,
                "requested_at": now,
                "engagement": engagement,
                "organization": engagement.project.organization,
                "connected_at": None,
            },
        )
    notify(
        recipient=other,
        actor=actor,
        kind="connection_requested",
        text=f"{actor} asked to connect with you after “{engagement.project.title}”.",
        link=_network_link(),
    )
    return connection


def _answerer_only(connection: Connection, actor: User) -> None:
    if actor.pk not in (connection.student_id, connection.supervisor_id):
        raise NotAllowed("This is not your connection.")
    if actor.pk == connection.requested_by_id:
        raise NotAllowed("The other person answers this request, not you.")


@transaction.atomic(durable=True)
def connection_accept(*, connection: Connection, actor: User) -> Connection:
    _answerer_only(connection, actor)
    transition(
        connection,
        to_status=CStatus.CONNECTED,
        actor=actor,
        note="Accepted",
        fields={"connected_at": timezone.now()},
    )
    notify(
        recipient=connection.requested_by,
        actor=actor,
        kind="connection_accepted",
        text=f"{actor} accepted your request to connect.",
        link=_network_link(),
    )
    return connection


@transaction.atomic(durable=True)
def connection_decline(*, connection: Connection, actor: User) -> Connection:
    """The person asked says no; the requester is not told, and cannot ask again."""
    _answerer_only(connection, actor)
    transition(connection, to_status=CStatus.DECLINED, actor=actor, note="Declined")
    return connection


@transaction.atomic(durable=True)
def connection_withdraw(*, connection: Connection, actor: User) -> Connection:
    if actor.pk != connection.requested_by_id:
        raise NotAllowed("Only the person who asked can withdraw a request.")
    transition(connection, to_status=CStatus.WITHDRAWN, actor=actor, note="Withdrawn")
    return connection


@transaction.atomic(durable=True)
def connection_remove(*, connection: Connection, actor: User) -> Connection:
    """Either person leaves a connection, quietly."""
    if actor.pk not in (connection.student_id, connection.supervisor_id):
        raise NotAllowed("This is not your connection.")
    transition(
        connection,
        to_status=CStatus.REMOVED,
        actor=actor,
        note="Removed",
        fields={"connected_at": None},
    )
    return connection


# ------------------------------------------------------------------------------
# Follows and the student's choices
# ------------------------------------------------------------------------------
def _student_only(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_student):
        raise NotAllowed("Only students can follow organizations.")


@transaction.atomic(durable=True)
def organization_follow(*, student: User, organization: Organization) -> Follow:
    """Follow ``organization``; following twice changes nothing."""
    _student_only(student)
    follow, _ = Follow.objects.get_or_create(student=student, organization=organization)
    return follow


@transaction.atomic(durable=True)
def organization_unfollow(*, student: User, organization: Organization) -> bool:
    """Stop following; returns whether the student was following."""
    _student_only(student)
    deleted, _ = Follow.objects.filter(student=student, organization=organization).delete()
    return bool(deleted)


@transaction.atomic(durable=True)
def network_preference_update(*, student: User, accepts_invitations: bool) -> NetworkPreference:
    """Turn invitations to apply on or off. Off: nobody can invite the student from
    now on; invitations already sent stay theirs to answer."""
    if not student.is_student:
        raise NotAllowed("Only students choose whether they are invited.")
    preference, _ = NetworkPreference.objects.update_or_create(
        student=student, defaults={"accepts_invitations": accepts_invitations}
    )
    return preference


def followers_notify_new_project(*, project_id: int) -> int:
    """Tell each follower of the project's organization that it is open. Does nothing
    unless the project is open; the dedupe key makes a second run tell nobody twice.
    Each notice is its own short transaction, so one failure keeps the others. Returns
    how many were told this time."""
    project = (
        Project.objects.select_related("organization")
        .filter(pk=project_id, status=Project.Status.OPEN)
        .first()
    )
    if project is None:
        return 0
    followers = User.objects.filter(
        follows__organization_id=project.organization_id, is_active=True
    ).order_by("pk")
    link = project.get_absolute_url()
    told = 0
    for student in followers.iterator():
        with transaction.atomic():
            notification = notify(
                recipient=student,
                kind="followed_project_posted",
                text=f"{project.organization.name} posted a new project: “{project.title}”.",
                link=link,
                dedupe_key=f"followed-project-{project.pk}-{student.pk}",
            )
        told += notification is not None
    return told


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
def _member_of(user: User, organization_id: int) -> bool:
    return Membership.objects.filter(user_id=user.pk, organization_id=organization_id).exists()


def _require_member(user: User, project: Project) -> None:
    if not _member_of(user, project.organization_id):
        raise NotAllowed("Only members of the project's organization can invite to it.")


def _require_student(invitation: ProjectInvitation, actor: User) -> None:
    if actor.pk != invitation.student_id:
        raise NotAllowed("Only the invited student can answer this invitation.")


@transaction.atomic(durable=True)
def invitation_send(
    *,
    project: Project,
    student: User,
    actor: User,
    kind: str = ProjectInvitation.Kind.APPLY,
    message: str = "",
) -> ProjectInvitation:
    """Invite a past intern of the organization to an open project: to apply, or
    (``rehire``) straight into a new engagement if they accept."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_member(actor, project)
    if kind not in ProjectInvitation.Kind.values:
        raise NetworkError("Choose what to invite the student to.")
    message = _clean_note(message, ProjectInvitation.MESSAGE_MAX, "message")
    if project.status != Project.Status.OPEN:
        raise NetworkError("Only open projects take invitations.")
    worked_here = Engagement.objects.filter(
        student_id=student.pk,
        project__organization_id=project.organization_id,
        status=Engagement.Status.COMPLETED,
    ).exists()
    if not (student.is_student and student.is_active and worked_here):
        raise NotAllowed("You can invite students who completed a project for your organization.")
    if not accepts_invitations(student_id=student.pk):
        raise NetworkError(f"{student} has turned invitations off.")
    if Application.objects.filter(project_id=project.pk, student_id=student.pk).exists():
        raise NetworkError(f"{student} has already applied to this project.")
    try:
        with transaction.atomic():
            invitation = ProjectInvitation.objects.create(
                project=project, student=student, invited_by=actor, kind=kind, message=message
            )
    except IntegrityError as exc:
        raise NetworkError(f"{student} is already invited to this project.") from exc
    ProjectInvitationEvent.objects.create(
        invitation=invitation, from_status="", to_status=IStatus.SENT, actor=actor
    )
    what = "to start" if kind == ProjectInvitation.Kind.REHIRE else "to apply to"
    notify(
        recipient=student,
        actor=actor,
        kind="project_invitation",
        text=f"{project.organization.name} invited you {what} “{project.title}”.",
        link=invitation.get_absolute_url(),
        dedupe_key=f"project-invitation-{invitation.pk}",
    )
    return invitation


@transaction.atomic(durable=True)
def invitation_withdraw(*, invitation: ProjectInvitation, actor: User) -> ProjectInvitation:
    _require_member(actor, invitation.project)
    transition(invitation, to_status=IStatus.WITHDRAWN, actor=actor, note="Withdrawn")
    return invitation


@transaction.atomic(durable=True)
def invitation_decline(*, invitation: ProjectInvitation, actor: User) -> ProjectInvitation:
    _require_student(invitation, actor)
    transition(
        invitation,
        to_status=IStatus.DECLINED,
        actor=actor,
        note="Declined",
        fields={"answered_at": timezone.now()},
    )
    notify(
        recipient=invitation.invited_by,
        actor=actor,
        kind="project_invitation_answered",
        text=f"{actor} declined your invitation to “{invitation.project.title}”.",
        link=reverse("matching:project-invite", kwargs={"project_pk": invitation.project_id}),
        dedupe_key=f"project-invitation-answered-{invitation.pk}",
    )
    return invitation


@transaction.atomic(durable=True)
def invitation_accept(*, invitation: ProjectInvitation, actor: User) -> Engagement:
    """The student accepts a direct rehire: applied and accepted in one step, by the
    rules of both (an open project, a complete profile, a free place). An invitation to
    apply is accepted by applying (application_submit) instead."""
    _require_student(invitation, actor)
    if invitation.kind != ProjectInvitation.Kind.REHIRE:
        raise NetworkError("Apply to the project to accept this invitation.")
    locked = ProjectInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not ProjectInvitation.can_transition(locked.status, IStatus.ACCEPTED):
        raise NetworkError(f"This invitation is {locked.get_status_display().lower()}.")
    inviter = invitation.invited_by
    if not (inviter.is_active and _member_of(inviter, invitation.project.organization_id)):
        raise NetworkError("This invitation is no longer valid: its sender left the organization.")
    note = f"Rehired directly: {inviter} invited {actor}, who accepted."
    if invitation.message:
        note += f"\n\n{invitation.message}"
    engagement = application_rehire(
        project=invitation.project, student=actor, actor=inviter, cover_note=note
    )
    transition(
        invitation,
        to_status=IStatus.ACCEPTED,
        actor=actor,
        note=f"Accepted: engagement #{engagement.pk}",
        fields={"answered_at": timezone.now(), "engagement": engagement},
    )
    notify(
        recipient=inviter,
        actor=actor,
        kind="project_invitation_answered",
        text=f"{actor} accepted your invitation and started on “{invitation.project.title}”.",
        link=engagement.get_absolute_url(),
        dedupe_key=f"project-invitation-answered-{invitation.pk}",
    )
    return engagement


# ------------------------------------------------------------------------------
# Account deletion (called by marketplace.privacy.erasure inside its transaction)
# ------------------------------------------------------------------------------
def network_erase_for_student(*, student: User) -> dict[str, int]:
    """What is left of ``student``'s network once its connections were ended and its
    invitations declined through the services above: follows (one made meanwhile too)
    and the invitation setting go, and the notes the student wrote when asking to
    connect are erased. The connection and invitation rows stay with their history, for
    the other side's record. Runs in the caller's transaction (not durable)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("network_erase_for_student() runs in the caller's transaction")
    follows, _ = Follow.objects.filter(student_id=student.pk).delete()
    NetworkPreference.objects.filter(student_id=student.pk).delete()
    notes = (
        Connection.objects.filter(student_id=student.pk, requested_by_id=student.pk)
        .exclude(note="")
        .update(note="", updated_at=timezone.now())
    )
    return {"follows_deleted": follows, "connection_notes_erased": notes}
