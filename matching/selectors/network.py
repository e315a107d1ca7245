"""Reads for the network: connections, follows and invitations, scoped to the user.

A connection is seen only by its two people; an invitation by its student and the
members of the project's organization. Anyone else gets a 404. No read here lets a
student see another student's network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Organization, User
from projects.models import Project

from ..models import (
    Application,
    Connection,
    ConnectionEvent,
    Engagement,
    Follow,
    NetworkPreference,
    ProjectInvitation,
)

CStatus = Connection.Status
IStatus = ProjectInvitation.Status


def _int_or_404(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise Http404("No such item.") from None


def _organization_id(user: User) -> int:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None:
        raise Http404("No organization.")
    return membership.organization_id


# ------------------------------------------------------------------------------
# Connections
# ------------------------------------------------------------------------------
def _side(user: User) -> tuple[str, str]:
    """(the user's field, the other side's field) on Connection and Engagement."""
    return ("student", "supervisor") if user.is_student else ("supervisor", "student")


def connection_engagement_between(*, student_id: int, supervisor_id: int) -> Engagement | None:
    """The latest completed engagement of this student that this person supervised:
    what makes the pair eligible to connect. None: they never finished work together."""
    return (
        Engagement.objects.filter(
            student_id=student_id,
            supervisor_id=supervisor_id,
            status=Engagement.Status.COMPLETED,
        )
        .select_related("project__organization")
        .order_by("-completed_at", "-pk")
        .first()
    )


def connection_last_actor_id(*, connection: Connection) -> int | None:
    """Who made the connection's latest move (None for an automatic one)."""
    return (
        ConnectionEvent.objects.filter(connection_id=connection.pk)
        .order_by("-created_at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def connection_get_for(*, user: User, pk: object) -> Connection:
    """A connection the user is one of the two people of; 404 otherwise."""
    return get_object_or_404(
        Connection.objects.select_related("student", "supervisor", "organization"),
        Q(student_id=user.pk) | Q(supervisor_id=user.pk),
        pk=_int_or_404(pk),
    )


def connection_list_for(*, user: User) -> QuerySet[Connection]:
    """The user's connections that are on (connected) or being asked (pending), newest
    first, with both people and the organization."""
    mine, _ = _side(user)
    return (
        Connection.objects.filter(
            **{f"{mine}_id": user.pk}, status__in=(CStatus.CONNECTED, CStatus.PENDING)
        )
        .select_related("student", "supervisor", "organization", "engagement__project")
        .order_by("-updated_at", "-pk")
    )


@dataclass(frozen=True)
class ConnectionCandidate:
    """Someone the user finished an engagement with and may ask to connect."""

    person: User
    organization: Organization
    engagement: Engagement


def connection_candidates_for(*, user: User) -> list[ConnectionCandidate]:
    """The other side of the user's completed engagements who are not connected or
    asked yet, latest engagement first. A pair whose other person declined or removed
    the connection is left out: only that person may ask again."""
    mine, theirs = _side(user)
    engagements = (
        # A closed account ("Former student") cannot be asked.
        Engagement.objects.filter(
            **{f"{mine}_id": user.pk, f"{theirs}__is_active": True},
            status=Engagement.Status.COMPLETED,
        )
        .select_related(theirs, "project__organization")
        .order_by("-completed_at", "-pk")
    )
    latest: dict[int, Engagement] = {}
    for engagement in engagements:
        latest.setdefault(getattr(engagement, f"{theirs}_id"), engagement)
    if not latest:
        return []
    last_actor = ConnectionEvent.objects.filter(connection_id=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    rows = (
        Connection.objects.filter(**{f"{mine}_id": user.pk, f"{theirs}_id__in": list(latest)})
        .annotate(last_actor_id=Subquery(last_actor.values("actor_id")[:1]))
        .values_list(f"{theirs}_id", "status", "last_actor_id")
    )
    skip = set()
    for other_id, status, last_actor_id in rows:
        ended = status in (CStatus.DECLINED, CStatus.REMOVED)
        if status in (CStatus.PENDING, CStatus.CONNECTED) or (ended and last_actor_id == other_id):
            skip.add(other_id)
    return [
        ConnectionCandidate(
            person=getattr(engagement, theirs),
            organization=engagement.project.organization,
            engagement=engagement,
        )
        for other_id, engagement in latest.items()
        if other_id not in skip
    ]


def connection_candidate_get(*, user: User, pk: object) -> User:
    """The person ``pk`` if the user finished an engagement with them (a student and
    its supervisor); 404 for anybody else."""
    mine, theirs = _side(user)
    other = get_object_or_404(User, pk=_int_or_404(pk), is_active=True)
    done = Engagement.objects.filter(
        **{f"{mine}_id": user.pk, f"{theirs}_id": other.pk},
        status=Engagement.Status.COMPLETED,
    )
    if not done.exists():
        raise Http404("You have not worked with this person.")
    return other


# ------------------------------------------------------------------------------
# Follows and the student's choices
# ------------------------------------------------------------------------------
def follow_list_for_student(*, user: User) -> QuerySet[Follow]:
    return Follow.objects.filter(student_id=user.pk).select_related("organization")


def organization_is_followed(*, user: User, organization: Organization) -> bool:
    if not (user.is_authenticated and user.is_student):
        return False
    return Follow.objects.filter(student_id=user.pk, organization_id=organization.pk).exists()


def organizations_worked_for(*, user: User) -> QuerySet[Organization]:
    """Organizations the student completed work for, each with ``is_followed``."""
    followed = Follow.objects.filter(student_id=user.pk, organization_id=OuterRef("pk"))
    return (
        Organization.objects.filter(
            projects__engagements__student_id=user.pk,
            projects__engagements__status=Engagement.Status.COMPLETED,
        )
        .distinct()
        .annotate(is_followed=Exists(followed))
        .order_by("name")
    )


def follower_ids_for(*, organization_id: int) -> list[int]:
    """The active students who follow the organization."""
    return list(
        Follow.objects.filter(organization_id=organization_id, student__is_active=True)
        .order_by("student_id")
        .values_list("student_id", flat=True)
    )


def accepts_invitations(*, student_id: int) -> bool:
    return (
        NetworkPreference.objects.filter(student_id=student_id)
        .values_list("accepts_invitations", flat=True)
        .first()
        is not False
    )


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
_INVITATION_RELATED = ("project__organization", "student", "invited_by", "engagement")


def invitation_get_for_student(*, user: User, pk: object) -> ProjectInvitation:
    return get_object_or_404(
        ProjectInvitation.objects.select_related(*_INVITATION_RELATED),
        pk=_int_or_404(pk),
        student_id=user.pk,
    )


def invitation_get_for_member(*, user: User, pk: object) -> ProjectInvitation:
    return get_object_or_404(
        ProjectInvitation.objects.select_related(*_INVITATION_RELATED),
        pk=_int_or_404(pk),
        project__organization_id=_organization_id(user),
    )


def invitation_list_for_student(*, user: User) -> QuerySet[ProjectInvitation]:
    return ProjectInvitation.objects.filter(student_id=user.pk).select_related(
        "project__organization", "invited_by"
    )


def invitation_for_student_project(*, user: User, project: Project) -> ProjectInvitation | None:
    """The student's invitation to this project, for its page (None for anyone else)."""
    if not (user.is_authenticated and user.is_student):
        return None
    return (
        ProjectInvitation.objects.filter(project_id=project.pk, student_id=user.pk)
        .select_related("invited_by")
        .first()
    )


def invitation_list_for_project(*, project: Project) -> QuerySet[ProjectInvitation]:
    """Invitations to ``project`` (from ``project_get_for_selection``: already scoped)."""
    return ProjectInvitation.objects.filter(project_id=project.pk).select_related(
        "student", "invited_by", "engagement"
    )


def _talent_pool(organization_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        engagements__project__organization_id=organization_id,
        engagements__status=Engagement.Status.COMPLETED,
    ).distinct()


def invitable_students_for(*, project: Project) -> QuerySet[User]:
    """The organization's past interns (its talent pool) who may be invited to
    ``project``: invitations on, not applied and not invited yet. Each has
    ``last_project_title``."""
    last_title = (
        Engagement.objects.filter(
            student_id=OuterRef("pk"),
            project__organization_id=project.organization_id,
            status=Engagement.Status.COMPLETED,
        )
        .order_by("-completed_at", "-pk")
        .values("project__title")[:1]
    )
    return (
        _talent_pool(project.organization_id)
        .exclude(network_preference__accepts_invitations=False)
        .exclude(
            Exists(Application.objects.filter(project_id=project.pk, student_id=OuterRef("pk")))
        )
        .exclude(
            Exists(
                ProjectInvitation.objects.filter(project_id=project.pk, student_id=OuterRef("pk"))
            )
        )
        .annotate(last_project_title=Subquery(last_title))
        .order_by("last_name", "first_name", "pk")
    )


def talent_pool_member_get(*, organization_id: int, pk: object) -> User:
    """A student who completed work for the organization; 404 for anybody else."""
    return get_object_or_404(_talent_pool(organization_id), pk=_int_or_404(pk))


def invited_student_ids(*, project: Project, student_ids: Iterable[int]) -> set[int]:
    """Which of these students were invited to ``project`` (for the applicant list)."""
    return set(
        ProjectInvitation.objects.filter(
            project_id=project.pk, student_id__in=list(student_ids)
        ).values_list("student_id", flat=True)
    )
