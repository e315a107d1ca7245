"""Reads for the experience record, per audience.

    owner     the student: every item, every bullet (with its state), the ratings and the
              quote once the feedback is released, and what others would see
    public    a share link, the print page, an employer the student applied to: items the
              student decided to show only (a new, undecided item is the student's
              alone), approved bullets only, ratings only if show_ratings, the quote
              only if show_quote (and the supervisor wrote a recommendation)

Outcomes, endorsed skills, ratings and the quote come from the supervisor's feedback, so
they appear only once the feedback is released. Query count does not grow with the
number of items.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization, User, hash_token

from ..models import (
    Application,
    Endorsement,
    ExperienceItem,
    RecordShare,
    ResumeBullet,
    SupervisorFeedback,
)
from .feedback import SkillEndorsements

OWNER = "owner"
PUBLIC = "public"


@dataclass
class RecordEntry:
    item: ExperienceItem
    title: str
    summary: str
    organization: Organization
    started: dt.date
    completed: dt.date | None
    hours: Decimal
    released: bool
    skills: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    overall_rating: int | None = None
    ratings: list[tuple[str, int | None]] = field(default_factory=list)
    would_hire: bool | None = None
    quote: str = ""
    quote_author: str = ""
    bullets: list[ResumeBullet] = field(default_factory=list)

    @property
    def credential_revoked(self) -> bool:
        return self.item.credential_revoked_at is not None

    @property
    def pending(self) -> bool:
        return self.item.is_pending


def _items(student: User) -> QuerySet[ExperienceItem]:
    return (
        ExperienceItem.objects.filter(student=student)
        .select_related(
            "engagement__project__organization",
            "engagement__supervisor_feedback__author",
        )
        .annotate(hours_total=Sum("engagement__hours__hours"))
        .prefetch_related(
            Prefetch("bullets", queryset=ResumeBullet.objects.order_by("position", "pk")),
            Prefetch(
                "engagement__endorsements",
                queryset=Endorsement.objects.select_related("skill").order_by("skill__name"),
            ),
        )
        .order_by("-engagement__completed_at", "-pk")
    )


def _feedback(engagement) -> SupervisorFeedback | None:
    try:
        return engagement.supervisor_feedback
    except SupervisorFeedback.DoesNotExist:
        return None


def _entry(item: ExperienceItem, *, audience: str) -> RecordEntry:
    engagement = item.engagement
    project = engagement.project
    released = engagement.feedback_released_at is not None
    entry = RecordEntry(
        item=item,
        title=project.title,
        summary=project.summary,
        organization=project.organization,
        started=engagement.started_at.date(),
        completed=engagement.completed_at.date() if engagement.completed_at else None,
        hours=item.hours_total or Decimal("0"),  # type: ignore[attr-defined]  # annotated by the query
        released=released,
    )
    bullets = list(item.bullets.all())
    entry.bullets = bullets if audience == OWNER else [b for b in bullets if b.is_approved]
    if not released:
        return entry
    entry.skills = [e.skill.name for e in engagement.endorsements.all()]
    feedback = _feedback(engagement)
    if feedback is None:
        return entry
    entry.outcomes = list(feedback.outcomes or [])
    if audience == OWNER or item.show_ratings:
        entry.overall_rating = feedback.overall_rating
        entry.ratings = feedback.competency_ratings()
        entry.would_hire = feedback.would_hire
    if feedback.recommendation and (audience == OWNER or item.show_quote):
        entry.quote = feedback.recommendation
        author = feedback.author
        entry.quote_author = author.get_full_name() or "Supervisor"
    return entry


def record_entries_for(*, student: User, audience: str) -> list[RecordEntry]:
    """The record as ``audience`` sees it (see the module docstring)."""
    items = _items(student)
    if audience != OWNER:
        items = items.filter(status=ExperienceItem.Status.DECIDED, is_visible=True)
    return [_entry(item, audience=audience) for item in items]


def record_endorsements_from(entries: list[RecordEntry]) -> list[SkillEndorsements]:
    """The endorsed skills summed over the entries given, in ``student_endorsements``'s
    shape and order: for the public pages, whose entries are only the items the student
    shows, so a new or hidden item's endorsements stay as private as the item."""
    by_skill: dict[str, SkillEndorsements] = {}
    for entry in entries:
        if not entry.released:  # endorsements are part of the feedback
            continue
        for endorsement in entry.item.engagement.endorsements.all():
            row = by_skill.setdefault(
                endorsement.skill.name,
                SkillEndorsements(endorsement.skill_id, endorsement.skill.name, 0),
            )
            row.count += 1
            if entry.organization.name not in row.organizations:
                row.organizations.append(entry.organization.name)
    return sorted(by_skill.values(), key=lambda e: (-e.count, e.skill_name.casefold()))


def record_item_get_for_owner(*, user: User, pk: int) -> ExperienceItem:
    """One of the student's own items; anyone else's is a 404."""
    return get_object_or_404(
        ExperienceItem.objects.select_related("engagement__project__organization"),
        pk=pk,
        student=user,
    )


def record_entry_for_owner(*, user: User, pk: int) -> RecordEntry:
    item = get_object_or_404(_items(user), pk=pk)
    return _entry(item, audience=OWNER)


def record_item_get_by_credential(*, credential_id: uuid.UUID) -> ExperienceItem:
    """Anyone may fetch a credential by its (unguessable) id; an unknown id, or an item
    its student has not decided about yet, is a 404."""
    return get_object_or_404(
        ExperienceItem.objects.select_related(
            "engagement__project__organization", "engagement__student"
        ),
        credential_id=credential_id,
        status=ExperienceItem.Status.DECIDED,
    )


def record_bullet_get_for_owner(*, item: ExperienceItem, pk: int | str | None) -> ResumeBullet:
    try:
        bullet_pk = int(pk or 0)
    except (TypeError, ValueError) as exc:
        raise Http404("No such bullet.") from exc
    return get_object_or_404(ResumeBullet.objects.select_related("item"), pk=bullet_pk, item=item)


# ------------------------------------------------------------------------------
# Share links and employer access
# ------------------------------------------------------------------------------
def record_share_list_for(*, student: User) -> list[RecordShare]:
    return list(RecordShare.objects.filter(student=student, revoked_at__isnull=True))


def record_share_get_for(*, student: User, pk: int) -> RecordShare:
    return get_object_or_404(RecordShare, pk=pk, student=student, revoked_at__isnull=True)


def record_student_for_token(*, token: str) -> User:
    """The student whose record an active share token opens; a revoked or unknown token
    is a 404."""
    share = (
        RecordShare.objects.select_related("student")
        .filter(token_hash=hash_token(token or ""), revoked_at__isnull=True)
        .first()
    )
    if share is None or not share.student.is_active:
        raise Http404("This link is not valid.")
    return share.student


def record_student_for_employer(*, user: User, student_pk: int) -> User:
    """A student who applied (and did not withdraw) to a project of the user's
    organization; anyone else is a 404."""
    try:
        membership = user.membership
    except Membership.DoesNotExist as exc:
        raise Http404("No such student.") from exc
    application = (
        # Through the user's key, not the raw column: an id past the column's range then
        # matches nothing instead of overflowing in the database driver.
        Application.objects.filter(
            student__pk=student_pk, project__organization_id=membership.organization_id
        )
        .exclude(status=Application.Status.WITHDRAWN)
        .select_related("student")
        .first()
    )
    if application is None:
        raise Http404("No such student.")
    return application.student
