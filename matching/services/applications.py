"""Applying to a project and the employer's decision on each application.

    submitted ─▶ shortlisted ─▶ accepted        (accept creates an Engagement)
        │             │     └──▶ rejected (with an optional message)
        └─────────────┴──▶ withdrawn (the student) / expired (no decision in time, or
                                                   every place was filled)

Public services run in ``transaction.atomic(durable=True)``; the shared parts are
private, non-atomic helpers so that no durable service ever calls another. Every status
change goes through ``core.statemachine.transition`` (row lock, table check,
audit row) and tells the person on the other side with ``notify``.

Slots are hard limits: ``application_accept`` locks the project row before counting its
engagements, so concurrent accepts queue behind each other; the unique
``(project, slot_number)`` constraint is the second line of defence.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, StudentProfile, StudentSkill, User
from accounts.services.notifications import notify
from core.statemachine import transition
from projects.models import Project

from ..exceptions import (
    AlreadyApplied,
    ApplicationError,
    ApplicationValidationError,
    DeadlinePassed,
    NotAllowed,
    NotEligible,
    ProfileIncomplete,
    ProjectNotOpen,
    SlotsFull,
)
from ..models import (
    Application,
    ApplicationEvent,
    Engagement,
    EngagementEvent,
    ProjectInvitation,
)
from .ranking import application_rank_score_for
from .webhooks import webhook_events_emit, webhook_payload_application, webhook_payload_engagement

logger = logging.getLogger(__name__)

Status = Application.Status

DECISION_MESSAGE_MAX = 2000
FILLED_MESSAGE = "All places on this project have been filled — thank you for applying."
#: Statuses in which a project still has selection going on.
SELECTING_PROJECT_STATUSES = (Project.Status.OPEN, Project.Status.CLOSED)


def response_days() -> int:
    """Days after a project's application deadline within which every applicant gets an
    answer (the response promise)."""
    return int(getattr(settings, "APPLICATION_RESPONSE_DAYS", 14))


def stale_message() -> str:
    return (
        "The employer did not decide within "
        f"{response_days()} days of the application deadline, so this application is "
        "closed. Thank you for applying."
    )


# ------------------------------------------------------------------------------
# Shared helpers (non-atomic: they run inside the caller's transaction)
# ------------------------------------------------------------------------------
def _is_member(*, user: User | None, project: Project) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(user_id=user.pk, organization_id=project.organization_id)
        .only("pk")
        .exists()
    )


def _require_member(*, user: User | None, project: Project) -> None:
    if not _is_member(user=user, project=project):
        raise NotAllowed("Only members of the project's organization can decide on applications.")


def _applicant_link(application: Application) -> str:
    return reverse("matching:applicant-detail", kwargs={"pk": application.pk})


def _student_link(application: Application) -> str:
    return reverse("matching:application-detail", kwargs={"pk": application.pk})


#: The words for a profile without skills; the apply page links this item to the skills page.
MISSING_SKILL = "at least one skill"


def profile_missing_for_application(*, profile: StudentProfile | None) -> list[str]:
    """What a profile still lacks before its student may apply, in words."""
    if profile is None:
        return ["a student profile"]
    user = profile.user
    missing: list[str] = []
    if not (user.first_name.strip() and user.last_name.strip()):
        missing.append("your full name")
    if not profile.major.strip():
        missing.append("your major")
    if not profile.graduation_year:
        missing.append("your graduation year")
    if not StudentSkill.objects.filter(profile=profile).exists():
        missing.append(MISSING_SKILL)
    if not profile.resume:
        missing.append("a résumé")
    return missing


def _student_profile(student: User) -> StudentProfile | None:
    try:
        return StudentProfile.objects.select_related("user").get(user_id=student.pk)
    except StudentProfile.DoesNotExist:
        return None


def _check_can_apply(*, project: Project, student: User, now: datetime) -> StudentProfile:
    """Raise the first rule that refuses this student applying to this project."""
    if student.is_authenticated and student.is_staff:
        raise NotEligible("Platform staff accounts cannot apply to projects.")
    if not (student.is_authenticated and student.is_student):
        raise NotEligible()
    profile = _student_profile(student)
    if profile is None:
        raise NotEligible()
    if project.status != Project.Status.OPEN:
        raise ProjectNotOpen(project)
    if project.application_deadline <= now:
        raise DeadlinePassed()
    if Application.objects.filter(project_id=project.pk, student_id=student.pk).exists():
        raise AlreadyApplied()
    missing = profile_missing_for_application(profile=profile)
    if missing:
        raise ProfileIncomplete(missing)
    return profile


def application_check_can_apply(*, project: Project, student: User) -> None:
    """Read-only: the same checks ``application_submit`` makes, so the form page can say
    up front why a student cannot apply instead of after they typed their answers."""
    _check_can_apply(project=project, student=student, now=timezone.now())


def _clean_content(
    *, project: Project, cover_note: str, answers: Sequence[str]
) -> tuple[str, list[str]]:
    cover_note = (cover_note or "").strip()
    if not cover_note:
        raise ApplicationValidationError("Write a short cover note.", field="cover_note")
    if len(cover_note) > Application.COVER_NOTE_MAX:
        raise ApplicationValidationError(
            f"Keep the cover note under {Application.COVER_NOTE_MAX} characters.",
            field="cover_note",
        )
    questions = list(project.screening_questions or [])
    cleaned = [(a or "").strip() for a in answers]
    if len(cleaned) != len(questions):
        raise ApplicationValidationError("Answer every screening question.", field="answers")
    for index, answer in enumerate(cleaned):
        if not answer:
            raise ApplicationValidationError(
                f"Answer question {index + 1}: “{questions[index]}”.", field=f"answer_{index}"
            )
        if len(answer) > Application.ANSWER_MAX:
            raise ApplicationValidationError(
                f"Keep the answer to question {index + 1} under {Application.ANSWER_MAX} "
                "characters.",
                field=f"answer_{index}",
            )
    return cover_note, cleaned


def _snapshot_resume(*, application: Application, profile: StudentProfile) -> None:
    """Copy the profile résumé's bytes into the application: replacing the profile
    résumé later must not change what the employer was sent."""
    try:
        with profile.resume.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ApplicationValidationError(
            "We could not read your résumé. Upload it again on your profile, then apply."
        ) from exc
    name = f"{application.project_id}-{application.student_id}.pdf"
    application.resume_snapshot.save(name, ContentFile(data), save=False)
    application.save(update_fields=["resume_snapshot", "updated_at"])


def _notify_student(
    application: Application, *, kind: str, text: str, actor: User | None = None
) -> None:
    notify(
        recipient=application.student,
        actor=actor,
        kind=kind,
        text=text,
        link=_student_link(application),
        dedupe_key=f"{kind.replace('_', '-')}-{application.pk}",
    )


def _reject(application: Application, *, actor: User, message: str, now: datetime) -> Application:
    transition(
        application,
        to_status=Status.REJECTED,
        actor=actor,
        note=message or "Not selected",
        fields={"decision_message": message, "decided_at": now},
    )
    _notify_student(
        application,
        actor=actor,
        kind="application_rejected",
        text=f"Your application to “{application.project.title}” was not selected.",
    )
    return application


def _expire(
    application: Application, *, actor: User | None, message: str, decided_at: datetime | None
) -> Application:
    """Close an undecided application. ``decided_at`` is set when the employer's action
    answered it (every place filled), left empty when nobody decided (the response
    promise ran out) — the organization's response rate counts the difference."""
    fields: dict = {"decision_message": message}
    if decided_at is not None:
        fields["decided_at"] = decided_at
    transition(application, to_status=Status.EXPIRED, actor=actor, note=message, fields=fields)
    _notify_student(
        application,
        kind="application_expired",
        text=f"Your application to “{application.project.title}” is closed: {message}",
    )
    return application


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > DECISION_MESSAGE_MAX:
        raise ApplicationValidationError(
            f"Keep the message under {DECISION_MESSAGE_MAX} characters.", field="message"
        )
    return message


def _engagement_due_date(project: Project, today: date) -> date:
    # A fixed due date set by the employer wins; otherwise the duration counts from today.
    if project.due_date and project.due_date > today:
        return project.due_date
    return today + timedelta(days=project.duration_days or 1)


def applications_close_undecided(
    *, project: Project, actor: User | None, message: str, decided_at: datetime | None
) -> int:
    """Expire every still-undecided application of ``project`` with ``message`` and a
    notice to each student. Runs in the caller's transaction (it is not durable), so a
    projects service that cancels a project can call it too. Returns how many."""
    undecided = list(
        Application.objects.select_for_update(of=("self",))
        .filter(project_id=project.pk, status__in=Application.UNDECIDED)
        .select_related("student", "project")
        .order_by("pk")
    )
    for application in undecided:
        _expire(application, actor=actor, message=message, decided_at=decided_at)
    return len(undecided)


# ------------------------------------------------------------------------------
# The student's side
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def application_submit(
    *, project: Project, student: User, cover_note: str, answers: Sequence[str] = ()
) -> Application:
    """Apply to an open project. The résumé on the profile is copied into the
    application; the project's supervisor is told. An invitation to apply to this
    project is answered by it."""
    application = _submit(project=project, student=student, cover_note=cover_note, answers=answers)
    _answer_invitation(application)
    return application


def _answer_invitation(application: Application) -> None:
    invitation = (
        ProjectInvitation.objects.filter(
            project_id=application.project_id,
            student_id=application.student_id,
            status=ProjectInvitation.Status.SENT,
        )
        .only("pk", "status")
        .first()
    )
    if invitation is not None:
        transition(
            invitation,
            to_status=ProjectInvitation.Status.ACCEPTED,
            actor=application.student,
            note="Applied",
            fields={"answered_at": application.created_at},
        )


def _submit(
    *,
    project: Project,
    student: User,
    cover_note: str,
    answers: Sequence[str],
    screened: bool = True,
) -> Application:
    now = timezone.now()
    # Lock the project so an apply cannot slip in while the last place is being filled.
    project = Project.objects.select_for_update().get(pk=project.pk)
    profile = _check_can_apply(project=project, student=student, now=now)
    if screened:
        cover_note, cleaned = _clean_content(
            project=project, cover_note=cover_note, answers=answers
        )
    else:
        # A direct rehire: the organization knows the student's work and asks nothing.
        cover_note, cleaned = cover_note.strip()[: Application.COVER_NOTE_MAX], []
    # Lock the profile before reading what the rank score needs: a skill or hours change
    # (which locks it too) then either lands before and is read here, or waits and its
    # rescore sees this application.
    StudentProfile.objects.select_for_update().filter(pk=profile.pk).values_list("pk").first()
    rank_score = application_rank_score_for(project_id=project.pk, student_id=student.pk)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                project=project,
                student=student,
                cover_note=cover_note,
                answers=cleaned,
                rank_score=rank_score,
                created_at=now,
            )
    except IntegrityError as exc:
        # Two submits at once: the unique constraint refuses the second.
        raise AlreadyApplied() from exc
    _snapshot_resume(application=application, profile=profile)
    ApplicationEvent.objects.create(
        application=application,
        from_status="",
        to_status=Status.SUBMITTED,
        actor=student,
        note="Applied",
    )
    notify(
        recipient=project.supervisor,
        actor=student,
        kind="application_received",
        text=f"{student} applied to “{project.title}”.",
        link=_applicant_link(application),
        dedupe_key=f"application-received-{application.pk}",
    )
    webhook_events_emit(
        organization_id=project.organization_id,
        event="application.submitted",
        payload=webhook_payload_application(application),
    )
    return application


@transaction.atomic(durable=True)
def application_withdraw(*, application: Application, actor: User) -> Application:
    """The student takes back an undecided application."""
    if actor is None or actor.pk != application.student_id:
        raise NotAllowed("Only the applicant can withdraw an application.")
    transition(
        application, to_status=Status.WITHDRAWN, actor=actor, note="Withdrawn by the student"
    )
    project = application.project
    notify(
        recipient=project.supervisor,
        actor=actor,
        kind="application_withdrawn",
        text=f"{application.student} withdrew their application to “{project.title}”.",
        link=_applicant_link(application),
        dedupe_key=f"application-withdrawn-{application.pk}",
    )
    webhook_events_emit(
        organization_id=project.organization_id,
        event="application.withdrawn",
        payload=webhook_payload_application(application),
    )
    return application


# ------------------------------------------------------------------------------
# The employer's side
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def application_shortlist(*, application: Application, actor: User) -> Application:
    _require_member(user=actor, project=application.project)
    transition(application, to_status=Status.SHORTLISTED, actor=actor, note="Shortlisted")
    _notify_student(
        application,
        actor=actor,
        kind="application_shortlisted",
        text=f"Good news: you are on the shortlist for “{application.project.title}”.",
    )
    return application


@transaction.atomic(durable=True)
def application_reject(*, application: Application, actor: User, message: str = "") -> Application:
    _require_member(user=actor, project=application.project)
    message = _clean_message(message)
    return _reject(application, actor=actor, message=message, now=timezone.now())


@transaction.atomic(durable=True)
def applications_bulk_reject(
    *,
    project: Project,
    application_ids: Iterable[int],
    actor: User,
    message: str = "",
) -> int:
    """Reject every selected application of ``project`` that is still undecided, in one
    transaction; others (decided meanwhile, another project's) are left alone. Returns
    how many were rejected."""
    _require_member(user=actor, project=project)
    message = _clean_message(message)
    ids = {int(pk) for pk in application_ids}
    if not ids:
        return 0
    now = timezone.now()
    targets = list(
        Application.objects.select_for_update(of=("self",))
        .filter(project_id=project.pk, pk__in=ids, status__in=Application.UNDECIDED)
        .select_related("student", "project")
        .order_by("pk")
    )
    for application in targets:
        _reject(application, actor=actor, message=message, now=now)
    return len(targets)


@transaction.atomic(durable=True)
def application_accept(*, application: Application, actor: User) -> Engagement:
    """Accept an applicant into the next free place: creates the Engagement. Taking the
    last place closes the project and answers everyone still waiting."""
    return _accept(application=application, actor=actor)


def application_rehire(
    *, project: Project, student: User, actor: User, cover_note: str
) -> Engagement:
    """A past intern accepted an organization's direct rehire: their application is
    submitted and accepted at once, by the rules of both (an open project, a complete
    profile, a free place; ``actor`` a member who made the offer). Runs in the caller's
    transaction (it is not durable): the caller answers the invitation in the same one."""
    application = _submit(
        project=project, student=student, cover_note=cover_note, answers=(), screened=False
    )
    return _accept(application=application, actor=actor)


def _accept(*, application: Application, actor: User) -> Engagement:
    # The project row lock first: concurrent accepts of one project queue here, so the
    # count below cannot be stale.
    project = Project.objects.select_for_update().get(pk=application.project_id)
    _require_member(user=actor, project=project)
    if project.status not in SELECTING_PROJECT_STATUSES:
        raise ApplicationError(
            f"This project is {project.get_status_display().lower()}: nobody can be accepted."
        )
    used = set(
        Engagement.objects.filter(project_id=project.pk).values_list("slot_number", flat=True)
    )
    free = [n for n in range(1, project.slots + 1) if n not in used]
    if not free:
        raise SlotsFull(project.slots)
    now = timezone.now()
    transition(
        application,
        to_status=Status.ACCEPTED,
        actor=actor,
        note=f"Accepted into place {free[0]} of {project.slots}",
        fields={"decided_at": now},
    )
    try:
        with transaction.atomic():
            engagement = Engagement.objects.create(
                application=application,
                project=project,
                student_id=application.student_id,
                supervisor_id=project.supervisor_id,
                slot_number=free[0],
                status=Engagement.Status.ACTIVE,
                checklist=[{"title": d, "done": False} for d in (project.deliverables or [])],
                due_date=_engagement_due_date(project, timezone.localdate(now)),
                fee=project.fee,
                currency=project.currency,
                started_at=now,
                last_activity_at=now,
            )
    except IntegrityError as exc:  # the constraint caught what the lock should have
        raise SlotsFull(project.slots) from exc
    EngagementEvent.objects.create(
        engagement=engagement,
        from_status="",
        to_status=Engagement.Status.ACTIVE,
        actor=actor,
        note=f"Started from the accepted application (place {free[0]} of {project.slots})",
    )
    notify(
        recipient=application.student,
        actor=actor,
        kind="application_accepted",
        text=f"You were accepted for “{project.title}”. Your workspace is ready.",
        link=engagement.get_absolute_url(),
        dedupe_key=f"application-accepted-{application.pk}",
    )
    webhook_events_emit(
        organization_id=project.organization_id,
        event="engagement.started",
        payload=webhook_payload_engagement(engagement),
    )
    if len(free) == 1:
        _fill_project(project, actor=actor, now=now)
    return engagement


def _fill_project(project: Project, *, actor: User, now: datetime) -> None:
    """The last place was taken: close the project (inside the accept's transaction —
    not through the durable projects service) and answer everyone still waiting."""
    if project.status == Project.Status.OPEN:
        transition(
            project,
            to_status=Project.Status.CLOSED,
            actor=actor,
            note="All places filled",
            fields={"closed_at": now},
        )
    closed = applications_close_undecided(
        project=project, actor=actor, message=FILLED_MESSAGE, decided_at=now
    )
    notify(
        recipient=project.supervisor,
        actor=actor,
        kind="project_filled",
        text=(
            f"Every place on “{project.title}” is filled; it is closed to new applications"
            + (f" and {closed} waiting applicant(s) were told." if closed else ".")
        ),
        link=reverse("matching:applicant-list", kwargs={"project_pk": project.pk}),
        dedupe_key=f"project-filled-{project.pk}",
    )


# ------------------------------------------------------------------------------
# The response promise
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def application_expire(
    *, application: Application, actor: User | None = None, message: str = ""
) -> Application:
    """Close an undecided application without a decision (the response promise ran out).
    Raises InvalidTransition when it was decided meanwhile."""
    return _expire(
        application,
        actor=actor,
        message=(message or "").strip() or stale_message(),
        decided_at=None,
    )


def applications_stale_ids(*, now: datetime | None = None) -> list[int]:
    """Undecided applications whose project's deadline passed more than the response
    promise ago, or whose project was cancelled (those students hear at once: there is
    nothing left to decide)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=response_days())
    return list(
        Application.objects.filter(
            Q(project__application_deadline__lt=cutoff)
            | Q(project__status=Project.Status.CANCELLED),
            status__in=Application.UNDECIDED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
