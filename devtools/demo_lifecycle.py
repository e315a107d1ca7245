"""The demo's life after posting (steps of ``manage.py seed_demo``): résumés,
applications, engagements and their workspace, two-sided feedback, the experience
record, payouts, offers and self-reported outcomes.

Everything goes through the real services (outside any transaction: they are durable),
so audit rows and notifications appear exactly as they would for real users. Each step
looks at what exists first and takes only the missing moves, from the status it finds:
a second run calls no service at all. The data is in ``devtools/demo_data.py``.

A few states need time to pass (an offer's deadline, the 14-day feedback window): there
the service runs first and the date it checks is then moved back with one ``update()``
— commented where it happens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, StudentProfile, User
from accounts.services.profiles import profile_update
from devtools import demo_data
from devtools.demo_context import DemoContext, demo_skill
from matching.models import (
    Application,
    Engagement,
    InternFeedback,
    Offer,
    OutcomeReport,
    Payout,
    RecordShare,
    SupervisorFeedback,
)
from matching.services.applications import (
    application_accept,
    application_expire,
    application_reject,
    application_shortlist,
    application_submit,
    application_withdraw,
)
from matching.services.engagements import (
    engagement_approve,
    engagement_cancel,
    engagement_log_hours,
    engagement_post_message,
    engagement_request_revision,
    engagement_submit_work,
    engagement_toggle_checklist_item,
    payout_mark_paid,
)
from matching.services.feedback import (
    feedback_release_after_window,
    feedback_reply,
    feedback_window_days,
    intern_feedback_submit,
    supervisor_feedback_submit,
)
from matching.services.offers import (
    offer_accept,
    offer_decline,
    offer_expire,
    offer_extend,
    offer_rescind,
    outcome_report_create,
)
from matching.services.records import (
    experience_item_set_visibility,
    record_share_create,
    resume_bullet_save,
)
from projects.models import Project

AppStatus = Application.Status
EngStatus = Engagement.Status
OfferStatus = Offer.Status


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
def _student(ctx: DemoContext, name: str) -> User:
    return ctx.students_by_name[name]


def _project(ctx: DemoContext, title: str) -> Project:
    project = ctx.projects[title]
    project.refresh_from_db()
    return project


def _pdf_text(text: str) -> str:
    safe = text.replace("—", "-").replace("–", "-").replace("’", "'").replace("“", '"')
    safe = safe.replace("”", '"').encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def resume_pdf(lines: list[str]) -> bytes:
    """A one-page PDF résumé with ``lines`` of text: small, valid, and readable by any
    viewer (and by the résumé check, which opens it with pypdf)."""
    stream = "BT /F1 12 Tf 72 740 Td 16 TL " + " ".join(
        f"({_pdf_text(line)}) Tj T*" for line in lines
    )
    stream += " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


# ------------------------------------------------------------------------------
# Résumés (students need one to apply)
# ------------------------------------------------------------------------------
def seed_resumes(ctx: DemoContext) -> None:
    profiles = StudentProfile.objects.filter(user__in=ctx.students, resume="").select_related(
        "user", "institution"
    )
    for profile in profiles:
        user = profile.user
        skills = ", ".join(
            profile.studentskill_set.order_by("-level", "skill__name").values_list(
                "skill__name", flat=True
            )
        )
        lines = [
            user.get_full_name(),
            user.email,
            "",
            f"{profile.get_degree_level_display()} in {profile.major}, "
            f"{profile.institution}, class of {profile.graduation_year}",
            "",
            profile.headline,
            f"Skills: {skills}",
        ]
        profile_update(
            profile=profile,
            first_name=user.first_name,
            last_name=user.last_name,
            institution=profile.institution,
            changes={},
            resume=SimpleUploadedFile("resume.pdf", resume_pdf(lines), "application/pdf"),
        )
        ctx.created["résumés"] += 1


# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
def _application(project: Project, student: User) -> Application | None:
    return (
        Application.objects.select_related("project", "student")
        .filter(project=project, student=student)
        .first()
    )


def seed_applications(ctx: DemoContext) -> None:
    """Apply while the project is open, then decide: shortlist, reject, withdraw; then
    accept (taking a project's last place answers the rest); whatever should have
    expired and is still waiting is closed as the response promise would."""
    now = timezone.now()
    rows = []
    for name, title, target, message in demo_data.APPLICATIONS:
        student, project = _student(ctx, name), _project(ctx, title)
        application = _application(project, student)
        if application is None:
            if project.status != Project.Status.OPEN or project.application_deadline <= now:
                ctx.skipped.append(f"application of {name} to “{title}” (project not open)")
                continue
            application_submit(
                project=project,
                student=student,
                cover_note=(
                    f"{demo_data.COVER_NOTES.get(project.category, '')} "
                    f"“{project.title}” is exactly the kind of work I want to do more of."
                ).strip(),
                answers=[
                    "Happy to walk you through an example from my coursework."
                    for _ in project.screening_questions or ()
                ],
            )
            ctx.created["applications"] += 1
        rows.append((student, project, target, message))

    def undecided(student, project) -> Application | None:
        application = _application(project, student)
        return application if application and application.is_undecided else None

    for student, project, target, message in rows:
        application = undecided(student, project)
        if application is None:
            continue
        decider = project.supervisor
        if target == AppStatus.SHORTLISTED and application.status == AppStatus.SUBMITTED:
            application_shortlist(application=application, actor=decider)
        elif target == AppStatus.REJECTED:
            application_reject(application=application, actor=decider, message=message)
        elif target == AppStatus.WITHDRAWN:
            application_withdraw(application=application, actor=student)
        else:
            continue
        ctx.created["application decisions"] += 1
    for student, project, target, _ in rows:
        application = undecided(student, project)
        if target == AppStatus.ACCEPTED and application is not None:
            application_accept(application=application, actor=project.supervisor)
            ctx.created["engagements"] += 1
    for student, project, target, _ in rows:
        application = undecided(student, project)
        if target == AppStatus.EXPIRED and application is not None:
            application_expire(application=application)
            ctx.created["application decisions"] += 1


# ------------------------------------------------------------------------------
# Engagements: the workspace and the lifecycle
# ------------------------------------------------------------------------------
def _engagement(ctx: DemoContext, name: str, title: str) -> Engagement | None:
    return (
        Engagement.objects.select_related(
            "project__organization", "student", "supervisor", "application"
        )
        .filter(project=ctx.projects[title], student=_student(ctx, name))
        .first()
    )


def _party(engagement: Engagement, who: str) -> User:
    return engagement.student if who == "student" else engagement.supervisor


def seed_engagements(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for (name, title), spec in demo_data.ENGAGEMENTS.items():
        engagement = _engagement(ctx, name, title)
        if engagement is None:
            ctx.skipped.append(f"engagement of {name} on “{title}” (not accepted)")
            continue
        target = spec["status"]
        if engagement.status == EngStatus.ACTIVE:
            if spec.get("hours") and not engagement.hours.exists():
                # Hours can only be logged from the start day on: the demo's work began
                # a few days ago, so the start moves back to the first logged day.
                first_day = timezone.now() - dt.timedelta(days=max(d for d, *_ in spec["hours"]))
                Engagement.objects.filter(pk=engagement.pk, started_at__gt=first_day).update(
                    started_at=first_day
                )
                engagement.refresh_from_db(fields=["started_at"])
                for days_ago, hours, description in spec["hours"]:
                    engagement_log_hours(
                        engagement=engagement,
                        actor=engagement.student,
                        date=today - dt.timedelta(days=days_ago),
                        hours=Decimal(str(hours)),
                        description=description,
                    )
                    ctx.created["hours entries"] += 1
            if spec.get("messages") and not engagement.messages.exists():
                for who, body in spec["messages"]:
                    engagement_post_message(
                        engagement=engagement, actor=_party(engagement, who), body=body
                    )
                    ctx.created["messages"] += 1
            checklist = engagement.checklist or []
            if spec.get("ticked") and not any(item.get("done") for item in checklist):
                for index in range(min(spec["ticked"], len(checklist))):
                    engagement_toggle_checklist_item(
                        engagement=engagement, actor=engagement.student, index=index
                    )
                ctx.created["checklist ticks"] += 1
        _advance_engagement(ctx, engagement, spec, target)


def _advance_engagement(ctx: DemoContext, engagement: Engagement, spec: dict, target: str):
    def submit() -> None:
        engagement_submit_work(
            engagement=engagement,
            actor=engagement.student,
            link=spec.get("link", "https://docs.example.com/demo-work"),
            note="Here is my work: the summary is on the first page.",
        )

    def revise() -> None:
        engagement_request_revision(
            engagement=engagement, actor=engagement.supervisor, comments=spec["revision"]
        )

    def approve() -> None:
        engagement_approve(
            engagement=engagement, actor=engagement.supervisor, note="Great work, thank you!"
        )

    def cancel() -> None:
        who, reason = spec["cancel"]
        engagement_cancel(engagement=engagement, actor=_party(engagement, who), reason=reason)

    paths: dict[str, list[tuple[str, Callable[[], None]]]] = {
        EngStatus.ACTIVE: [],
        EngStatus.SUBMITTED: [(EngStatus.ACTIVE, submit)],
        EngStatus.REVISION_REQUESTED: [(EngStatus.ACTIVE, submit), (EngStatus.SUBMITTED, revise)],
        EngStatus.COMPLETED: [(EngStatus.ACTIVE, submit), (EngStatus.SUBMITTED, approve)],
        EngStatus.CANCELLED: [(EngStatus.ACTIVE, cancel)],
    }
    for expected, step in paths[target]:
        if engagement.status == expected:
            step()
            ctx.created["engagement transitions"] += 1


# ------------------------------------------------------------------------------
# Feedback, the experience record and payouts
# ------------------------------------------------------------------------------
def seed_feedback(ctx: DemoContext) -> None:
    for (name, title), spec in demo_data.ENGAGEMENTS.items():
        mode = spec.get("feedback")
        engagement = _engagement(ctx, name, title)
        if not mode or engagement is None or engagement.status != EngStatus.COMPLETED:
            continue
        if engagement.feedback_released_at is None:
            if mode in ("both", "supervisor", "window"):
                _supervisor_feedback(ctx, engagement, spec["supervisor_feedback"])
            if mode in ("both", "intern"):
                _intern_feedback(ctx, engagement, spec["intern_feedback"])
        if mode == "window" and engagement.feedback_released_at is None:
            # Released by the beat task once 14 days have passed since completion: the
            # demo's completion moves back past the window, then the task's service runs.
            past = timezone.now() - dt.timedelta(days=feedback_window_days() + 2)
            Engagement.objects.filter(pk=engagement.pk).update(completed_at=past, submitted_at=past)
            if feedback_release_after_window(engagement_id=engagement.pk):
                ctx.created["feedback released by the window"] += 1
            engagement.refresh_from_db()
        reply = spec.get("reply")
        if reply and engagement.feedback_released_at is not None:
            feedback = SupervisorFeedback.objects.filter(engagement=engagement).first()
            if feedback is not None and not feedback.intern_reply:
                feedback_reply(engagement=engagement, actor=engagement.student, reply=reply)
                ctx.created["feedback replies"] += 1


def _supervisor_feedback(ctx: DemoContext, engagement: Engagement, spec: dict) -> None:
    if SupervisorFeedback.objects.filter(engagement=engagement).exists():
        return
    supervisor_feedback_submit(
        engagement=engagement,
        actor=engagement.supervisor,
        ratings=spec["ratings"],
        overall_rating=spec["overall"],
        written_feedback=spec["written"],
        skills=[demo_skill(ctx, skill) for skill in spec.get("skills", ())],
        outcomes=spec.get("outcomes", ()),
        would_hire=spec.get("would_hire", False),
        recommendation=spec.get("recommendation", ""),
    )
    ctx.created["supervisor feedback"] += 1


def _intern_feedback(ctx: DemoContext, engagement: Engagement, values: tuple) -> None:
    if InternFeedback.objects.filter(engagement=engagement).exists():
        return
    brief, mentorship, scope, recommend, comment = values
    intern_feedback_submit(
        engagement=engagement,
        actor=engagement.student,
        brief_clarity=brief,
        mentorship=mentorship,
        scope_fairness=scope,
        would_recommend=recommend,
        comment=comment,
    )
    ctx.created["intern feedback"] += 1


def seed_records(ctx: DemoContext) -> None:
    """The printed student's record: approved bullets, the supervisor's quote shown,
    and a public share link (its address is printed once, when it is made)."""
    for (name, title), spec in demo_data.ENGAGEMENTS.items():
        engagement = _engagement(ctx, name, title)
        if not spec.get("record") or engagement is None:
            continue
        item = getattr(engagement, "experience_item", None)
        if item is None:
            continue
        student = engagement.student
        for bullet in item.bullets.filter(approved_at__isnull=True):
            resume_bullet_save(
                bullet=bullet, actor=student, text=bullet.text or bullet.draft_text, approve=True
            )
            ctx.created["approved résumé bullets"] += 1
        if not item.show_quote:
            experience_item_set_visibility(
                item=item, actor=student, is_visible=True, show_ratings=True, show_quote=True
            )
            ctx.created["record settings"] += 1
        if not RecordShare.objects.filter(student=student, revoked_at__isnull=True).exists():
            _, token = record_share_create(student=student)
            ctx.created["record share links"] += 1
            ctx.notes.append(
                f"{student.get_full_name()}'s public record: {settings.SITE_URL}"
                + reverse("matching:record-public", kwargs={"token": token})
            )


def seed_payouts(ctx: DemoContext) -> None:
    for (name, title), spec in demo_data.ENGAGEMENTS.items():
        if not spec.get("paid"):
            continue
        engagement = _engagement(ctx, name, title)
        payout = Payout.objects.filter(engagement=engagement, status=Payout.Status.DUE).first()
        if engagement is None or payout is None:
            continue
        owner = User.objects.filter(
            membership__organization_id=engagement.project.organization_id,
            membership__role=Membership.Role.OWNER,
        ).first()
        assert owner is not None, "every demo organization has an owner"
        payout_mark_paid(
            payout=payout,
            actor=owner,
            reference=f"ACH-{engagement.completed_at:%Y%m%d}-{engagement.pk:04d}",
        )
        ctx.created["payouts marked paid"] += 1


# ------------------------------------------------------------------------------
# Offers and outcomes
# ------------------------------------------------------------------------------
def seed_offers(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for spec in demo_data.OFFERS:
        organization = ctx.organizations[spec["org"]]
        student = _student(ctx, spec["student"])
        engagement = _engagement(ctx, spec["student"], spec["engagement"])
        if engagement is None or engagement.status != EngStatus.COMPLETED:
            ctx.skipped.append(f"offer to {spec['student']} (no completed engagement)")
            continue
        offer = Offer.objects.filter(
            organization=organization, student=student, title=spec["title"]
        ).first()
        actor = engagement.supervisor
        if offer is None:
            offer = offer_extend(
                organization=organization,
                actor=actor,
                student=student,
                engagement=engagement,
                title=spec["title"],
                type=spec["type"],
                pay_amount=spec["pay"],
                pay_period=spec["period"],
                currency="USD",
                location=spec["location"],
                is_remote=not spec["location"],
                start_date=today + dt.timedelta(days=75),
                response_deadline=today + dt.timedelta(days=10),
                message=spec["message"],
            )
            ctx.created["offers"] += 1
        if offer.status != OfferStatus.EXTENDED or spec["status"] == OfferStatus.EXTENDED:
            continue
        target = spec["status"]
        if target == OfferStatus.ACCEPTED:
            offer_accept(offer=offer, actor=student)
        elif target == OfferStatus.DECLINED:
            offer_decline(offer=offer, actor=student, reason=spec.get("reason", ""))
        elif target == OfferStatus.RESCINDED:
            if spec.get("accepted_first"):
                # Accepted, then withdrawn by the employer: no longer a hire.
                offer_accept(offer=offer, actor=student)
            offer_rescind(offer=offer, actor=actor, reason=spec["reason"])
        elif target == OfferStatus.EXPIRED:
            # Offers expire (beat task) the day after their response deadline; a new
            # offer's deadline must lie ahead, so it moves to yesterday after extending.
            Offer.objects.filter(pk=offer.pk).update(response_deadline=today - dt.timedelta(days=1))
            offer.refresh_from_db()
            offer_expire(offer=offer)
        ctx.created["offer answers"] += 1


def seed_outcomes(ctx: DemoContext) -> None:
    for name, kind, employer, job, program in demo_data.OUTCOMES:
        student = _student(ctx, name)
        if OutcomeReport.objects.filter(student=student).exists():
            continue
        outcome_report_create(
            student=student,
            kind=kind,
            employer_name=employer,
            job_title=job,
            program_name=program,
        )
        ctx.created["outcome reports"] += 1
