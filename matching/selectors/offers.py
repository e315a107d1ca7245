"""Reads for offers, the talent pool and self-reported outcomes, scoped to the user.

Who sees an offer: the student who received it, and every member of the organization
that extended it. Anyone else gets a 404. An organization's talent pool is the students
who completed at least one engagement on its projects.

Conversion (for the statistics): an engagement converted when an *accepted* offer from
the same organization cites it, or — for offers made from the talent pool without
citing one — when that organization's accepted offer went to the same student after
the engagement was completed.
"""

from __future__ import annotations

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization, User

from ..models import Engagement, Offer, OfferEvent, OutcomeReport, SupervisorFeedback

Status = Offer.Status


def _membership(user: User) -> Membership | None:
    if not user.is_authenticated or not user.is_employer:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def _int_or_404(value: object) -> int:
    """Ids from query strings and hidden fields: a malformed one is a 404, not a 500."""
    try:
        number = int(str(value))
    except ValueError:
        raise Http404("Not found.") from None
    if not 0 < number < 2**31:
        raise Http404("Not found.")
    return number


def _offer_qs() -> QuerySet[Offer]:
    return Offer.objects.select_related(
        "organization", "student", "created_by", "engagement__project"
    )


# ------------------------------------------------------------------------------
# Offers
# ------------------------------------------------------------------------------
def offer_queryset_for(*, user: User) -> QuerySet[Offer]:
    if not user.is_authenticated:
        return Offer.objects.none()
    if user.is_student:
        return Offer.objects.filter(student_id=user.pk)
    membership = _membership(user)
    if membership is None:
        return Offer.objects.none()
    return Offer.objects.filter(organization_id=membership.organization_id)


def offer_list_for_student(*, user: User, status: str = "") -> QuerySet[Offer]:
    qs = _offer_qs().filter(student_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def offer_list_for_organization(*, organization: Organization, status: str = "") -> QuerySet[Offer]:
    qs = _offer_qs().filter(organization_id=organization.pk)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def offer_status_counts(*, queryset: QuerySet[Offer]) -> dict[str, int]:
    rows = queryset.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    return dict(rows)


def offer_get_for(*, user: User, pk: int) -> Offer:
    """One offer the user may open (its student, a member of its organization); 404
    otherwise."""
    return get_object_or_404(
        offer_queryset_for(user=user).select_related(
            "organization", "student", "created_by", "engagement__project"
        ),
        pk=pk,
    )


def offer_events(*, offer: Offer) -> QuerySet[OfferEvent]:
    return (
        OfferEvent.objects.filter(offer_id=offer.pk)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def offer_open_for(*, organization: Organization, student: User) -> Offer | None:
    return (
        Offer.objects.filter(
            organization_id=organization.pk, student_id=student.pk, status=Status.EXTENDED
        )
        .order_by("-created_at")
        .first()
    )


# ------------------------------------------------------------------------------
# The talent pool
# ------------------------------------------------------------------------------
def _completed_here(organization: Organization) -> Q:
    return Q(
        engagements__project__organization_id=organization.pk,
        engagements__status=Engagement.Status.COMPLETED,
    )


def talent_pool_for(*, organization: Organization) -> QuerySet[User]:
    """Students who completed work for ``organization``, most recent first, each with:
    ``projects_done``, ``last_completed_at``, ``last_project_title``, ``rating`` (the
    average overall rating the organization gave, from released feedback only),
    ``would_hire`` (released feedback said so), and the latest offer's
    ``offer_status`` / ``offer_status_label`` / ``offer_pk``. One query."""
    org_id = organization.pk
    completed = Engagement.objects.filter(
        project__organization_id=org_id,
        student_id=OuterRef("pk"),
        status=Engagement.Status.COMPLETED,
    )
    latest_offer = Offer.objects.filter(organization_id=org_id, student_id=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    released_feedback = SupervisorFeedback.objects.filter(
        engagement__project__organization_id=org_id,
        engagement__student_id=OuterRef("pk"),
        engagement__status=Engagement.Status.COMPLETED,
        engagement__feedback_released_at__isnull=False,
    )
    return (
        # The filter before annotate restricts the engagements the aggregates see to
        # this organization's completed ones (one join, reused).
        User.objects.filter(_completed_here(organization))
        .annotate(
            projects_done=Count("engagements", distinct=True),
            last_completed_at=Max("engagements__completed_at"),
            rating=Avg(
                "engagements__supervisor_feedback__overall_rating",
                filter=Q(engagements__feedback_released_at__isnull=False),
            ),
            last_project_title=Subquery(
                completed.order_by("-completed_at", "-pk").values("project__title")[:1]
            ),
            would_hire=Exists(released_feedback.filter(would_hire=True)),
            offer_pk=Subquery(latest_offer.values("pk")[:1]),
            offer_status=Subquery(latest_offer.values("status")[:1]),
        )
        .annotate(
            offer_status_label=Case(
                *[When(offer_status=value, then=Value(label)) for value, label in Status.choices],
                default=Value(""),
                output_field=CharField(),
            )
        )
        .order_by("-last_completed_at", "pk")
    )


def talent_pool_student_get(*, organization: Organization, pk: object) -> User:
    """A student of the organization's talent pool; 404 for anybody else."""
    return get_object_or_404(
        User.objects.filter(_completed_here(organization)).distinct(), pk=_int_or_404(pk)
    )


def completed_engagement_get(*, organization: Organization, pk: object) -> Engagement:
    """A completed engagement on one of the organization's projects; 404 otherwise."""
    return get_object_or_404(
        Engagement.objects.select_related("project", "student"),
        pk=_int_or_404(pk),
        project__organization_id=organization.pk,
        status=Engagement.Status.COMPLETED,
    )


# ------------------------------------------------------------------------------
# Conversion (for the statistics)
# ------------------------------------------------------------------------------
def conversion_exists() -> Exists:
    """For annotating an Engagement queryset: ``.annotate(converted=conversion_exists())``.
    True when an accepted offer from the engagement's organization cites it, or went to
    its student after it was completed (whichever engagement that offer cites)."""
    return Exists(
        Offer.objects.filter(
            status=Status.ACCEPTED,
            organization_id=OuterRef("project__organization_id"),
        ).filter(
            Q(engagement_id=OuterRef("pk"))
            | Q(student_id=OuterRef("student_id"), created_at__gte=OuterRef("completed_at"))
        )
    )


def engagement_converted(engagement: Engagement) -> bool:
    """Did this engagement lead to a hire (see ``conversion_exists``)?"""
    return (
        Engagement.objects.filter(pk=engagement.pk, status=Engagement.Status.COMPLETED)
        .annotate(converted=conversion_exists())
        .filter(converted=True)
        .exists()
    )


# ------------------------------------------------------------------------------
# Self-reported outcomes
# ------------------------------------------------------------------------------
def outcome_list_for_student(*, user: User) -> QuerySet[OutcomeReport]:
    return OutcomeReport.objects.filter(student_id=user.pk).order_by("-reported_at", "-pk")


def outcome_get_for_student(*, user: User, pk: object) -> OutcomeReport:
    """One of the student's own reports; 404 for another's, or for a malformed id."""
    return get_object_or_404(OutcomeReport.objects.filter(student_id=user.pk), pk=_int_or_404(pk))
