"""When the demo's placement history happened (steps of ``manage.py seed_demo``).

The career office's figures count events by academic year (July 1 – June 30 in the
institution's time zone), each for the school the student belonged to at the time, and
graduates by their graduation date. The services date everything "now"; this module
gives the demo its calendar:

- ``class_year``, ``graduation_date`` and ``affiliation_backdate`` (used by the students
  step): graduation dates on commencement day, verified affiliations that began when
  the student started using the platform (a transfer student has two);
- ``seed_placement_history``: once a placement project's story is complete (posted,
  staffed, completed, rated, paid, offers answered: ``devtools/demo_data.py``,
  PLACEMENT_PROJECTS), it is moved back to when it happened (PLACEMENT_HISTORY) in one
  transaction, keeping its order; the cohort's self-reported outcomes get their dates
  (OUTCOME_DAYS).

- ``seed_recent_history``: the rest of the demo (the projects outside the cohort) is
  spread over the weeks since each was published, in lifecycle order: applications
  after publication, decisions after them, then the work, its submission, completion,
  feedback, payment and offers; an ongoing story ends by now, a finished one a day
  ago. Deadlines still ahead (an open project's, an active engagement's due date, an
  open offer's answer-by date) stay where the services put them.

Every move applies only to rows that still carry a later time than their target, so a
second run changes nothing.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from accounts.models import Affiliation, Notification, StudentProfile, User
from devtools import demo_data
from devtools.demo_context import DemoContext
from marketplace.placement import academic_year_start
from matching.models import Application, Engagement, Offer, OutcomeReport, Payout
from matching.services.feedback import feedback_window_days
from projects.models import Project

DAY = timedelta(days=1)
HOME = "northfield"  # the placement cohort's school


# ------------------------------------------------------------------------------
# The calendar
# ------------------------------------------------------------------------------
def time_zone(key: str = HOME) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(demo_data.INSTITUTIONS[key][4])


def year_start(ctx: DemoContext, offset: int = 0, key: str = HOME) -> datetime:
    """Midnight of the July 1 that starts the academic year ``offset`` years from the
    current one, in the institution's time zone."""
    tz = time_zone(key)
    current = academic_year_start(ctx.now.astimezone(tz).date())
    return datetime(current.year + offset, 7, 1, tzinfo=tz)


def class_year(ctx: DemoContext, offset: int) -> int:
    """The graduating class ``offset`` years after the one finishing this academic year."""
    return year_start(ctx, offset).year + 1


def graduation_date(key: str, year: int) -> date:
    month, day = demo_data.INSTITUTIONS[key][5]
    return date(year, month, day)


def member_since(ctx: DemoContext, key: str, year: int) -> datetime:
    """When a student of the class of ``year`` joined and verified their school: the
    start of their second year of studies, and before last academic year at the latest
    (the demo's history begins then)."""
    tz = time_zone(key)
    second_year = datetime(year - 3, 8, 25, 10, tzinfo=tz)
    return min(second_year, year_start(ctx, -1, key) - DAY + timedelta(hours=10))


def affiliation_backdate(ctx: DemoContext, *, user: User, key: str, year: int) -> int:
    """Date the student's verified affiliation(s) and their joining back to when they
    started (the profile service opened them "now"). A transfer student (TRANSFERS)
    belonged to their old school until the move. Returns the number of rows changed."""
    name = user.get_full_name()
    transfer = demo_data.TRANSFERS.get(name)
    joined = member_since(ctx, transfer[0] if transfer else key, year)
    periods: list[tuple[str, datetime, datetime | None]] = [(key, joined, None)]
    if transfer:
        old_school, days = transfer
        moved = year_start(ctx, -1) + timedelta(days=days, hours=10)
        periods = [(old_school, joined, moved), (key, moved, None)]
    changed = 0
    for institution_key, started, ended in periods:
        changed += Affiliation.objects.filter(
            student=user, institution=ctx.institutions[institution_key], started_at__gt=started
        ).update(started_at=started, ended_at=ended)
    changed += User.objects.filter(pk=user.pk, date_joined__gt=joined).update(date_joined=joined)
    return changed


# ------------------------------------------------------------------------------
# Dating a project's story
# ------------------------------------------------------------------------------
class _Story:
    """The dates to give a project's rows: {row: {field: datetime}}. Date fields get the
    day of the datetime."""

    def __init__(self) -> None:
        self.rows: dict[tuple[type, int], tuple[models.Model, dict[str, datetime]]] = {}

    def set(self, row: models.Model, **values: datetime) -> None:
        key = (type(row), row.pk)
        self.rows.setdefault(key, (row, {}))[1].update(values)

    def moments(self) -> list[datetime]:
        """When things happened (date fields are deadlines and start dates: they may
        lie ahead)."""
        return [
            value
            for row, values in self.rows.values()
            for name, value in values.items()
            if isinstance(row._meta.get_field(name), models.DateTimeField)
        ]

    def drop(self, row: models.Model, *names: str) -> None:
        """Leave these fields of ``row`` as they are."""
        values = self.rows.get((type(row), row.pk), (row, {}))[1]
        for name in names:
            values.pop(name, None)

    def value(self, row: models.Model, name: str) -> datetime | None:
        return self.rows.get((type(row), row.pk), (row, {}))[1].get(name)

    def shift(self, delta: timedelta) -> None:
        for _, values in self.rows.values():
            for field, value in values.items():
                values[field] = value + delta

    def squeeze(self, start: datetime, limit: datetime) -> None:
        """Compress the story towards ``start`` so that it ends by ``limit`` (a story in
        an academic year that has only just begun)."""
        latest = max(self.moments())
        if latest <= limit:
            return
        factor = max(limit - start, timedelta(0)) / (latest - start)
        # In UTC: adding to a local time is wall-clock arithmetic, an hour off across a
        # daylight-saving change.
        start = start.astimezone(UTC)
        for _, values in self.rows.values():
            for field, value in values.items():
                values[field] = start + (value.astimezone(UTC) - start) * factor

    def apply(self, tz: zoneinfo.ZoneInfo) -> None:
        groups: dict[tuple[type[models.Model], tuple[str, ...]], list[models.Model]]
        groups = defaultdict(list)
        for row, values in self.rows.values():
            for name, value in values.items():
                field = row._meta.get_field(name)
                # A date field gets the local day of its moment.
                dated = (
                    value
                    if isinstance(field, models.DateTimeField)
                    else value.astimezone(tz).date()
                )
                setattr(row, name, dated)
            groups[(type(row), tuple(sorted(values)))].append(row)
        for (model, fields), rows in groups.items():
            model._base_manager.bulk_update(rows, fields)


def _project_story(project: Project, published: datetime) -> _Story:
    """A finished project's timeline from its publication: applications over the next
    days, decisions after nine, the work over its duration, feedback and payment after
    it, offers two weeks later."""
    story = _Story()
    decided = published + 9 * DAY
    story.set(
        project,
        created_at=published - 2 * DAY,
        published_at=published,
        application_deadline=published + 8 * DAY,
    )
    for n, application in enumerate(project.applications.order_by("pk")):
        applied = published + DAY + n * timedelta(hours=5)
        values = {"created_at": applied}
        if application.decided_at is not None:
            values["decided_at"] = decided
        story.set(application, **values)
        for event in application.events.all():
            by_status: dict[str, datetime] = {
                Application.Status.SUBMITTED: applied,
                Application.Status.WITHDRAWN: applied + 2 * DAY,
            }
            when = by_status.get(event.to_status, decided)
            story.set(event, created_at=when)
    ends = [decided]
    for engagement in project.engagements.order_by("slot_number"):
        ends.append(_engagement_story(story, engagement, start=decided))
    if project.closed_at is not None:
        story.set(project, closed_at=decided)
    for change in project.status_changes.all():
        by_project_status: dict[str, datetime] = {
            Project.Status.DRAFT: published - 2 * DAY,
            Project.Status.PENDING_REVIEW: published - DAY,
            Project.Status.OPEN: published,
            Project.Status.CLOSED: decided,
        }
        when = by_project_status.get(change.to_status, max(ends))
        story.set(change, created_at=when)
    return story


def _engagement_story(story: _Story, engagement: Engagement, *, start: datetime) -> datetime:
    """Date one engagement and what followed it; returns when its work ended."""
    duration = engagement.project.duration_days
    submitted = start + max(1, duration - 2 - engagement.slot_number) * DAY
    completed = submitted + DAY
    cancelled = start + 5 * DAY
    ended = start
    values = {"started_at": start, "due_date": start + duration * DAY}
    if engagement.submitted_at is not None:
        values["submitted_at"] = ended = submitted
    if engagement.completed_at is not None:
        values["completed_at"] = ended = completed
    if engagement.cancelled_at is not None:
        values["cancelled_at"] = ended = cancelled
    if engagement.feedback_released_at is not None:
        values["feedback_released_at"] = completed + 2 * DAY
    story.set(engagement, last_activity_at=ended, **values)
    Status = Engagement.Status
    by_status: dict[str, datetime] = {
        Status.ACTIVE: start,
        Status.SUBMITTED: submitted,
        Status.REVISION_REQUESTED: submitted + DAY / 2,
        Status.COMPLETED: completed,
        Status.CANCELLED: cancelled,
    }
    for event in engagement.events.all():
        when = by_status.get(event.to_status, start + DAY)
        story.set(event, created_at=when)
    for submission in engagement.submissions.all():
        story.set(submission, created_at=submitted)
    for n, message in enumerate(engagement.messages.order_by("pk")):
        story.set(message, created_at=start + (n + 1) * timedelta(hours=20))
    for row in (
        getattr(engagement, "supervisor_feedback", None),
        getattr(engagement, "experience_item", None),
        *engagement.endorsements.all(),
    ):
        if row is not None:
            field = "submitted_at" if hasattr(row, "submitted_at") else "created_at"
            story.set(row, **{field: completed + DAY})
    intern = getattr(engagement, "intern_feedback", None)
    if intern is not None:
        story.set(intern, submitted_at=completed + 2 * DAY)
    payout = getattr(engagement, "payout", None)
    if payout is not None:
        paid = completed + 4 * DAY
        story.set(payout, due_at=completed, **({"paid_at": paid} if payout.paid_at else {}))
        for event in payout.events.all():
            story.set(
                event, created_at=paid if event.to_status == Payout.Status.PAID else completed
            )
    for offer in engagement.offers.all():
        _offer_story(story, offer, extended=completed + 12 * DAY)
    return ended


def _offer_story(story: _Story, offer: Offer, *, extended: datetime) -> None:
    answered = extended + 5 * DAY
    values = {
        "created_at": extended,
        "response_deadline": extended + 14 * DAY,
        "start_date": extended + 75 * DAY,
    }
    if offer.responded_at is not None:
        values["responded_at"] = answered
    story.set(offer, **values)
    Status = Offer.Status
    by_status: dict[str, datetime] = {
        Status.EXTENDED: extended,
        Status.ACCEPTED: answered,
        Status.DECLINED: answered,
        Status.EXPIRED: extended + 15 * DAY,
        Status.RESCINDED: (answered if offer.responded_at else extended) + 20 * DAY,
    }
    for event in offer.events.all():
        when = by_status[event.to_status]
        story.set(event, created_at=when)


def seed_placement_history(ctx: DemoContext) -> None:
    """Move each finished placement project's story back to when it happened, then the
    cohort's self-reported outcomes. Runs after every other lifecycle step."""
    tz = time_zone()
    limit = ctx.now - DAY
    for title, (offset, days) in demo_data.PLACEMENT_HISTORY.items():
        project = ctx.projects[title]
        project.refresh_from_db()
        if project.status != Project.Status.COMPLETED:
            ctx.skipped.append(f"dating “{title}” (not completed)")
            continue
        start = year_start(ctx, offset)
        story = _project_story(project, start + timedelta(days=days, hours=9))
        story.squeeze(start, limit)
        published = story.rows[(Project, project.pk)][1]["published_at"]
        if project.published_at and project.published_at <= published + timedelta(minutes=1):
            continue  # dated by an earlier run
        with transaction.atomic():
            story.apply(tz)
            _date_notifications(project, when=max(story.moments()))
        ctx.created["placement stories dated"] += 1
    _date_outcomes(ctx, limit=ctx.now - timedelta(hours=1))


def _date_notifications(project: Project, *, when: datetime) -> None:
    """What the story told people belongs to its time too, and was read long ago: the
    employer's inbox shows today's news, not a year of placement history."""
    links = [reverse("matching:applicant-list", kwargs={"project_pk": project.pk})]
    for pk in project.applications.values_list("pk", flat=True):
        links.append(reverse("matching:applicant-detail", kwargs={"pk": pk}))
        links.append(reverse("matching:application-detail", kwargs={"pk": pk}))
    for engagement in project.engagements.prefetch_related("offers"):
        links.append(reverse("matching:engagement-detail", kwargs={"pk": engagement.pk}))
        links += [offer.get_absolute_url() for offer in engagement.offers.all()]
    about = Q(text__contains=f"“{project.title}”")
    for link in links:
        about |= Q(link__startswith=link)
    Notification.objects.filter(about, created_at__gt=when).update(created_at=when, read_at=when)


def _date_outcomes(ctx: DemoContext, *, limit: datetime) -> None:
    tz = time_zone()
    for name, days in demo_data.OUTCOME_DAYS.items():
        student = ctx.students_by_name[name]
        year = StudentProfile.objects.values_list("graduation_year", flat=True).get(user=student)
        if year is None:
            continue  # a student of the cohort always has a class; nothing to date without one
        day = graduation_date(HOME, year) + timedelta(days=days)
        when = min(datetime(day.year, day.month, day.day, 11, tzinfo=tz), limit)
        ctx.created["outcome reports dated"] += OutcomeReport.objects.filter(
            student=student, reported_at__gt=when
        ).update(reported_at=when)


# ------------------------------------------------------------------------------
# The recent demo: every project outside the placement cohort
# ------------------------------------------------------------------------------
FINISHED = {Project.Status.COMPLETED, Project.Status.CANCELLED}
ENGAGEMENT_ENDED = {Engagement.Status.COMPLETED, Engagement.Status.CANCELLED}


def seed_recent_history(ctx: DemoContext) -> None:
    """Spread each published project's story (outside the placement cohort) over the
    time since it was published. The services dated it all "now"; a project still in
    that state (made after its publication) is dated, one already dated is left alone."""
    tz = time_zone()
    limit = ctx.now - timedelta(hours=1)
    for spec in demo_data.PROJECTS:
        title = spec["title"]
        project = ctx.projects.get(title)
        if title in demo_data.PLACEMENT_HISTORY or project is None:
            continue
        project.refresh_from_db()
        if project.published_at is None or project.created_at <= project.published_at:
            continue  # never published, or dated by an earlier run
        story = _recent_story(project, limit=limit)
        with transaction.atomic():
            story.apply(tz)
            _date_recent_notifications(project, story, fallback=max(story.moments()))
        ctx.created["recent stories dated"] += 1


def _recent_story(project: Project, *, limit: datetime) -> _Story:
    published = project.published_at
    assert published is not None
    story = _project_story(project, published)
    engagements = list(project.engagements.prefetch_related("offers", "hours"))
    window = timedelta(days=feedback_window_days())
    for engagement in engagements:
        completed = story.value(engagement, "completed_at")
        released_alone = engagement.feedback_released_at is not None and not (
            hasattr(engagement, "supervisor_feedback") and hasattr(engagement, "intern_feedback")
        )
        if completed is not None and released_alone:
            # Released by the window closing, not by both sides: 14 days after completion.
            story.set(engagement, feedback_released_at=completed + window + DAY)
    # Deadlines that lie ahead stay ahead.
    if project.status == Project.Status.OPEN:
        story.drop(project, "application_deadline")
    for engagement in engagements:
        if engagement.status not in ENGAGEMENT_ENDED:
            story.drop(engagement, "due_date")
        for offer in engagement.offers.all():
            if offer.status in (Offer.Status.EXTENDED, Offer.Status.EXPIRED):
                # Still open (ahead), or lapsed yesterday as the demo made it.
                story.drop(offer, "response_deadline", "start_date")
    if project.status in FINISHED:
        # A finished story keeps its pace and ends by yesterday.
        latest = max(story.moments())
        if latest > limit - DAY:
            story.shift(limit - DAY - latest)
    else:
        story.squeeze(published, limit)
    for engagement in engagements:
        _hours_story(story, engagement, limit=limit)
    return story


def _hours_story(story: _Story, engagement: Engagement, *, limit: datetime) -> None:
    """The hours logged between the start and the hand-in (or now), in their order;
    the last activity of a running engagement is its latest message or hours."""
    start = story.value(engagement, "started_at") or engagement.started_at
    end = (
        story.value(engagement, "submitted_at")
        or story.value(engagement, "cancelled_at")
        or story.value(engagement, "completed_at")
        or limit
    )
    entries = sorted(engagement.hours.all(), key=lambda e: (e.date, e.pk))
    moments = []
    for n, entry in enumerate(entries):
        when = start + (end - start) * (n + 1) / (len(entries) + 1)
        story.set(entry, date=when, created_at=when)
        moments.append(when)
    if engagement.status not in ENGAGEMENT_ENDED:
        messages = [
            story.value(message, "created_at") or start for message in engagement.messages.all()
        ]
        story.set(engagement, last_activity_at=max([start, *moments, *messages]))


def _date_recent_notifications(project: Project, story: _Story, *, fallback: datetime) -> None:
    """Each notification the story sent is dated with the step it told about: an
    application's with its decision (or its arrival), an engagement's with its last
    step, an offer's with its extension. Read or unread stays as it was."""
    dated: list[tuple[str, datetime | None]] = []
    for application in project.applications.all():
        when = story.value(application, "decided_at") or story.value(application, "created_at")
        for name in ("applicant-detail", "application-detail"):
            dated.append((reverse(f"matching:{name}", kwargs={"pk": application.pk}), when))
    for engagement in project.engagements.prefetch_related("offers"):
        when = max(
            v
            for v in (
                story.value(engagement, name)
                for name in ("started_at", "submitted_at", "completed_at", "cancelled_at")
            )
            if v is not None
        )
        link = reverse("matching:engagement-detail", kwargs={"pk": engagement.pk})
        dated.append((link, when))
        for offer in engagement.offers.all():
            dated.append((offer.get_absolute_url(), story.value(offer, "created_at") or when))
    newest = project.applications.order_by("-pk").first()
    if newest is not None:
        link = reverse("matching:applicant-list", kwargs={"project_pk": project.pk})
        dated.append((link, story.value(newest, "created_at") or fallback))
    for link, when in dated:
        if when is not None:
            Notification.objects.filter(link__startswith=link, created_at__gt=when).update(
                created_at=when
            )
    Notification.objects.filter(
        text__contains=f"“{project.title}”", created_at__gt=fallback
    ).update(created_at=fallback)
