"""Posting a project: every write an employer (or platform staff, or the beat task)
makes to a project.

    draft ──publish──▶ open ──(deadline passed / employer closes)──▶ closed ──▶ completed
      │  └─(organization not verified)─▶ pending_review ──approve──▶ open
      │                                      └──return (with a note)──▶ draft
      └──────────────── cancel (any non-final status, reason required) ──▶ cancelled

Public services run in ``transaction.atomic(durable=True)``; the shared parts are private,
non-atomic helpers so no durable service ever calls another. Every create, edit or skill
change refreshes the search column inside the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization, Skill, User
from accounts.services.notifications import notify
from core.statemachine import transition

from ..exceptions import ProjectError, ProjectValidationError
from ..models import Project, ProjectSkill, ProjectStatusChange
from ..search import refresh_search_vector
from ..signals import project_published

logger = logging.getLogger(__name__)

Status = Project.Status

#: "Post again" suggests an application deadline this far ahead (the employer edits it).
DUPLICATE_DEADLINE_DAYS = 14
EXPIRED_NOTE = "Application deadline passed"


class _Unset:
    """Marks a keyword of ``project_update`` that was not given (None is a value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

# The editable content of a project, in the order the form shows it.
CONTENT_FIELDS = (
    "supervisor",
    "title",
    "summary",
    "description",
    "deliverables",
    "category",
    "work_mode",
    "location",
    "estimated_hours",
    "duration_days",
    "due_date",
    "fee",
    "currency",
    "slots",
    "application_deadline",
    "screening_questions",
    "eligibility_notes",
)

MAX_SLOTS = 20


# ------------------------------------------------------------------------------
# Validation shared by create, update and publish
# ------------------------------------------------------------------------------
def _skill_ids(skills: Iterable[Skill | int]) -> list[int]:
    ids: list[int] = []
    for skill in skills:
        pk = skill if isinstance(skill, int) else skill.pk
        if pk not in ids:
            ids.append(pk)
    return ids


def _clean_lines(items: Iterable[str]) -> list[str]:
    return [line.strip() for line in items if line and line.strip()]


def _is_member(*, user: User | None, organization: Organization) -> bool:
    return (
        user is not None
        and Membership.objects.filter(user=user, organization=organization).exists()
    )


def _validate_content(values: dict[str, Any], *, organization: Organization) -> None:
    """Raise ProjectValidationError for the first rule the content breaks."""
    for name, label in (("title", "A title"), ("summary", "A summary")):
        if not (values.get(name) or "").strip():
            raise ProjectValidationError(f"{label} is required.", field=name)
    if not (values.get("description") or "").strip():
        raise ProjectValidationError("A description is required.", field="description")
    if not values["deliverables"]:
        raise ProjectValidationError("List at least one deliverable.", field="deliverables")
    if values["category"] not in Project.Category.values:
        raise ProjectValidationError("Choose a category.", field="category")
    if values["work_mode"] not in Project.WorkMode.values:
        raise ProjectValidationError("Choose a work mode.", field="work_mode")
    if values["work_mode"] != Project.WorkMode.REMOTE and not values["location"].strip():
        raise ProjectValidationError(
            "On-site and hybrid projects need a location.", field="location"
        )
    hours = values["estimated_hours"]
    if hours is None or not Project.MIN_HOURS <= hours <= Project.MAX_HOURS:
        raise ProjectValidationError(
            f"Estimated hours must be between {Project.MIN_HOURS} and {Project.MAX_HOURS}.",
            field="estimated_hours",
        )
    if values["currency"] not in Project.Currency.values:
        raise ProjectValidationError("Choose a currency.", field="currency")
    fee = values["fee"]
    if fee is None or fee < Project.minimum_fee_for(hours):
        raise ProjectValidationError(
            Project.pay_floor_message(hours, values["currency"]), field="fee"
        )
    if not 1 <= values["slots"] <= MAX_SLOTS:
        raise ProjectValidationError(f"Slots must be between 1 and {MAX_SLOTS}.", field="slots")
    if len(values["screening_questions"]) > Project.MAX_SCREENING_QUESTIONS:
        raise ProjectValidationError(
            f"Ask at most {Project.MAX_SCREENING_QUESTIONS} screening questions.",
            field="screening_questions",
        )
    if values["duration_days"] is None or values["duration_days"] < 1:
        raise ProjectValidationError(
            "Give a due date or a duration in days.", field="duration_days"
        )
    deadline = values["application_deadline"]
    if deadline is None:
        raise ProjectValidationError("Set an application deadline.", field="application_deadline")
    due = values["due_date"]
    if due is not None and due <= timezone.localdate(deadline):
        raise ProjectValidationError(
            "The due date must come after the application deadline.", field="due_date"
        )
    if not _is_member(user=values["supervisor"], organization=organization):
        raise ProjectValidationError(
            "The supervisor must be a member of your organization.", field="supervisor"
        )


def _validate_skills(required: list[int], nice: list[int]) -> None:
    if not required:
        raise ProjectValidationError("Choose at least one required skill.", field="required_skills")
    if set(required) & set(nice):
        raise ProjectValidationError(
            "A skill cannot be both required and nice to have.", field="nice_to_have_skills"
        )


def _normalize(values: dict[str, Any]) -> dict[str, Any]:
    values["deliverables"] = _clean_lines(values["deliverables"])
    values["screening_questions"] = _clean_lines(values["screening_questions"])
    values["location"] = (values.get("location") or "").strip()
    values["eligibility_notes"] = (values.get("eligibility_notes") or "").strip()
    for name in ("title", "summary", "description"):
        values[name] = (values.get(name) or "").strip()
    # "Due date or duration": derive the duration from a due date when only that is given.
    if (
        values.get("duration_days") is None
        and values.get("due_date")
        and values.get("application_deadline")
    ):
        start = timezone.localdate(values["application_deadline"])
        values["duration_days"] = max((values["due_date"] - start).days, 1)
    return values


def _set_skills(project: Project, *, required: list[int], nice: list[int]) -> None:
    ProjectSkill.objects.filter(project=project).delete()
    ProjectSkill.objects.bulk_create(
        [ProjectSkill(project=project, skill_id=pk, is_required=True) for pk in required]
        + [ProjectSkill(project=project, skill_id=pk, is_required=False) for pk in nice]
    )


def _create(
    *,
    organization: Organization,
    actor: User,
    values: dict[str, Any],
    required: list[int],
    nice: list[int],
    duplicated_from: Project | None = None,
    note: str = "Created",
) -> Project:
    """Store a new draft and its creation row in the caller's transaction."""
    project = Project.objects.create(
        organization=organization,
        created_by=actor,
        status=Status.DRAFT,
        duplicated_from=duplicated_from,
        **values,
    )
    _set_skills(project, required=required, nice=nice)
    # The history starts at creation so the timeline shows who drafted it.
    ProjectStatusChange.objects.create(
        project=project, from_status="", to_status=Status.DRAFT, actor=actor, note=note
    )
    refresh_search_vector(project_ids=[project.pk])
    return project


def _recipients(project: Project, *, exclude: User | None = None) -> list[User]:
    """The supervisor and the organization's owners, each once."""
    users: dict[int, User] = {project.supervisor_id: project.supervisor}
    owners = get_user_model().objects.filter(
        membership__organization_id=project.organization_id,
        membership__role=Membership.Role.OWNER,
        is_active=True,
    )
    for owner in owners:
        users.setdefault(owner.pk, owner)
    return [u for pk, u in users.items() if exclude is None or pk != exclude.pk]


def _manage_link(project: Project) -> str:
    return reverse("project-manage", kwargs={"pk": project.pk})


# ------------------------------------------------------------------------------
# Content: create, edit, post again
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def project_create(
    *,
    organization: Organization,
    actor: User,
    supervisor: User,
    title: str,
    summary: str,
    description: str,
    deliverables: Sequence[str],
    category: str,
    estimated_hours: int,
    fee: int,
    application_deadline: datetime,
    required_skills: Iterable[Skill | int] = (),
    nice_to_have_skills: Iterable[Skill | int] = (),
    work_mode: str = Project.WorkMode.REMOTE,
    location: str = "",
    duration_days: int | None = None,
    due_date: date | None = None,
    currency: str = Project.Currency.USD,
    slots: int = 1,
    screening_questions: Sequence[str] = (),
    eligibility_notes: str = "",
) -> Project:
    """Save a new draft. Content rules (pay floor, hours, location…) hold from the start;
    only publishing checks that the application deadline is still ahead."""
    if not _is_member(user=actor, organization=organization):
        raise ProjectError("Only members of the organization can post its projects.")
    values = _normalize(
        {
            "supervisor": supervisor,
            "title": title,
            "summary": summary,
            "description": description,
            "deliverables": list(deliverables),
            "category": category,
            "work_mode": work_mode,
            "location": location,
            "estimated_hours": estimated_hours,
            "duration_days": duration_days,
            "due_date": due_date,
            "fee": fee,
            "currency": currency,
            "slots": slots,
            "application_deadline": application_deadline,
            "screening_questions": list(screening_questions),
            "eligibility_notes": eligibility_notes,
        }
    )
    required, nice = _skill_ids(required_skills), _skill_ids(nice_to_have_skills)
    _validate_content(values, organization=organization)
    _validate_skills(required, nice)
    return _create(
        organization=organization, actor=actor, values=values, required=required, nice=nice
    )


@transaction.atomic(durable=True)
def project_update(
    *,
    project: Project,
    actor: User,
    required_skills: Iterable[Skill | int] | _Unset = UNSET,
    nice_to_have_skills: Iterable[Skill | int] | _Unset = UNSET,
    **changes: Any,
) -> Project:
    """Edit a draft. Keywords are the content fields (see CONTENT_FIELDS) plus the two
    skill lists; the ones not given keep their value."""
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"project_update() got unexpected fields: {sorted(unknown)}")
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status != Status.DRAFT:
        raise ProjectError(
            f"Only drafts can be edited; this project is {locked.get_status_display().lower()}."
        )
    values = {name: getattr(locked, name) for name in CONTENT_FIELDS}
    values.update({k: v for k, v in changes.items() if v is not UNSET})
    if "due_date" in changes and "duration_days" not in changes:
        values["duration_days"] = None  # re-derive from the new due date
    if values["duration_days"] is None and values["due_date"] is None:
        values["duration_days"] = locked.duration_days
    values = _normalize(values)
    current = list(locked.project_skills.values_list("skill_id", "is_required"))
    required = (
        _skill_ids(required_skills)
        if not isinstance(required_skills, _Unset)
        else [pk for pk, req in current if req]
    )
    nice = (
        _skill_ids(nice_to_have_skills)
        if not isinstance(nice_to_have_skills, _Unset)
        else [pk for pk, req in current if not req]
    )
    _validate_content(values, organization=locked.organization)
    _validate_skills(required, nice)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*CONTENT_FIELDS, "updated_at"])
    if required_skills is not UNSET or nice_to_have_skills is not UNSET:
        _set_skills(locked, required=required, nice=nice)
    refresh_search_vector(project_ids=[locked.pk])
    for name in [*CONTENT_FIELDS, "updated_at"]:
        setattr(project, name, getattr(locked, name))
    return locked


@transaction.atomic(durable=True)
def project_duplicate(*, project: Project, actor: User) -> Project:
    """ "Post again": a new draft with the same content and skills. The application
    deadline is only a suggestion (two weeks ahead) that the employer reviews."""
    if not _is_member(user=actor, organization=project.organization):
        raise ProjectError("Only members of the organization can post its projects.")
    supervisor = (
        project.supervisor
        if _is_member(user=project.supervisor, organization=project.organization)
        else actor
    )
    values = {name: getattr(project, name) for name in CONTENT_FIELDS}
    deadline = timezone.now() + timedelta(days=DUPLICATE_DEADLINE_DAYS)
    values.update(
        supervisor=supervisor,
        application_deadline=deadline.replace(minute=0, second=0, microsecond=0),
        # A fixed due date of the old run is certainly wrong for the new one.
        due_date=None,
        deliverables=list(project.deliverables),
        screening_questions=list(project.screening_questions),
    )
    skills = list(project.project_skills.values_list("skill_id", "is_required"))
    return _create(
        organization=project.organization,
        actor=actor,
        values=values,
        required=[pk for pk, req in skills if req],
        nice=[pk for pk, req in skills if not req],
        duplicated_from=project,
        note=f"Posted again from “{project.title}” (#{project.pk})",
    )


# ------------------------------------------------------------------------------
# Publishing and staff review
# ------------------------------------------------------------------------------
def _check_publishable(project: Project) -> None:
    values = {name: getattr(project, name) for name in CONTENT_FIELDS}
    _validate_content(values, organization=project.organization)
    skills = list(project.project_skills.values_list("skill_id", "is_required"))
    _validate_skills([pk for pk, req in skills if req], [pk for pk, req in skills if not req])
    if project.application_deadline <= timezone.now():
        raise ProjectValidationError(
            "The application deadline has passed. Edit the project and set a new one.",
            field="application_deadline",
        )


@transaction.atomic(durable=True)
def project_publish(*, project: Project, actor: User) -> Project:
    """Draft → open for a verified organization; → pending_review otherwise (platform
    staff look at unverified organizations' projects before students do)."""
    locked = Project.objects.select_for_update().select_related("organization").get(pk=project.pk)
    if locked.status != Status.DRAFT:
        raise ProjectError(
            f"Only drafts can be published; this project is {locked.get_status_display().lower()}."
        )
    _check_publishable(locked)
    if locked.organization.is_verified:
        transition(
            project,
            to_status=Status.OPEN,
            actor=actor,
            note="Published",
            fields={"published_at": timezone.now()},
        )
        project_published.send(sender=Project, project_id=project.pk)
    else:
        transition(
            project,
            to_status=Status.PENDING_REVIEW,
            actor=actor,
            note="Submitted for review: the organization is not verified yet",
        )
    return project


@transaction.atomic(durable=True)
def project_review_approve(*, project: Project, actor: User) -> Project:
    """Platform staff let an unverified organization's project go live."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status != Status.PENDING_REVIEW:
        raise ProjectError("Only projects waiting for review can be approved.")
    if locked.application_deadline <= timezone.now():
        raise ProjectError(
            "Its application deadline has passed: return it to draft so the employer "
            "can set a new one."
        )
    transition(
        project,
        to_status=Status.OPEN,
        actor=actor,
        note="Approved for publishing",
        fields={"published_at": timezone.now()},
    )
    project_published.send(sender=Project, project_id=project.pk)
    for recipient in _recipients(project):
        notify(
            recipient=recipient,
            kind="project_approved",
            text=f"“{project.title}” was approved and is now open for applications.",
            link=_manage_link(project),
        )
    return project


@transaction.atomic(durable=True)
def project_review_return(*, project: Project, actor: User, note: str) -> Project:
    """Platform staff send a project back to draft, saying what to change."""
    note = (note or "").strip()
    if not note:
        raise ProjectValidationError("Say what the employer should change.", field="note")
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status != Status.PENDING_REVIEW:
        raise ProjectError("Only projects waiting for review can be returned.")
    transition(project, to_status=Status.DRAFT, actor=actor, note=note)
    for recipient in _recipients(project):
        notify(
            recipient=recipient,
            kind="project_returned",
            text=f"“{project.title}” was returned to draft: {note}",
            link=_manage_link(project),
        )
    return project


# ------------------------------------------------------------------------------
# Closing, cancelling, completing
# ------------------------------------------------------------------------------
# When matching adds applications, closing a project also expires its undecided
# applications: that belongs in the matching service that reacts to a close, called here.


@transaction.atomic(durable=True)
def project_close(*, project: Project, actor: User, note: str = "") -> Project:
    """Open → closed before the deadline: the employer has enough applicants."""
    transition(
        project,
        to_status=Status.CLOSED,
        actor=actor,
        note=(note or "").strip() or "Closed to new applications",
        fields={"closed_at": timezone.now()},
    )
    if project.supervisor_id != actor.pk:
        notify(
            recipient=project.supervisor,
            actor=actor,
            kind="project_closed",
            text=f"“{project.title}” was closed to new applications by {actor}.",
            link=_manage_link(project),
        )
    return project


@transaction.atomic(durable=True)
def project_cancel(*, project: Project, actor: User | None, reason: str) -> Project:
    """Any non-final status → cancelled. The reason is kept and shown in the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ProjectValidationError("Give a reason for cancelling.", field="reason")
    fields: dict[str, Any] = {"cancel_reason": reason}
    if project.closed_at is None:
        fields["closed_at"] = timezone.now()
    transition(project, to_status=Status.CANCELLED, actor=actor, note=reason, fields=fields)
    if actor is None or project.supervisor_id != actor.pk:
        notify(
            recipient=project.supervisor,
            actor=actor,
            kind="project_cancelled",
            text=f"“{project.title}” was cancelled: {reason}",
            link=_manage_link(project),
        )
    return project


@transaction.atomic(durable=True)
def project_complete(*, project: Project, actor: User | None, note: str = "") -> Project:
    """Closed → completed, once the work of every engagement is done (matching calls
    this; it is not an employer button)."""
    transition(
        project, to_status=Status.COMPLETED, actor=actor, note=(note or "").strip() or "Completed"
    )
    return project


# ------------------------------------------------------------------------------
# The beat task's work
# ------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def _close_expired_one(*, project_id: int, now: datetime) -> bool:
    """Close one project whose deadline passed. Re-checked under the row lock, so two
    runs at once close it once; the notification's dedupe key makes it tell once."""
    project = (
        Project.objects.select_for_update()
        .filter(pk=project_id, status=Status.OPEN, application_deadline__lt=now)
        .first()
    )
    if project is None:
        return False
    transition(
        project, to_status=Status.CLOSED, actor=None, note=EXPIRED_NOTE, fields={"closed_at": now}
    )
    notify(
        recipient=project.supervisor,
        kind="project_deadline_closed",
        text=f"Applications for “{project.title}” closed: the deadline passed.",
        link=_manage_link(project),
        dedupe_key=f"project-{project.pk}-deadline-closed",
    )
    return True


def projects_close_expired(*, now: datetime | None = None) -> int:
    """Close every open project whose application deadline has passed; returns how many
    this run closed. Each project closes in its own short transaction, so one failure
    or a long list never holds many locks. Safe to run twice."""
    now = now or timezone.now()
    ids = list(
        Project.objects.filter(status=Status.OPEN, application_deadline__lt=now)
        .order_by("application_deadline")
        .values_list("pk", flat=True)
    )
    closed = 0
    for project_id in ids:
        if _close_expired_one(project_id=project_id, now=now):
            closed += 1
    if closed:
        logger.info("closed %s project(s) whose application deadline passed", closed)
    return closed
