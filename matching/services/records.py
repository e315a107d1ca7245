"""The student's verified experience record: one item per completed engagement, the
student's choices of what others see, résumé bullets, share links and credentials.

    completed engagement ──experience_item_ensure──▶ ExperienceItem (+ drafted bullets)
    item: pending (only the student sees it) ──publish / hide──▶ decided
          (saving the visibility form decides too; deciding is one-way, audited, and
          afterwards the student's toggles alone say what others see)
    feedback released ──▶ untouched drafts are re-drafted with outcomes and endorsements
    bullet: draft ──save──▶ edited (not shown) ──approve──▶ approved (shown to others)
                 └──────────────approve──────────────────────┘   editing un-approves
    share link: created (token shown once, stored hashed) ──revoke──▶ revoked
    credential: issued with the item ──revoke──▶ revoked (verification says so)

Public services run in ``transaction.atomic(durable=True)``; ``experience_item_ensure``
and ``bullets_redraft`` are non-atomic helpers other services call inside their own
transaction (``engagement_approve``, the feedback release).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User, hash_token
from core.statemachine import transition

from ..bullets import draft_bullets
from ..exceptions import InvalidTransition, MatchingError
from ..models import (
    Endorsement,
    Engagement,
    ExperienceItem,
    HoursEntry,
    RecordShare,
    ResumeBullet,
    SupervisorFeedback,
)

BULLET_MAX = 300
BULLETS_PER_ITEM_MAX = 5
ACTIVE_SHARES_MAX = 10


class RecordError(MatchingError):
    """A record rule refused the request; ``field`` names the form field, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _require_owner(student_id: int, actor: User) -> None:
    if actor is None or actor.pk != student_id:
        raise PermissionDenied("Only the student can change their own record.")


# ------------------------------------------------------------------------------
# Items and drafted bullets (non-atomic helpers)
# ------------------------------------------------------------------------------
def bullet_inputs(*, engagement: Engagement) -> dict:
    """What ``draft_bullets`` needs. Outcomes and endorsed skills are part of the
    supervisor's feedback, so they count only once the feedback is released."""
    project = engagement.project
    hours = HoursEntry.objects.filter(engagement=engagement).aggregate(total=Sum("hours"))["total"]
    outcomes: list[str] = []
    skills: list[str] = []
    if engagement.feedback_released_at is not None:
        feedback = SupervisorFeedback.objects.filter(engagement=engagement).first()
        if feedback is not None:
            outcomes = [str(o) for o in feedback.outcomes or []]
        skills = list(
            Endorsement.objects.filter(engagement=engagement)
            .order_by("skill__name")
            .values_list("skill__name", flat=True)
        )
    return {
        "project_title": project.title,
        "category": project.category,
        "deliverables": [str(d) for d in project.deliverables or []],
        "outcomes": outcomes,
        "skills": skills,
        "hours": float(hours) if hours else None,
        "organization": project.organization.name,
    }


def bullets_redraft(*, item: ExperienceItem) -> int:
    """Replace the drafts the student has not touched (no edit, no approval) with fresh
    ones. A student's own words are never overwritten. Returns how many were written."""
    bullets = list(item.bullets.all())
    if any(b.text or b.approved_at for b in bullets):
        return 0
    drafts = draft_bullets(**bullet_inputs(engagement=item.engagement))
    ResumeBullet.objects.filter(item=item).delete()
    ResumeBullet.objects.bulk_create(
        [
            ResumeBullet(item=item, position=index, draft_text=text[:BULLET_MAX])
            for index, text in enumerate(drafts)
        ]
    )
    return len(drafts)


def experience_item_ensure(*, engagement: Engagement) -> ExperienceItem | None:
    """The record item of a completed engagement, created (with drafted bullets) the
    first time. Safe to call twice; None for an engagement that is not completed.
    Non-atomic: call it inside the caller's transaction (``engagement_approve``)."""
    if engagement.status != Engagement.Status.COMPLETED:
        return None
    item, created = ExperienceItem.objects.get_or_create(
        engagement=engagement, defaults={"student_id": engagement.student_id}
    )
    if created:
        bullets_redraft(item=item)
    return item


@transaction.atomic(durable=True)
def experience_items_ensure_for(*, student: User) -> int:
    """Create the missing items of a student's completed engagements (a fallback for
    engagements completed before the record existed). Returns how many were created."""
    missing = (
        Engagement.objects.filter(student=student, status=Engagement.Status.COMPLETED)
        .filter(experience_item__isnull=True)
        .select_related("project__organization")
    )
    created = 0
    for engagement in missing:
        if experience_item_ensure(engagement=engagement) is not None:
            created += 1
    return created


# ------------------------------------------------------------------------------
# The student's choices
# ------------------------------------------------------------------------------
SHOWN_NOTE = "Shown to others"
HIDDEN_NOTE = "Hidden from others"


def _decide(item: ExperienceItem, *, actor: User, is_visible: bool) -> ExperienceItem:
    """pending → decided with the student's choice, under the row lock, audited. Inside
    the caller's transaction."""
    try:
        transition(
            item,
            to_status=ExperienceItem.Status.DECIDED,
            actor=actor,
            note=SHOWN_NOTE if is_visible else HIDDEN_NOTE,
            fields={"is_visible": is_visible},
        )
    except InvalidTransition as exc:
        raise RecordError(
            "You already chose for this experience: change who sees it under "
            "“Who sees this experience”."
        ) from exc
    return item


@transaction.atomic(durable=True)
def experience_item_publish(*, item: ExperienceItem, actor: User) -> ExperienceItem:
    """The student shows a new item to others (the ratings and quote as their toggles
    say)."""
    _require_owner(item.student_id, actor)
    return _decide(item, actor=actor, is_visible=True)


@transaction.atomic(durable=True)
def experience_item_hide(*, item: ExperienceItem, actor: User) -> ExperienceItem:
    """The student keeps a new item to themselves; they can show it later."""
    _require_owner(item.student_id, actor)
    return _decide(item, actor=actor, is_visible=False)


@transaction.atomic(durable=True)
def experience_item_set_visibility(
    *,
    item: ExperienceItem,
    actor: User,
    is_visible: bool,
    show_ratings: bool,
    show_quote: bool,
) -> ExperienceItem:
    """What others see of this item. Showing the supervisor's quote is also the
    student's decision to make the recommendation public. Saving it on a new item is
    the student's decision about it."""
    _require_owner(item.student_id, actor)
    # Read the decision under the lock: a stale page may still think the item is new.
    if ExperienceItem.objects.select_for_update().get(pk=item.pk).is_pending:
        _decide(item, actor=actor, is_visible=bool(is_visible))
    item.is_visible = bool(is_visible)
    item.show_ratings = bool(show_ratings)
    item.show_quote = bool(show_quote)
    item.save(update_fields=["is_visible", "show_ratings", "show_quote"])
    SupervisorFeedback.objects.filter(engagement_id=item.engagement_id).update(
        recommendation_public=item.show_quote
    )
    return item


@transaction.atomic(durable=True)
def experience_item_revoke_credential(*, item: ExperienceItem, actor: User) -> ExperienceItem:
    """Revoke the item's Open Badges credential: verification answers "revoked" from now
    on. It cannot be undone."""
    _require_owner(item.student_id, actor)
    locked = ExperienceItem.objects.select_for_update().get(pk=item.pk)
    if locked.credential_revoked_at is not None:
        raise RecordError("This credential is already revoked.")
    locked.credential_revoked_at = timezone.now()
    locked.save(update_fields=["credential_revoked_at"])
    item.credential_revoked_at = locked.credential_revoked_at
    return item


# ------------------------------------------------------------------------------
# Résumé bullets
# ------------------------------------------------------------------------------
def _clean_bullet(text: str | None) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise RecordError("A bullet cannot be empty.", field="text")
    if len(text) > BULLET_MAX:
        raise RecordError(f"A bullet can be at most {BULLET_MAX} characters.", field="text")
    return text


@transaction.atomic(durable=True)
def resume_bullet_save(
    *, bullet: ResumeBullet, actor: User, text: str, approve: bool
) -> ResumeBullet:
    """Save the student's wording. ``approve`` makes it the text others see; saving
    without approving (an edit) takes an approved bullet back to unapproved."""
    _require_owner(bullet.item.student_id, actor)
    text = _clean_bullet(text)
    bullet.text = text
    bullet.approved_at = timezone.now() if approve else None
    bullet.save(update_fields=["text", "approved_at"])
    return bullet


@transaction.atomic(durable=True)
def resume_bullet_add(*, item: ExperienceItem, actor: User, text: str) -> ResumeBullet:
    """A bullet in the student's own words (unapproved until they approve it)."""
    _require_owner(item.student_id, actor)
    text = _clean_bullet(text)
    ExperienceItem.objects.select_for_update().get(pk=item.pk)  # serialise adds
    positions = list(item.bullets.values_list("position", flat=True))
    if len(positions) >= BULLETS_PER_ITEM_MAX:
        raise RecordError(
            f"An experience can have at most {BULLETS_PER_ITEM_MAX} bullets.", field="text"
        )
    return ResumeBullet.objects.create(
        item=item, position=max(positions, default=-1) + 1, draft_text=text, text=text
    )


@transaction.atomic(durable=True)
def resume_bullet_delete(*, bullet: ResumeBullet, actor: User) -> None:
    _require_owner(bullet.item.student_id, actor)
    bullet.delete()


# ------------------------------------------------------------------------------
# Share links
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def record_share_create(*, student: User) -> tuple[RecordShare, str]:
    """A new public link. The token is returned once and only its hash is stored: the
    page that shows it is the only place it ever appears."""
    if not student.is_student:
        raise PermissionDenied("Only students have an experience record.")
    User.objects.select_for_update().get(pk=student.pk)  # serialise the limit check
    active = RecordShare.objects.filter(student=student, revoked_at__isnull=True).count()
    if active >= ACTIVE_SHARES_MAX:
        raise RecordError(
            f"You already have {ACTIVE_SHARES_MAX} active links: revoke one you no longer "
            "use first."
        )
    token = secrets.token_urlsafe(24)
    share = RecordShare.objects.create(student=student, token_hash=hash_token(token))
    return share, token


@transaction.atomic(durable=True)
def record_share_revoke(*, share: RecordShare, actor: User) -> RecordShare:
    _require_owner(share.student_id, actor)
    locked = RecordShare.objects.select_for_update().get(pk=share.pk)
    if locked.revoked_at is not None:
        raise RecordError("This link is already revoked.")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    share.revoked_at = locked.revoked_at
    return share
