"""The engagement workspace: every write the student and the supervisor make once an
application is accepted.

    active ──submit──▶ submitted ──approve──▶ completed   (fee recorded as a due Payout)
       ▲                   └──request revision──▶ revision_requested ──submit──┐
       │                                                                        │
       └───────────────── (loops back to submitted) ◀──────────────────────────┘
    any non-final ──cancel (either side, reason required)──▶ cancelled

    Payout:  (approve) ──▶ due ──mark paid (an owner of the organization)──▶ paid

When the last engagement of a *closed* project becomes final, the project moves to
completed in the same transaction (through ``transition`` directly: a durable project
service must not run inside ours). A completed engagement counts in the student's
track record, so their applications are rescored after commit.

Public services run in ``transaction.atomic(durable=True)``; shared parts are private,
non-atomic helpers. Notifications are recorded in the transaction and emailed after
commit by ``notify``. Every write refreshes ``engagement.last_activity_at``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from accounts.services.notifications import notify
from core.statemachine import transition
from projects.models import Project

from ..exceptions import EngagementError
from ..models import (
    Engagement,
    EngagementEvent,
    HoursEntry,
    Message,
    Payout,
    PayoutEvent,
    Submission,
)
from ..selectors.engagements import ROLE_STUDENT, ROLE_SUPERVISOR, engagement_role
from ..validators import (
    safe_original_filename,
    validate_submission_file,
    validate_submission_link,
)
from .feedback import feedback_request_for
from .ranking import student_rescore_on_commit
from .records import experience_item_ensure
from .webhooks import webhook_events_emit, webhook_payload_engagement

Status = Engagement.Status

MESSAGE_MAX = 4000
NOTE_MAX = 2000
REASON_MAX = 2000
DESCRIPTION_MAX = 300
HOURS_MIN = Decimal("0.25")
HOURS_MAX = Decimal("24")
REFERENCE_MAX = 120


class EngagementValidationError(EngagementError):
    """A workspace rule refused the request. ``field`` names the form field it belongs
    to, when there is one, so the view can show it beside that field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------------------
# Who may do what
# ------------------------------------------------------------------------------
def _role(engagement: Engagement, actor: User | None) -> str | None:
    if actor is None:
        return None
    return engagement_role(engagement=engagement, user=actor)


def _require_party(engagement: Engagement, actor: User) -> str:
    role = _role(engagement, actor)
    if role is None:
        raise PermissionDenied("Only the intern and the supervisor can do this.")
    return role


def _require_student(engagement: Engagement, actor: User) -> None:
    if _role(engagement, actor) != ROLE_STUDENT:
        raise PermissionDenied("Only the intern on this engagement can do this.")


def _require_supervisor(engagement: Engagement, actor: User) -> None:
    if _role(engagement, actor) != ROLE_SUPERVISOR:
        raise PermissionDenied("Only the supervisor or an owner of the organization can do this.")


def _require_not_final(engagement: Engagement, doing: str) -> None:
    if engagement.is_final:
        state = engagement.get_status_display().lower()
        raise EngagementValidationError(f"This engagement is {state}: you can no longer {doing}.")


# ------------------------------------------------------------------------------
# Shared private helpers (never atomic themselves)
# ------------------------------------------------------------------------------
def _name(user: User) -> str:
    return user.get_full_name() or user.email


def _day(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _link(engagement: Engagement) -> str:
    return engagement.get_absolute_url()


def _touch(engagement: Engagement, now: dt.datetime) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(last_activity_at=now)
    engagement.last_activity_at = now


def _other_side(engagement: Engagement, actor: User) -> list[User]:
    """Who hears about what ``actor`` did: the intern hears about the supervisor side
    and vice versa; when an owner acts, both the intern and the supervisor hear."""
    recipients: dict[int, User] = {}
    if actor.pk != engagement.student_id:
        recipients[engagement.student_id] = engagement.student
    if actor.pk != engagement.supervisor_id:
        recipients[engagement.supervisor_id] = engagement.supervisor
    return list(recipients.values())


def _owners(engagement: Engagement, *, exclude: User | None = None) -> list[User]:
    qs = User.objects.filter(
        membership__organization_id=engagement.project.organization_id,
        membership__role=Membership.Role.OWNER,
        is_active=True,
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs)


def _complete_project_if_done(*, project_id: int, actor: User | None) -> bool:
    """A closed project whose engagements are all final becomes completed. The project
    row lock serialises two engagements of one project ending at the same moment, so
    the last one to commit sees the other as final."""
    project = Project.objects.select_for_update().get(pk=project_id)
    if project.status != Project.Status.CLOSED:
        return False
    if (
        Engagement.objects.filter(project_id=project_id)
        .exclude(status__in=Engagement.FINAL)
        .exists()
    ):
        return False
    transition(
        project,
        to_status=Project.Status.COMPLETED,
        actor=actor,
        note="Every engagement has ended",
    )
    return True


def projects_complete_finished_ids() -> list[int]:
    """Closed projects that had engagements and whose engagements have all ended: the
    employer closed the project after the last engagement ended, so no engagement
    service saw it closed."""
    unfinished = Engagement.objects.filter(project_id=OuterRef("pk")).exclude(
        status__in=Engagement.FINAL
    )
    return list(
        Project.objects.filter(status=Project.Status.CLOSED, engagements__isnull=False)
        .exclude(Exists(unfinished))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def project_complete_if_done(*, project_id: int) -> bool:
    """The sweep's unit of work: one project, its own transaction, safe to repeat."""
    return _complete_project_if_done(project_id=project_id, actor=None)


def _clean_text(value: str | None, *, limit: int, field: str, label: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise EngagementValidationError(f"{label} can be at most {limit} characters.", field=field)
    return text


# ------------------------------------------------------------------------------
# Working together: checklist, messages, hours
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def engagement_toggle_checklist_item(
    *, engagement: Engagement, actor: User, index: int
) -> Engagement:
    """Tick or untick one deliverable. Only the intern does, while the work is open."""
    _require_student(engagement, actor)
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    _require_not_final(locked, "change the checklist")
    checklist = list(locked.checklist or [])
    if not 0 <= index < len(checklist):
        raise EngagementValidationError("That checklist item does not exist.")
    item = dict(checklist[index])
    item["done"] = not item.get("done", False)
    checklist[index] = item
    now = timezone.now()
    locked.checklist = checklist
    locked.last_activity_at = now
    locked.save(update_fields=["checklist", "last_activity_at", "updated_at"])
    engagement.checklist = checklist
    engagement.last_activity_at = now
    return engagement


@transaction.atomic(durable=True)
def engagement_post_message(*, engagement: Engagement, actor: User, body: str) -> Message:
    """Add a message to the thread and tell the other side — at most once an hour per
    engagement and recipient, so a lively thread does not flood an inbox."""
    _require_party(engagement, actor)
    body = _clean_text(body, limit=MESSAGE_MAX, field="body", label="A message")
    if not body:
        raise EngagementValidationError("Write a message before sending.", field="body")
    now = timezone.now()
    message = Message.objects.create(engagement=engagement, author=actor, body=body, created_at=now)
    _touch(engagement, now)
    title = engagement.project.title
    for recipient in _other_side(engagement, actor):
        notify(
            recipient=recipient,
            actor=actor,
            kind="message_received",
            text=f"{_name(actor)} sent you a message about “{title}”.",
            link=_link(engagement) + "#message-thread",
            dedupe_key=f"msg-{engagement.pk}-{recipient.pk}-{now:%Y%m%d%H}",
        )
    return message


def _validate_hours(
    engagement: Engagement, *, date: dt.date, hours: Decimal, description: str
) -> tuple[Decimal, str]:
    today = timezone.localdate()
    start = timezone.localtime(engagement.started_at).date()
    if date > today:
        raise EngagementValidationError(
            "You cannot log hours for a day in the future.", field="date"
        )
    if date < start:
        raise EngagementValidationError(
            f"The engagement started on {_day(start)}: log hours from that day on.",
            field="date",
        )
    try:
        hours = Decimal(hours).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise EngagementValidationError(
            "Enter the hours as a number, e.g. 1.5.", field="hours"
        ) from exc
    if not HOURS_MIN <= hours <= HOURS_MAX:
        raise EngagementValidationError("Enter between 0.25 and 24 hours.", field="hours")
    description = _clean_text(
        description, limit=DESCRIPTION_MAX, field="description", label="The description"
    )
    if not description:
        raise EngagementValidationError("Say briefly what you worked on.", field="description")
    return hours, description


@transaction.atomic(durable=True)
def engagement_log_hours(
    *, engagement: Engagement, actor: User, date: dt.date, hours: Decimal, description: str
) -> HoursEntry:
    """The intern records time spent. No more than 24 hours on one day in total."""
    _require_student(engagement, actor)
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    _require_not_final(locked, "log hours")
    hours, description = _validate_hours(locked, date=date, hours=hours, description=description)
    logged = sum(
        HoursEntry.objects.filter(engagement=locked, date=date).values_list("hours", flat=True),
        Decimal("0"),
    )
    if logged + hours > HOURS_MAX:
        raise EngagementValidationError(
            f"You already logged {logged} hours on that day; a day has at most 24.",
            field="hours",
        )
    now = timezone.now()
    entry = HoursEntry.objects.create(
        engagement=locked,
        student=actor,
        date=date,
        hours=hours,
        description=description,
        created_at=now,
    )
    _touch(engagement, now)
    return entry


# ------------------------------------------------------------------------------
# The lifecycle
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def engagement_submit_work(
    *,
    engagement: Engagement,
    actor: User,
    file: UploadedFile | None = None,
    link: str = "",
    note: str = "",
) -> Submission:
    """Hand in a file and/or a link: active | revision_requested → submitted. The file is
    checked again here (type by content, size, not empty) and stored under our own name;
    the uploader's name is kept only as display text."""
    _require_student(engagement, actor)
    link = (link or "").strip()
    note = _clean_text(note, limit=NOTE_MAX, field="note", label="The note")
    if not file and not link:
        raise EngagementValidationError("Attach a file or give a link to your work.", field="file")
    if file:
        try:
            validate_submission_file(file)
        except ValidationError as exc:
            raise EngagementValidationError(exc.messages[0], field="file") from exc
    if link:
        try:
            validate_submission_link(link)
        except ValidationError as exc:
            raise EngagementValidationError(exc.messages[0], field="link") from exc
    now = timezone.now()
    # The transition runs first: a submission in the wrong state stores no file.
    transition(
        engagement,
        to_status=Status.SUBMITTED,
        actor=actor,
        note=note or "Work submitted for review",
        fields={"submitted_at": now, "last_activity_at": now},
    )
    submission = Submission(
        engagement=engagement, author=actor, link=link, note=note, created_at=now
    )
    if file:
        original = safe_original_filename(file.name)
        submission.original_filename = original
        submission.size_bytes = file.size or 0
        file.seek(0)
        submission.file.save(original, file, save=False)
    try:
        submission.save()
        notify(
            recipient=engagement.supervisor,
            actor=actor,
            kind="work_submitted",
            text=f"{_name(actor)} submitted work on “{engagement.project.title}”.",
            link=_link(engagement) + "#submissions",
        )
    except Exception:
        if submission.file:
            submission.file.storage.delete(submission.file.name)
        raise
    webhook_events_emit(
        organization_id=engagement.project.organization_id,
        event="engagement.submitted",
        payload=webhook_payload_engagement(engagement),
    )
    return submission


@transaction.atomic(durable=True)
def engagement_request_revision(
    *, engagement: Engagement, actor: User, comments: str
) -> Engagement:
    """submitted → revision_requested, with the supervisor's comments (required)."""
    _require_supervisor(engagement, actor)
    comments = _clean_text(comments, limit=REASON_MAX, field="comments", label="Comments")
    if not comments:
        raise EngagementValidationError("Say what needs to change.", field="comments")
    now = timezone.now()
    transition(
        engagement,
        to_status=Status.REVISION_REQUESTED,
        actor=actor,
        note=comments,
        fields={"last_activity_at": now},
    )
    notify(
        recipient=engagement.student,
        actor=actor,
        kind="revision_requested",
        text=f"Changes requested on “{engagement.project.title}”: {comments}",
        link=_link(engagement),
    )
    return engagement


@transaction.atomic(durable=True)
def engagement_approve(*, engagement: Engagement, actor: User, note: str = "") -> Payout:
    """submitted → completed. The fee is recorded as due (no money moves here), and a
    closed project whose engagements have all ended becomes completed."""
    _require_supervisor(engagement, actor)
    note = _clean_text(note, limit=NOTE_MAX, field="note", label="The note")
    now = timezone.now()
    transition(
        engagement,
        to_status=Status.COMPLETED,
        actor=actor,
        note=note or "Work approved",
        fields={"completed_at": now, "last_activity_at": now},
    )
    payout = _payout_create_due(engagement=engagement, actor=actor, now=now)
    _complete_project_if_done(project_id=engagement.project_id, actor=actor)
    # The completed work becomes verified experience, and both sides are asked for
    # feedback (blind until both are in or the window closes).
    experience_item_ensure(engagement=engagement)
    feedback_request_for(engagement=engagement)
    # One more completed micro-internship: the student's applications rank higher.
    student_rescore_on_commit(student_id=engagement.student_id)
    title = engagement.project.title
    notify(
        recipient=engagement.student,
        actor=actor,
        kind="engagement_completed",
        text=f"Your work on “{title}” was approved. The fee of {payout.amount} "
        f"{payout.currency} is recorded as due.",
        link=_link(engagement),
    )
    for owner in _owners(engagement, exclude=actor):
        notify(
            recipient=owner,
            actor=actor,
            kind="payout_due",
            text=f"{payout.amount} {payout.currency} is due to {engagement.student} for “{title}”.",
            link=reverse("matching:payout-list"),
        )
    webhook_events_emit(
        organization_id=engagement.project.organization_id,
        event="engagement.completed",
        payload=webhook_payload_engagement(engagement),
    )
    return payout


@transaction.atomic(durable=True)
def engagement_extend_due_date(
    *, engagement: Engagement, actor: User, due_date: dt.date, reason: str = ""
) -> Engagement:
    """Move the due date later (never earlier). Recorded in the audit trail."""
    _require_supervisor(engagement, actor)
    reason = _clean_text(reason, limit=REASON_MAX, field="reason", label="The reason")
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    _require_not_final(locked, "change the due date")
    if due_date is None or due_date <= locked.due_date:
        raise EngagementValidationError(
            f"Choose a date after the current due date ({_day(locked.due_date)}).",
            field="due_date",
        )
    old = locked.due_date
    now = timezone.now()
    locked.due_date = due_date
    locked.last_activity_at = now
    locked.save(update_fields=["due_date", "last_activity_at", "updated_at"])
    text = f"Due date extended from {_day(old)} to {_day(due_date)}"
    EngagementEvent.objects.create(
        engagement=locked,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        note=f"{text}: {reason}" if reason else text,
    )
    engagement.due_date = due_date
    engagement.last_activity_at = now
    notify(
        recipient=engagement.student,
        actor=actor,
        kind="due_date_extended",
        text=f"{text} on “{engagement.project.title}”." + (f" {reason}" if reason else ""),
        link=_link(engagement),
    )
    return engagement


@transaction.atomic(durable=True)
def engagement_cancel(*, engagement: Engagement, actor: User, reason: str) -> Engagement:
    """Any non-final status → cancelled, by either side, with a reason."""
    _require_party(engagement, actor)
    reason = _clean_text(reason, limit=REASON_MAX, field="reason", label="The reason")
    if not reason:
        raise EngagementValidationError("Give a reason for cancelling.", field="reason")
    now = timezone.now()
    transition(
        engagement,
        to_status=Status.CANCELLED,
        actor=actor,
        note=reason,
        fields={"cancelled_at": now, "cancel_reason": reason, "last_activity_at": now},
    )
    _complete_project_if_done(project_id=engagement.project_id, actor=actor)
    for recipient in _other_side(engagement, actor):
        notify(
            recipient=recipient,
            actor=actor,
            kind="engagement_cancelled",
            text=f"The engagement on “{engagement.project.title}” was cancelled by "
            f"{_name(actor)}: {reason}",
            link=_link(engagement),
        )
    return engagement


# ------------------------------------------------------------------------------
# The payout ledger
# ------------------------------------------------------------------------------
def _payout_create_due(*, engagement: Engagement, actor: User, now: dt.datetime) -> Payout:
    """The fee of the just-approved engagement, due, with its first history row. Runs in
    ``engagement_approve``'s transaction."""
    payout = Payout.objects.create(
        engagement=engagement,
        amount=engagement.fee,
        currency=engagement.currency,
        status=Payout.Status.DUE,
        due_at=now,
    )
    PayoutEvent.objects.create(
        payout=payout,
        from_status="",
        to_status=Payout.Status.DUE,
        actor=actor,
        note="Work approved",
    )
    return payout


def _may_mark_paid(payout: Payout, actor: User) -> bool:
    if actor.is_staff:
        return True
    organization_id = payout.engagement.project.organization_id
    return Membership.objects.filter(
        user=actor, organization_id=organization_id, role=Membership.Role.OWNER
    ).exists()


@transaction.atomic(durable=True)
def payout_mark_paid(*, payout: Payout, actor: User, reference: str = "") -> Payout:
    """due → paid. This is the organization's own statement: no payment provider is
    connected. Marking twice is refused with a clear message, never done twice."""
    locked = (
        Payout.objects.select_for_update(of=("self",))
        .select_related(
            "engagement__project__organization", "engagement__student", "marked_paid_by"
        )
        .get(pk=payout.pk)
    )
    if not _may_mark_paid(locked, actor):
        raise PermissionDenied("Only an owner of the organization can mark a payout paid.")
    if locked.status == Payout.Status.PAID:
        by = locked.marked_paid_by or "someone"
        when = timezone.localtime(locked.paid_at) if locked.paid_at else None
        on = f" on {_day(when.date())}" if when else ""
        raise EngagementValidationError(f"This payout was already marked paid{on} by {by}.")
    reference = _clean_text(
        reference, limit=REFERENCE_MAX, field="reference", label="The reference"
    )
    now = timezone.now()
    text = f"Fee of {locked.amount} {locked.currency} marked paid"
    transition(
        locked,
        to_status=Payout.Status.PAID,
        actor=actor,
        note=f"{text} (reference {reference})" if reference else text,
        fields={"paid_at": now, "marked_paid_by": actor, "reference": reference},
    )
    engagement = locked.engagement
    _touch(engagement, now)
    notify(
        recipient=engagement.student,
        actor=actor,
        kind="payout_marked_paid",
        text=f"{engagement.project.organization} marked your fee of {locked.amount} "
        f"{locked.currency} for “{engagement.project.title}” as paid.",
        link=_link(engagement),
    )
    for name in ("status", "paid_at", "marked_paid_by", "reference"):
        setattr(payout, name, getattr(locked, name))
    return payout
