"""Reads for recommendations, scoped to the user, and their signature and verification.

Who sees what:

- a request: its student and the member asked to write it; anyone else gets a 404;
- a recommendation's page: its student and its author. The student reads the letter
  only when they did not waive that right; otherwise they see that it exists;
- an employer: the current recommendations a student attached to an application to one
  of its organization's projects (waived ones too: attaching is how they are shared);
- anyone: a current, not waived recommendation the student shows on their record, and
  the verification page of any recommendation (never a waived letter's text).

A recommendation is signed when written: an HMAC-SHA256, keyed from SECRET_KEY through
``salted_hmac``, over the canonical JSON of the letter and what ties it to the
engagement (as matching.credentials signs a credential). Verifying recomputes it from
the stored row, so a letter edited after it was written no longer verifies. The printed
letter carries the first characters of the signature as its verification code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import Membership, User

from ..credentials import canonical_json
from ..models import (
    Application,
    Engagement,
    EngagementEvent,
    Message,
    Recommendation,
    RecommendationAttachment,
    RecommendationEvent,
    RecommendationRequest,
    RecommendationRequestEvent,
    SupervisorFeedback,
)

HMAC_SALT = "matching.recommendations.v1"
#: Characters of the signature printed on the letter (grouped by four).
CODE_LENGTH = 16

RequestStatus = RecommendationRequest.Status
Status = Recommendation.Status


def _membership(user: User) -> Membership | None:
    if not user.is_authenticated or not user.is_employer:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def display_name(user: User) -> str:
    return user.get_full_name() or str(user)


# ------------------------------------------------------------------------------
# Who may be asked
# ------------------------------------------------------------------------------
def recommenders_for(*, engagement: Engagement) -> QuerySet[User]:
    """Current members of the engagement's organization who worked with the student on
    it: its supervisor and the project's, and any member who wrote in its thread, acted
    on it (reviewed, approved…) or gave its feedback."""
    organization_id = engagement.project.organization_id
    worked = (
        Q(pk__in=(engagement.supervisor_id, engagement.project.supervisor_id))
        | Exists(Message.objects.filter(engagement_id=engagement.pk, author_id=OuterRef("pk")))
        | Exists(
            EngagementEvent.objects.filter(engagement_id=engagement.pk, actor_id=OuterRef("pk"))
        )
        | Exists(
            SupervisorFeedback.objects.filter(engagement_id=engagement.pk, author_id=OuterRef("pk"))
        )
    )
    return (
        User.objects.filter(
            worked,
            is_active=True,
            role=User.Role.EMPLOYER,
            membership__organization_id=organization_id,
        )
        .exclude(pk=engagement.student_id)
        .order_by("first_name", "last_name", "pk")
    )


def recommendation_request_live_for(
    *, engagement: Engagement, recommender: User
) -> RecommendationRequest | None:
    """The request to this person for this engagement that blocks asking again."""
    return (
        RecommendationRequest.objects.filter(
            engagement_id=engagement.pk,
            recommender_id=recommender.pk,
            status__in=RecommendationRequest.BLOCKING,
        )
        .order_by("-created_at")
        .first()
    )


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
def _request_qs() -> QuerySet[RecommendationRequest]:
    return RecommendationRequest.objects.select_related(
        "engagement__project", "student", "recommender", "organization"
    )


def recommendation_request_queryset_for(*, user: User) -> QuerySet[RecommendationRequest]:
    if not user.is_authenticated:
        return RecommendationRequest.objects.none()
    if user.is_student:
        return RecommendationRequest.objects.filter(student_id=user.pk)
    if _membership(user) is None:
        return RecommendationRequest.objects.none()
    return RecommendationRequest.objects.filter(recommender_id=user.pk)


def recommendation_request_get_for(*, user: User, pk: int) -> RecommendationRequest:
    """A request the user sent (student) or was asked (member); 404 otherwise."""
    return get_object_or_404(
        recommendation_request_queryset_for(user=user).select_related(
            "engagement__project", "student", "recommender", "organization"
        ),
        pk=pk,
    )


def recommendation_request_list_for_student(*, user: User) -> QuerySet[RecommendationRequest]:
    return _request_qs().filter(student_id=user.pk).order_by("-created_at", "-pk")


def recommendation_request_list_for_recommender(*, user: User) -> QuerySet[RecommendationRequest]:
    """Requests the member was asked, the ones awaiting an answer first."""
    return (
        _request_qs()
        .filter(recommender_id=user.pk)
        .order_by(
            Case(
                When(status=RequestStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "expires_at",
            "-pk",
        )
    )


def recommendation_request_events(
    *, request: RecommendationRequest
) -> QuerySet[RecommendationRequestEvent]:
    return request.events.select_related("actor").order_by("created_at", "pk")


# ------------------------------------------------------------------------------
# Recommendations
# ------------------------------------------------------------------------------
def _recommendation_qs() -> QuerySet[Recommendation]:
    return Recommendation.objects.select_related(
        "engagement__project", "student", "author", "organization", "request"
    )


def recommendation_get_for(*, user: User, pk: int) -> Recommendation:
    """A recommendation about the user (student) or by the user (its author); 404
    otherwise. Whether the student may read the letter is ``can_read_letter``."""
    if not user.is_authenticated:
        return get_object_or_404(Recommendation.objects.none(), pk=pk)
    scope = Q(student_id=user.pk) if user.is_student else Q(author_id=user.pk)
    return get_object_or_404(_recommendation_qs().filter(scope), pk=pk)


def can_read_letter(*, recommendation: Recommendation, user: User) -> bool:
    if user.pk == recommendation.author_id:
        return True
    return user.pk == recommendation.student_id and not recommendation.waived


def recommendation_list_for_student(*, user: User) -> QuerySet[Recommendation]:
    return _recommendation_qs().filter(student_id=user.pk).order_by("-issued_at", "-pk")


def recommendation_list_for_author(*, user: User) -> QuerySet[Recommendation]:
    return _recommendation_qs().filter(author_id=user.pk).order_by("-issued_at", "-pk")


def recommendation_events(*, recommendation: Recommendation) -> QuerySet[RecommendationEvent]:
    return recommendation.events.select_related("actor").order_by("created_at", "pk")


def recommendation_get_for_letter(*, user: User, pk: int) -> Recommendation:
    """The student's own, current, not waived recommendation, for the printable
    letter; anything else is a 404."""
    return get_object_or_404(
        _recommendation_qs().filter(student_id=user.pk, waived=False, status=Status.ISSUED),
        pk=pk,
    )


def recommendation_list_public(*, student: User) -> QuerySet[Recommendation]:
    """What the student's public record shows."""
    return _recommendation_qs().filter(
        student_id=student.pk, status=Status.ISSUED, waived=False, show_on_record=True
    )


def recommendation_attachable_for(*, application: Application) -> QuerySet[Recommendation]:
    """The student's current recommendations, which they may attach to ``application``."""
    return _recommendation_qs().filter(student_id=application.student_id, status=Status.ISSUED)


def recommendation_attached_ids(*, application: Application) -> set[int]:
    return set(
        RecommendationAttachment.objects.filter(application_id=application.pk).values_list(
            "recommendation_id", flat=True
        )
    )


def recommendation_list_for_application(*, application: Application) -> list[Recommendation]:
    """The current recommendations attached to ``application``, for its employer (the
    caller got the application through a selector scoped to that employer)."""
    return list(
        _recommendation_qs()
        .filter(attachments__application_id=application.pk, status=Status.ISSUED)
        .order_by("-issued_at", "-pk")
    )


# ------------------------------------------------------------------------------
# Signature and verification
# ------------------------------------------------------------------------------
def recommendation_payload(recommendation: Recommendation) -> dict[str, Any]:
    """Everything the signature covers: the letter and what ties it to the engagement.
    Names are read from the rows they belong to, as they were when it was signed."""
    engagement = recommendation.engagement
    return {
        "id": str(recommendation.verification_id),
        "engagement": engagement.pk,
        "project": engagement.project.title,
        "student": recommendation.student_id,
        "author": recommendation.author_id,
        "organization": recommendation.organization_id,
        "issued": recommendation.issued_at.isoformat(),
        "waived": recommendation.waived,
        "relationship": recommendation.relationship,
        "known_for": recommendation.known_for,
        "work_done": recommendation.work_done,
        "results": recommendation.results,
        "strengths": recommendation.strengths,
        "would_work_again": recommendation.would_work_again,
        "letter": recommendation.letter,
    }


def recommendation_sign(recommendation: Recommendation) -> str:
    return salted_hmac(
        HMAC_SALT, canonical_json(recommendation_payload(recommendation)), algorithm="sha256"
    ).hexdigest()


def verification_code(recommendation: Recommendation) -> str:
    """The code printed on the letter: the signature's first characters, by four."""
    code = recommendation.signature[:CODE_LENGTH].upper()
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _normal_code(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


@dataclass
class RecommendationVerification:
    genuine: bool
    current: bool
    reason: str
    recommendation: Recommendation | None = None

    @property
    def valid(self) -> bool:
        return self.genuine and self.current

    @property
    def shows_letter(self) -> bool:
        """The verifier may read the letter: genuine, current and not waived."""
        return self.valid and self.recommendation is not None and not self.recommendation.waived

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "valid": self.valid,
            "genuine": self.genuine,
            "current": self.current,
            "reason": self.reason,
        }
        rec = self.recommendation
        if rec is not None and self.genuine:
            data.update(
                {
                    "student": display_name(rec.student),
                    "author": display_name(rec.author),
                    "organization": rec.organization.name,
                    "project": rec.engagement.project.title,
                    "completed": rec.engagement.completed_at.date().isoformat()
                    if rec.engagement.completed_at
                    else None,
                    "issued": rec.issued_at.date().isoformat(),
                    "waived": rec.waived,
                }
            )
        return data


def recommendation_is_erased(recommendation: Recommendation) -> bool:
    """Its student deleted their account: the letter was revoked and its text erased
    (``services.recommendations_erase_for_student``). A written letter is never empty."""
    return recommendation.status == Status.REVOKED and not recommendation.letter


def recommendation_verify(
    *, verification_id: uuid.UUID, code: str = ""
) -> RecommendationVerification:
    """Is this recommendation genuine (written here, for this engagement, unaltered, and
    — with ``code`` — the one the printed letter names) and current (not revoked)?"""
    recommendation = _recommendation_qs().filter(verification_id=verification_id).first()
    if recommendation is None:
        return RecommendationVerification(
            False, False, "No recommendation with this id was written on Internly."
        )
    if recommendation_is_erased(recommendation):
        # Checked before the signature, which no longer matches the erased text; nothing
        # about the letter or its people is returned.
        return RecommendationVerification(
            False,
            False,
            "This recommendation is no longer valid: the student it was about closed their "
            "Internly account, and its text was erased.",
        )
    engagement = recommendation.engagement
    if (
        engagement.student_id != recommendation.student_id
        or engagement.status != Engagement.Status.COMPLETED
        or not constant_time_compare(recommendation.signature, recommendation_sign(recommendation))
    ):
        return RecommendationVerification(
            False, False, "This recommendation was altered after it was written: it is not valid."
        )
    if code.strip() and not constant_time_compare(
        _normal_code(code), recommendation.signature[:CODE_LENGTH]
    ):
        return RecommendationVerification(
            False,
            False,
            "The verification code does not match this recommendation: the letter you hold "
            "is not the one written here.",
        )
    if recommendation.status == Status.REVOKED:
        return RecommendationVerification(
            True,
            False,
            "This recommendation was written here but its author has since withdrawn it: "
            "it is no longer current.",
            recommendation,
        )
    return RecommendationVerification(
        True,
        True,
        "Genuine and current: written on Internly by a member of the organization after a "
        "completed engagement, unaltered and not withdrawn.",
        recommendation,
    )
