"""Recommendations after a completed engagement: the student asks, a member writes.

RecommendationRequest:
    pending ──write (the member asked, before it expires)──▶ written
       ├──decline (the member asked; a kind default message)──▶ declined
       ├──withdraw (the student)───────────────────────────────▶ withdrawn
       └──expire (beat: unanswered after REQUEST_DAYS)─────────▶ expired
Recommendation (created issued by ``write``):
    issued ──revoke (its author, reason recorded)──▶ revoked

The student may ask the engagement's supervisor or another current member of the
organization who worked with them on it (``selectors.recommenders_for``), once per
person and engagement (a declined request counts: they asked and had an answer). At
request time the student chooses whether to waive their right to read the letter; the
recommendation keeps that choice. A letter the student may read they may also show on
their public record; any current letter they may attach to their own applications,
which is how a waived one reaches the employers they pick.

Public services run in ``transaction.atomic(durable=True)``; every status change goes
through ``core.statemachine.transition`` (row lock, table check, audit row), and the
creations write their first audit row themselves. ``notify`` records the notice in the
transaction and emails it after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, User
from accounts.services.notifications import notify
from core.exceptions import InvalidTransition
from core.statemachine import transition

from ..exceptions import MatchingError, NotAllowed
from ..models import (
    Application,
    Engagement,
    Recommendation,
    RecommendationAttachment,
    RecommendationEvent,
    RecommendationRequest,
    RecommendationRequestEvent,
)
from ..selectors.recommendations import (
    display_name,
    recommendation_request_live_for,
    recommendation_sign,
    recommenders_for,
)

RequestStatus = RecommendationRequest.Status
Status = Recommendation.Status

DECLINE_DEFAULT = (
    "Thank you for asking me. I am not able to write a recommendation for you at this "
    "time, and I did not want to leave you waiting. I wish you every success."
)
REASON_MAX = 2000
DECLINE_MAX = 2000
#: Applications a recommendation can still be attached to or taken off.
ATTACHABLE_APPLICATION_STATUSES = (
    Application.Status.SUBMITTED,
    Application.Status.SHORTLISTED,
)


def request_days() -> int:
    """Days a recommender has to answer before the request expires."""
    return int(getattr(settings, "RECOMMENDATION_REQUEST_DAYS", 21))


def remind_days() -> int:
    """The recommender is nudged once when this many days are left."""
    return int(getattr(settings, "RECOMMENDATION_REMIND_DAYS", 7))


class RecommendationError(MatchingError):
    """A recommendation rule refused the request. ``field`` names the form field it
    belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------------------
# Shared private helpers (never atomic themselves)
# ------------------------------------------------------------------------------
def _day(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%B} {local.day}, {local.year}"


def _clean(value: str | None, *, limit: int, field: str, label: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RecommendationError(f"{label} is required.", field=field)
    if len(text) > limit:
        raise RecommendationError(f"{label} can be at most {limit} characters.", field=field)
    return text


def _is_member_of(user: User, organization_id: int) -> bool:
    return Membership.objects.filter(user_id=user.pk, organization_id=organization_id).exists()


def _lock_request(request: RecommendationRequest) -> RecommendationRequest:
    return (
        RecommendationRequest.objects.select_for_update(of=("self",))
        .select_related("engagement__project", "student", "recommender", "organization")
        .get(pk=request.pk)
    )


def _require_recommender(request: RecommendationRequest, actor: User | None, doing: str) -> None:
    if actor is None or actor.pk != request.recommender_id:
        raise NotAllowed(f"Only the person who was asked can {doing} this request.")
    if not _is_member_of(actor, request.organization_id):
        raise NotAllowed(
            f"You are no longer a member of {request.organization}: you cannot {doing} this "
            "request."
        )


def _check_not_expired(request: RecommendationRequest, now: dt.datetime) -> None:
    if request.status == RequestStatus.PENDING and request.expires_at <= now:
        raise RecommendationError(
            f"This request expired on {_day(request.expires_at)}: it can no longer be "
            "answered. The student can ask again."
        )


def _notify(
    request: RecommendationRequest,
    *,
    recipient: User,
    kind: str,
    text: str,
    link: str,
    actor: User | None = None,
) -> None:
    notify(
        recipient=recipient,
        actor=actor,
        kind=kind,
        text=text,
        link=link,
        dedupe_key=f"{kind.replace('_', '-')}-{request.pk}-{recipient.pk}",
    )


# ------------------------------------------------------------------------------
# The student asks, or takes the request back
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def recommendation_request_create(
    *,
    engagement: Engagement,
    actor: User,
    recommender: User,
    note: str = "",
    waived: bool,
) -> RecommendationRequest:
    """The engagement's student asks ``recommender`` for a recommendation."""
    if actor is None or actor.pk != engagement.student_id:
        raise NotAllowed("Only the intern of this engagement can ask for a recommendation.")
    # Lock the engagement: two requests to the same person queue behind each other.
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("project__organization")
        .get(pk=engagement.pk)
    )
    if engagement.status != Engagement.Status.COMPLETED:
        raise RecommendationError(
            "You can ask for a recommendation once the engagement is completed."
        )
    if not recommenders_for(engagement=engagement).filter(pk=recommender.pk).exists():
        raise RecommendationError(
            "Ask the supervisor, or another current member of the organization who worked "
            "with you on this engagement.",
            field="recommender",
        )
    live = recommendation_request_live_for(engagement=engagement, recommender=recommender)
    if live is not None:
        already = {
            RequestStatus.PENDING: "is waiting for their answer",
            RequestStatus.WRITTEN: "was answered with a recommendation",
            RequestStatus.DECLINED: "was declined",
        }[RequestStatus(live.status)]
        raise RecommendationError(
            f"You already asked {display_name(recommender)} for this engagement: the request "
            f"{already}.",
            field="recommender",
        )
    note = _clean(
        note,
        limit=RecommendationRequest.NOTE_MAX,
        field="note",
        label="The note",
        required=False,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            request = RecommendationRequest.objects.create(
                engagement=engagement,
                student=actor,
                recommender=recommender,
                organization=engagement.project.organization,
                note=note,
                waived=bool(waived),
                status=RequestStatus.PENDING,
                expires_at=now + dt.timedelta(days=request_days()),
                created_at=now,
            )
    except IntegrityError as exc:  # the "one live request" constraint: a double submit
        raise RecommendationError(
            f"You already asked {display_name(recommender)} for this engagement.",
            field="recommender",
        ) from exc
    RecommendationRequestEvent.objects.create(
        request=request,
        from_status="",
        to_status=RequestStatus.PENDING,
        actor=actor,
        note="Waived the right to read it" if request.waived else "Asked",
    )
    _notify(
        request,
        recipient=recommender,
        actor=actor,
        kind="recommendation_requested",
        text=f"{display_name(actor)} asks you for a recommendation for “"
        f"{engagement.project.title}”. Please answer by {_day(request.expires_at)}.",
        link=request.get_absolute_url(),
    )
    return request


@transaction.atomic(durable=True)
def recommendation_request_withdraw(
    *, request: RecommendationRequest, actor: User
) -> RecommendationRequest:
    if actor is None or actor.pk != request.student_id:
        raise NotAllowed("Only the student who asked can withdraw this request.")
    locked = _lock_request(request)
    transition(request, to_status=RequestStatus.WITHDRAWN, actor=actor, note="Withdrawn")
    _notify(
        locked,
        recipient=locked.recommender,
        actor=actor,
        kind="recommendation_request_withdrawn",
        text=f"{display_name(locked.student)} withdrew their request for a recommendation.",
        link=locked.get_absolute_url(),
    )
    return request


# ------------------------------------------------------------------------------
# The member asked answers
# ------------------------------------------------------------------------------
def _clean_strengths(strengths: Sequence[Any]) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    for item in strengths:
        strength = _clean(
            (item or {}).get("strength"),
            limit=Recommendation.STRENGTH_MAX,
            field="strengths",
            label="A strength",
            required=False,
        )
        example = _clean(
            (item or {}).get("example"),
            limit=Recommendation.EXAMPLE_MAX,
            field="strengths",
            label="An example",
            required=False,
        )
        if not strength and not example:
            continue
        if not (strength and example):
            raise RecommendationError(
                "Give each strength an example of it from the work.", field="strengths"
            )
        cleaned.append({"strength": strength, "example": example})
    if not Recommendation.STRENGTHS_MIN <= len(cleaned) <= Recommendation.STRENGTHS_MAX:
        raise RecommendationError(
            f"Name {Recommendation.STRENGTHS_MIN} or {Recommendation.STRENGTHS_MAX} strengths, "
            "each with an example.",
            field="strengths",
        )
    return cleaned


@transaction.atomic(durable=True)
def recommendation_write(
    *,
    request: RecommendationRequest,
    actor: User,
    relationship: str,
    known_for: str,
    work_done: str,
    results: str,
    strengths: Sequence[dict[str, str]],
    would_work_again: bool,
    letter: str,
) -> Recommendation:
    """Write the recommendation asked for: pending → written, and the recommendation is
    issued, signed, and the student told."""
    _require_recommender(request, actor, "answer")
    R = Recommendation
    fields = {
        "relationship": _clean(
            relationship,
            limit=R.RELATIONSHIP_MAX,
            field="relationship",
            label="How you know the student",
            required=True,
        ),
        "known_for": _clean(
            known_for,
            limit=R.KNOWN_FOR_MAX,
            field="known_for",
            label="For how long",
            required=True,
        ),
        "work_done": _clean(
            work_done, limit=R.WORK_MAX, field="work_done", label="The work", required=True
        ),
        "results": _clean(
            results, limit=R.WORK_MAX, field="results", label="The results", required=True
        ),
        "strengths": _clean_strengths(strengths),
        "letter": _clean(
            letter, limit=R.LETTER_MAX, field="letter", label="The letter", required=True
        ),
    }
    now = timezone.now()
    locked = _lock_request(request)
    _check_not_expired(locked, now)
    transition(
        request,
        to_status=RequestStatus.WRITTEN,
        actor=actor,
        note="Recommendation written",
        fields={"answered_at": now},
    )
    recommendation = Recommendation(
        request=locked,
        engagement=locked.engagement,
        student=locked.student,
        author=actor,
        organization=locked.organization,
        would_work_again=bool(would_work_again),
        waived=locked.waived,
        show_on_record=False,
        status=Status.ISSUED,
        issued_at=now,
        **fields,
    )
    recommendation.signature = recommendation_sign(recommendation)
    recommendation.save()
    RecommendationEvent.objects.create(
        recommendation=recommendation,
        from_status="",
        to_status=Status.ISSUED,
        actor=actor,
        note="Written and signed",
    )
    if locked.waived:
        text = (
            f"{display_name(actor)} wrote your recommendation. You waived your right to read "
            "it: attach it to the applications you choose."
        )
    else:
        text = (
            f"{display_name(actor)} wrote you a recommendation. Read it, and choose whether "
            "it shows on your record."
        )
    _notify(
        locked,
        recipient=locked.student,
        actor=actor,
        kind="recommendation_written",
        text=text,
        link=recommendation.get_absolute_url(),
    )
    return recommendation


@transaction.atomic(durable=True)
def recommendation_request_decline(
    *, request: RecommendationRequest, actor: User, message: str = ""
) -> RecommendationRequest:
    """Say no, kindly: without a message of their own, the student reads
    ``DECLINE_DEFAULT``."""
    _require_recommender(request, actor, "decline")
    message = (
        _clean(message, limit=DECLINE_MAX, field="message", label="The message", required=False)
        or DECLINE_DEFAULT
    )
    now = timezone.now()
    locked = _lock_request(request)
    _check_not_expired(locked, now)
    transition(
        request,
        to_status=RequestStatus.DECLINED,
        actor=actor,
        note="Declined",
        fields={"answered_at": now, "decline_message": message},
    )
    _notify(
        locked,
        recipient=locked.student,
        actor=actor,
        kind="recommendation_declined",
        text=f"{display_name(actor)} answered your request for a recommendation: {message}",
        link=locked.get_absolute_url(),
    )
    return request


# ------------------------------------------------------------------------------
# After it is written
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def recommendation_revoke(
    *, recommendation: Recommendation, actor: User, reason: str
) -> Recommendation:
    """Its author withdraws it: verification then says it is no longer current, and no
    employer or visitor sees it any more. The student is told why."""
    if actor is None or actor.pk != recommendation.author_id:
        raise NotAllowed("Only the author of a recommendation can revoke it.")
    reason = _clean(reason, limit=REASON_MAX, field="reason", label="The reason", required=True)
    transition(
        recommendation,
        to_status=Status.REVOKED,
        actor=actor,
        note=reason,
        fields={"revoked_at": timezone.now(), "revoke_reason": reason, "show_on_record": False},
    )
    notify(
        recipient=recommendation.student,
        actor=actor,
        kind="recommendation_revoked",
        text=f"{display_name(actor)} withdrew the recommendation they wrote for you. "
        f"Their reason: {reason}",
        link=recommendation.get_absolute_url(),
        dedupe_key=f"recommendation-revoked-{recommendation.pk}",
    )
    return recommendation


def _lock_own(recommendation: Recommendation, actor: User | None) -> Recommendation:
    if actor is None or actor.pk != recommendation.student_id:
        raise NotAllowed("Only the student a recommendation is about can do this.")
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if locked.status != Status.ISSUED:
        raise RecommendationError("This recommendation was withdrawn by its author.")
    return locked


@transaction.atomic(durable=True)
def recommendation_set_visibility(
    *, recommendation: Recommendation, actor: User, show_on_record: bool
) -> Recommendation:
    """Show a letter the student may read on their public record, or hide it."""
    locked = _lock_own(recommendation, actor)
    if locked.waived and show_on_record:
        raise RecommendationError(
            "You waived your right to read this recommendation, so it is never shown on "
            "your public record: attach it to applications instead."
        )
    locked.show_on_record = bool(show_on_record)
    locked.save(update_fields=["show_on_record", "updated_at"])
    recommendation.show_on_record = locked.show_on_record
    return recommendation


@transaction.atomic(durable=True)
def recommendation_attachments_set(
    *, application: Application, actor: User, recommendations: Iterable[Recommendation]
) -> int:
    """Make ``recommendations`` the ones sent with ``application`` (the employer reads
    them in its applicant view). Only while the application is undecided. Returns how
    many are attached."""
    if actor is None or actor.pk != application.student_id:
        raise NotAllowed("Only the applicant can attach recommendations to an application.")
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in ATTACHABLE_APPLICATION_STATUSES:
        raise RecommendationError(
            f"This application is {locked.get_status_display().lower()}: its recommendations "
            "can no longer change."
        )
    wanted = {rec.pk for rec in recommendations}
    owned = set(
        Recommendation.objects.filter(
            pk__in=wanted, student_id=actor.pk, status=Status.ISSUED
        ).values_list("pk", flat=True)
    )
    if owned != wanted:
        raise RecommendationError(
            "Attach only your own current recommendations.", field="recommendations"
        )
    current = set(
        RecommendationAttachment.objects.filter(application_id=locked.pk).values_list(
            "recommendation_id", flat=True
        )
    )
    RecommendationAttachment.objects.filter(
        application_id=locked.pk, recommendation_id__in=current - wanted
    ).delete()
    RecommendationAttachment.objects.bulk_create(
        [
            RecommendationAttachment(application_id=locked.pk, recommendation_id=pk)
            for pk in sorted(wanted - current)
        ]
    )
    return len(wanted)


# ------------------------------------------------------------------------------
# Deadlines (run by beat)
# ------------------------------------------------------------------------------
def recommendation_requests_overdue_ids(*, now: dt.datetime | None = None) -> list[int]:
    return list(
        RecommendationRequest.objects.filter(
            status=RequestStatus.PENDING, expires_at__lte=now or timezone.now()
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def recommendation_request_expire(
    *, request: RecommendationRequest, now: dt.datetime | None = None
) -> RecommendationRequest:
    """pending → expired once unanswered past its date; the student hears clearly, the
    member asked in the inbox. Raises InvalidTransition when answered meanwhile."""
    locked = _lock_request(request)
    if locked.status == RequestStatus.PENDING and locked.expires_at > (now or timezone.now()):
        raise RecommendationError("This request has not expired yet.")
    transition(
        request,
        to_status=RequestStatus.EXPIRED,
        actor=None,
        note=f"No answer by {_day(locked.expires_at)}",
    )
    name = display_name(locked.recommender)
    _notify(
        locked,
        recipient=locked.student,
        kind="recommendation_request_expired",
        text=f"Your request for a recommendation from {name} expired: there was no answer "
        f"within {request_days()} days. You can ask them again, or ask someone else who "
        "worked with you.",
        link=locked.get_absolute_url(),
    )
    _notify(
        locked,
        recipient=locked.recommender,
        kind="recommendation_request_expired",
        text=f"The request for a recommendation from {display_name(locked.student)} expired "
        "unanswered.",
        link=locked.get_absolute_url(),
    )
    return request


def recommendation_requests_expire_overdue(*, now: dt.datetime | None = None) -> int:
    """Expire every overdue pending request, each in its own short transaction; one
    answered between the scan and the lock is skipped. Safe to run twice. Returns how
    many expired."""
    now = now or timezone.now()
    expired = 0
    for pk in recommendation_requests_overdue_ids(now=now):
        request = RecommendationRequest.objects.filter(pk=pk, status=RequestStatus.PENDING).first()
        if request is None:
            continue
        try:
            recommendation_request_expire(request=request, now=now)
        except (InvalidTransition, RecommendationError):
            continue
        expired += 1
    return expired


@transaction.atomic(durable=True)
def recommendation_requests_remind(*, now: dt.datetime | None = None) -> int:
    """Nudge each member with a request still pending and due within ``remind_days()``
    — once per request (the dedupe key makes a second run record nothing). Returns how
    many nudges were recorded."""
    now = now or timezone.now()
    requests = RecommendationRequest.objects.filter(
        status=RequestStatus.PENDING,
        expires_at__gt=now,
        expires_at__lte=now + dt.timedelta(days=remind_days()),
    ).select_related("student", "recommender", "engagement__project")
    sent = 0
    for request in requests.order_by("pk"):
        notification = notify(
            recipient=request.recommender,
            kind="recommendation_reminder",
            text=f"{display_name(request.student)} is still waiting for your recommendation "
            f"for “{request.engagement.project.title}”: the request expires on "
            f"{_day(request.expires_at)}.",
            link=request.get_absolute_url(),
            dedupe_key=f"recommendation-reminder-{request.pk}",
        )
        sent += notification is not None
    return sent


# ------------------------------------------------------------------------------
# Account deletion (called by marketplace.privacy.erasure inside its transaction)
# ------------------------------------------------------------------------------
#: What a revoked letter's reason and its audit row say once its student is gone.
ERASED_REASON = "The student it was about closed their Internly account: its text was erased."


def recommendations_erase_for_student(*, student: User) -> dict[str, int]:
    """Erase what recommendations say about ``student`` for the deletion of their
    account; runs in the caller's transaction (not durable, like the erasure around it).

    Current letters are revoked (audit row, actor the student) so no employer, visitor
    or verifier sees them again; every letter's text is erased, which the verification
    reads as "no longer valid" (``selectors.recommendation_is_erased``). The rows, their
    status and history stay: the author's and the organization's record that a letter
    was written, and when. Attachments to applications go, and so do the notes the
    student wrote when asking. Pending requests are withdrawn beforehand through
    ``recommendation_request_withdraw``, so the people asked are told as usual."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("recommendations_erase_for_student() runs in the caller's transaction")
    now = timezone.now()
    letters = Recommendation.objects.filter(student_id=student.pk)
    revoked = 0
    for recommendation in letters.filter(status=Status.ISSUED).order_by("pk"):
        transition(
            recommendation,
            to_status=Status.REVOKED,
            actor=student,
            note=ERASED_REASON,
            fields={"revoked_at": now, "revoke_reason": ERASED_REASON, "show_on_record": False},
        )
        revoked += 1
    erased = letters.update(
        relationship="",
        known_for="",
        work_done="",
        results="",
        strengths=[],
        letter="",
        show_on_record=False,
        updated_at=now,
    )
    attachments, _ = RecommendationAttachment.objects.filter(
        recommendation__student_id=student.pk
    ).delete()
    RecommendationRequest.objects.filter(student_id=student.pk).exclude(note="").update(
        note="", updated_at=now
    )
    return {
        "recommendations_revoked": revoked,
        "recommendations_erased": erased,
        "recommendation_attachments_deleted": attachments,
    }
