"""Two-sided feedback after a completed engagement, blind until both are in.

    engagement completed ──▶ feedback_request_for: "feedback due" to both sides
        supervisor (or an owner) ──▶ SupervisorFeedback (+ an Endorsement per skill)
        intern ──▶ InternFeedback
    second one submitted ──▶ released at once (same transaction)
    FEEDBACK_WINDOW_DAYS after completion ──▶ released by the beat task, whatever is in
    released ──▶ the intern may add a public reply; the student's applications are
                 rescored (the supervisor's rating counts in their rank score)

Neither side sees the other's feedback before the release; each side always sees what
it wrote. Once the window has closed no feedback is taken: the other side's may already
be visible, so a late one would no longer be blind.

Public services run in ``transaction.atomic(durable=True)``; ``feedback_request_for``
and ``feedback_reminders_send`` are non-atomic so ``engagement_approve`` (durable) and
the task can call them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Skill, User
from accounts.services.notifications import notify

from ..exceptions import MatchingError
from ..models import (
    Competency,
    Endorsement,
    Engagement,
    InternFeedback,
    SupervisorFeedback,
)
from ..selectors.engagements import ROLE_STUDENT, ROLE_SUPERVISOR, engagement_role
from .ranking import student_rescore_on_commit
from .records import bullets_redraft, experience_item_ensure
from .webhooks import webhook_events_emit, webhook_payload_engagement

WRITTEN_MAX = 4000
RECOMMENDATION_MAX = 2000
REPLY_MAX = 2000
COMMENT_MAX = 4000
OUTCOMES_MAX = 5
OUTCOME_MAX = 200
SKILLS_MAX = 12
SECOND_REMINDER_DAYS = 7


class FeedbackError(MatchingError):
    """A feedback rule refused the request; ``field`` names the form field, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def feedback_window_days() -> int:
    return int(getattr(settings, "FEEDBACK_WINDOW_DAYS", 14))


def feedback_window_closes_at(engagement: Engagement) -> dt.datetime | None:
    if engagement.completed_at is None:
        return None
    return engagement.completed_at + dt.timedelta(days=feedback_window_days())


# ------------------------------------------------------------------------------
# Private helpers (never atomic themselves)
# ------------------------------------------------------------------------------
def _name(user: User) -> str:
    return user.get_full_name() or user.email


def _feedback_link(engagement: Engagement) -> str:
    return reverse("matching:feedback-detail", kwargs={"pk": engagement.pk})


def _give_link(engagement: Engagement) -> str:
    return reverse("matching:feedback-give", kwargs={"pk": engagement.pk})


def _day(value: dt.datetime | None) -> str:
    if value is None:
        return "the day it closes"
    local = timezone.localtime(value)
    return f"{local:%B} {local.day}, {local.year}"


def _organization_side(engagement: Engagement) -> list[User]:
    """Who hears for the organization: the supervisor, and the owner who wrote the
    feedback if that was someone else."""
    people = {engagement.supervisor_id: engagement.supervisor}
    feedback = SupervisorFeedback.objects.filter(engagement=engagement).select_related("author")
    for row in feedback:
        people.setdefault(row.author_id, row.author)
    return list(people.values())


def _lock_open_for_feedback(engagement: Engagement, now: dt.datetime) -> Engagement:
    locked = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("project__organization", "student", "supervisor")
        .get(pk=engagement.pk)
    )
    if locked.status != Engagement.Status.COMPLETED:
        raise FeedbackError("Feedback opens once the engagement is completed.")
    closes = feedback_window_closes_at(locked)
    if locked.feedback_released_at is not None or (closes is not None and now >= closes):
        raise FeedbackError(
            f"The feedback window closed on {_day(closes or locked.feedback_released_at)}."
        )
    return locked


def _rating(value, *, field: str, label: str, optional: bool = False) -> int | None:
    if value in (None, ""):
        if optional:
            return None
        raise FeedbackError(f"Rate {label.lower()} from 1 to 5.", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise FeedbackError(f"Rate {label.lower()} from 1 to 5.", field=field) from exc
    if not 1 <= number <= 5:
        raise FeedbackError(f"Rate {label.lower()} from 1 to 5.", field=field)
    return number


def _text(value: str | None, *, limit: int, field: str, label: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise FeedbackError(f"{label} is required.", field=field)
    if len(text) > limit:
        raise FeedbackError(f"{label} can be at most {limit} characters.", field=field)
    return text


def _outcomes(values: Iterable[str] | None) -> list[str]:
    outcomes = [" ".join(str(v).split()) for v in values or []]
    outcomes = [o for o in outcomes if o]
    if len(outcomes) > OUTCOMES_MAX:
        raise FeedbackError(f"List at most {OUTCOMES_MAX} outcomes.", field="outcomes")
    for outcome in outcomes:
        if len(outcome) > OUTCOME_MAX:
            raise FeedbackError(
                f"Keep each outcome under {OUTCOME_MAX} characters.", field="outcomes"
            )
    return outcomes


def _release(engagement: Engagement, *, now: dt.datetime, actor: User | None) -> bool:
    """Make both feedbacks visible (the engagement row is locked by the caller), redraft
    the record's untouched bullets with what is now public to the student, and tell
    everyone but the actor. Returns False when it was already released."""
    updated = Engagement.objects.filter(pk=engagement.pk, feedback_released_at__isnull=True).update(
        feedback_released_at=now
    )
    if not updated:
        return False
    engagement.feedback_released_at = now
    # The supervisor's rating now counts in the student's average: rescore their
    # applications once this commits.
    student_rescore_on_commit(student_id=engagement.student_id)
    item = experience_item_ensure(engagement=engagement)
    if item is not None:
        bullets_redraft(item=item)
    title = engagement.project.title
    link = _feedback_link(engagement)
    for person in [engagement.student, *_organization_side(engagement)]:
        if actor is not None and person.pk == actor.pk:
            continue
        notify(
            recipient=person,
            actor=actor,
            kind="feedback_visible",
            text=f"The feedback on “{title}” is now visible to both sides.",
            link=link,
            dedupe_key=f"feedback-visible-{engagement.pk}-{person.pk}",
        )
    webhook_events_emit(
        organization_id=engagement.project.organization_id,
        event="feedback.released",
        payload=webhook_payload_engagement(engagement),
    )
    return True


def _both_in(engagement: Engagement) -> bool:
    return (
        SupervisorFeedback.objects.filter(engagement=engagement).exists()
        and InternFeedback.objects.filter(engagement=engagement).exists()
    )


# ------------------------------------------------------------------------------
# Giving feedback
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def supervisor_feedback_submit(
    *,
    engagement: Engagement,
    actor: User,
    ratings: dict[str, int | None],
    overall_rating: int,
    written_feedback: str,
    skills: Iterable[Skill] = (),
    outcomes: Iterable[str] = (),
    would_hire: bool,
    recommendation: str = "",
) -> SupervisorFeedback:
    """The supervisor (or an owner) rates the intern, once. ``ratings`` maps NACE
    competency → 1..5 or None (not observed). Each skill becomes an endorsement."""
    if engagement_role(engagement=engagement, user=actor) != ROLE_SUPERVISOR:
        raise PermissionDenied("Only the supervisor or an owner of the organization can do this.")
    now = timezone.now()
    locked = _lock_open_for_feedback(engagement, now)
    if SupervisorFeedback.objects.filter(engagement=locked).exists():
        raise FeedbackError("Feedback on this intern was already given.")
    unknown = set(ratings) - set(Competency.values)
    if unknown:
        raise FeedbackError(f"Unknown competency: {', '.join(sorted(unknown))}.")
    values = {
        c: _rating(ratings.get(c), field=c, label=label, optional=True)
        for c, label in Competency.choices
    }
    overall = _rating(overall_rating, field="overall_rating", label="Overall")
    written = _text(
        written_feedback,
        limit=WRITTEN_MAX,
        field="written_feedback",
        label="Written feedback",
        required=True,
    )
    recommendation = _text(
        recommendation,
        limit=RECOMMENDATION_MAX,
        field="recommendation",
        label="The recommendation",
        required=False,
    )
    outcome_list = _outcomes(outcomes)
    skill_list = list({skill.pk: skill for skill in skills}.values())
    if len(skill_list) > SKILLS_MAX:
        raise FeedbackError(f"Endorse at most {SKILLS_MAX} skills.", field="skills")
    feedback = SupervisorFeedback.objects.create(
        engagement=locked,
        author=actor,
        overall_rating=overall,
        written_feedback=written,
        outcomes=outcome_list,
        would_hire=bool(would_hire),
        recommendation=recommendation,
        submitted_at=now,
        **values,
    )
    if skill_list:
        feedback.demonstrated_skills.set(skill_list)
        Endorsement.objects.bulk_create(
            [
                Endorsement(
                    student_id=locked.student_id,
                    skill=skill,
                    engagement=locked,
                    endorsed_by=actor,
                    created_at=now,
                )
                for skill in skill_list
            ]
        )
    _after_submit(locked, actor=actor, now=now, waiting_for=locked.student)
    engagement.feedback_released_at = locked.feedback_released_at
    return feedback


@transaction.atomic(durable=True)
def intern_feedback_submit(
    *,
    engagement: Engagement,
    actor: User,
    brief_clarity: int,
    mentorship: int,
    scope_fairness: int,
    would_recommend: bool,
    comment: str = "",
) -> InternFeedback:
    """The intern rates the organization, once."""
    if engagement_role(engagement=engagement, user=actor) != ROLE_STUDENT:
        raise PermissionDenied("Only the intern on this engagement can do this.")
    now = timezone.now()
    locked = _lock_open_for_feedback(engagement, now)
    if InternFeedback.objects.filter(engagement=locked).exists():
        raise FeedbackError("You already gave your feedback on this engagement.")
    feedback = InternFeedback.objects.create(
        engagement=locked,
        author=actor,
        brief_clarity=_rating(brief_clarity, field="brief_clarity", label="Clarity of the brief"),
        mentorship=_rating(mentorship, field="mentorship", label="Quality of mentorship"),
        scope_fairness=_rating(
            scope_fairness, field="scope_fairness", label="Fairness of scope for the fee"
        ),
        would_recommend=bool(would_recommend),
        comment=_text(
            comment, limit=COMMENT_MAX, field="comment", label="The comment", required=False
        ),
        submitted_at=now,
    )
    _after_submit(locked, actor=actor, now=now, waiting_for=None)
    engagement.feedback_released_at = locked.feedback_released_at
    return feedback


def _after_submit(
    engagement: Engagement, *, actor: User, now: dt.datetime, waiting_for: User | None
) -> None:
    """Release when both are in; otherwise tell the other side (without the content)
    that feedback is waiting for theirs."""
    if _both_in(engagement):
        _release(engagement, now=now, actor=actor)
        return
    closes = feedback_window_closes_at(engagement)
    title = engagement.project.title
    recipients = [waiting_for] if waiting_for is not None else _organization_side(engagement)
    for person in recipients:
        notify(
            recipient=person,
            actor=actor,
            kind="feedback_waiting",
            text=f"{_name(actor)} left feedback on “{title}”. You will see it once you "
            f"give yours, or on {_day(closes)} when the window closes.",
            link=_give_link(engagement),
            dedupe_key=f"feedback-waiting-{engagement.pk}-{person.pk}",
        )


@transaction.atomic(durable=True)
def feedback_reply(*, engagement: Engagement, actor: User, reply: str) -> SupervisorFeedback:
    """The intern's public reply to the supervisor's feedback, once it is visible.
    Replying again replaces the earlier reply."""
    if engagement_role(engagement=engagement, user=actor) != ROLE_STUDENT:
        raise PermissionDenied("Only the intern can reply to this feedback.")
    locked = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    if locked.feedback_released_at is None:
        raise FeedbackError("You can reply once the feedback is visible to you.")
    feedback = SupervisorFeedback.objects.filter(engagement=locked).first()
    if feedback is None:
        raise FeedbackError("There is no feedback from your supervisor to reply to.")
    feedback.intern_reply = _text(
        reply, limit=REPLY_MAX, field="reply", label="Your reply", required=True
    )
    feedback.save(update_fields=["intern_reply"])
    notify(
        recipient=feedback.author,
        actor=actor,
        kind="feedback_reply",
        text=f"{_name(actor)} replied to your feedback on “{engagement.project.title}”.",
        link=_feedback_link(engagement),
    )
    return feedback


# ------------------------------------------------------------------------------
# Reminders and the window (non-atomic helpers + one durable service for the task)
# ------------------------------------------------------------------------------
def feedback_request_for(*, engagement: Engagement) -> None:
    """Ask both sides for feedback: call it when the engagement completes (inside
    ``engagement_approve``'s transaction). Each side is asked once (dedupe keys)."""
    _remind(engagement, stage="due", missing_only=False)


def feedback_reminders_send(*, engagement: Engagement) -> None:
    """The second reminder, to the sides whose feedback is still missing."""
    _remind(engagement, stage="reminder", missing_only=True)


def _remind(engagement: Engagement, *, stage: str, missing_only: bool) -> None:
    if engagement.status != Engagement.Status.COMPLETED or engagement.feedback_released_at:
        return
    title = engagement.project.title
    closes = feedback_window_closes_at(engagement)
    until = f" before {_day(closes)}" if closes else ""
    link = _give_link(engagement)
    ask_student = not (
        missing_only and InternFeedback.objects.filter(engagement=engagement).exists()
    )
    ask_supervisor = not (
        missing_only and SupervisorFeedback.objects.filter(engagement=engagement).exists()
    )
    if ask_student:
        notify(
            recipient=engagement.student,
            kind="feedback_due",
            text=f"How was “{title}”? Rate the brief, the mentorship and the fee{until}.",
            link=link,
            dedupe_key=f"feedback-{stage}-{engagement.pk}-student",
        )
    if ask_supervisor:
        notify(
            recipient=engagement.supervisor,
            kind="feedback_due",
            text=f"Give {_name(engagement.student)} feedback on “{title}”{until}: "
            "ratings, endorsed skills and outcomes.",
            link=link,
            dedupe_key=f"feedback-{stage}-{engagement.pk}-supervisor",
        )


def feedback_release_due_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Completed engagements whose window has closed and whose feedback is still blind."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=feedback_window_days())
    return list(
        Engagement.objects.filter(
            status=Engagement.Status.COMPLETED,
            feedback_released_at__isnull=True,
            completed_at__lte=cutoff,
        )
        .order_by("completed_at", "pk")
        .values_list("pk", flat=True)
    )


def feedback_reminder_due_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Completed at least SECOND_REMINDER_DAYS ago, window still open, something missing."""
    now = now or timezone.now()
    return list(
        Engagement.objects.filter(
            status=Engagement.Status.COMPLETED,
            feedback_released_at__isnull=True,
            completed_at__lte=now - dt.timedelta(days=SECOND_REMINDER_DAYS),
            completed_at__gt=now - dt.timedelta(days=feedback_window_days()),
        )
        .exclude(supervisor_feedback__isnull=False, intern_feedback__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def feedback_release_after_window(*, engagement_id: int) -> bool:
    """Release one engagement's feedback when its window has closed. Re-checks under
    the row lock; True only when this call released it."""
    locked = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("project__organization", "student", "supervisor")
        .filter(pk=engagement_id)
        .first()
    )
    if locked is None or locked.status != Engagement.Status.COMPLETED:
        return False
    if locked.feedback_released_at is not None:
        return False
    now = timezone.now()
    closes = feedback_window_closes_at(locked)
    if closes is None or now < closes:
        return False
    return _release(locked, now=now, actor=None)


@transaction.atomic(durable=True)
def feedback_remind(*, engagement_id: int) -> None:
    engagement = (
        Engagement.objects.select_related("project", "student", "supervisor")
        .filter(pk=engagement_id)
        .first()
    )
    if engagement is not None:
        feedback_reminders_send(engagement=engagement)
