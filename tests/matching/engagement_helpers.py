"""Engagements for the workspace tests.

    make_engagement(student=..., supervisor=...)      an active engagement on a project of
                                                      the supervisor's organization
    engagement_in_status("submitted", ...)            any status, reached through the
                                                      workspace services
    pdf_upload(), upload(name, content)               files to hand in

Everything is built through the real services: the project by the projects factories,
the application by ``application_submit`` and the engagement by ``application_accept``
(tests/matching/factories.py).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import StudentSkill
from matching.models import Engagement
from matching.services.engagements import (
    engagement_approve,
    engagement_cancel,
    engagement_request_revision,
    engagement_submit_work,
)
from projects.models import Project
from tests.accounts.factories import SkillFactory
from tests.matching.factories import accepted_engagement, give_resume, ready_student
from tests.projects.factories import open_project

Status = Engagement.Status

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _make_ready(student) -> None:
    """Give a plain factory student what applying needs (a skill and a résumé)."""
    profile = student.student_profile
    if not StudentSkill.objects.filter(profile=profile).exists():
        StudentSkill.objects.create(profile=profile, skill=SkillFactory(), level=3)
    if not profile.resume:
        give_resume(student)


def make_engagement(
    *,
    student=None,
    supervisor=None,
    organization=None,
    project: Project | None = None,
    slots: int = 1,
    deliverables: list[str] | None = None,
) -> Engagement:
    """An active engagement, created by ``application_accept`` on an application the
    student submitted through ``application_submit``. Taking the last slot closes the
    project, as it does for real."""
    if project is None:
        kwargs: dict = {"slots": slots}
        if supervisor is not None:
            kwargs["supervisor"] = supervisor
            kwargs["organization"] = supervisor.membership.organization
        elif organization is not None:
            kwargs["organization"] = organization
        if deliverables is not None:
            kwargs["deliverables"] = deliverables
        project = open_project(**kwargs)
    if student is None:
        student = ready_student()
    else:
        _make_ready(student)
    engagement = accepted_engagement(project=project, student=student)
    return Engagement.objects.select_related("project__organization", "student", "supervisor").get(
        pk=engagement.pk
    )


def engagement_in_status(status: str, **kwargs) -> Engagement:
    """An engagement in ``status``, moved there by the workspace services."""
    engagement = make_engagement(**kwargs)
    student, supervisor = engagement.student, engagement.supervisor
    if status == Status.CANCELLED:
        engagement_cancel(engagement=engagement, actor=student, reason="Could not continue")
    elif status != Status.ACTIVE:
        engagement_submit_work(
            engagement=engagement, actor=student, link="https://example.com/work", note="v1"
        )
        if status == Status.REVISION_REQUESTED:
            engagement_request_revision(
                engagement=engagement, actor=supervisor, comments="Please add sources."
            )
        elif status == Status.COMPLETED:
            engagement_approve(engagement=engagement, actor=supervisor)
    engagement.refresh_from_db()
    assert engagement.status == status, (engagement.status, status)
    return engagement


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name: str = "report.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")
