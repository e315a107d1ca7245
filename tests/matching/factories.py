"""Applications and engagements built through the real services.

ready_student(skills=[...])              a student whose profile may apply (name,
                                         major, year, a skill, a résumé)
ApplicationFactory(project=…, student=…) submitted through ``application_submit``, which
                                         stores its rank score (see test_ranking.py)
submitted_application(project, student)  the same, as a function
application_in_status("rejected", …)     any status, reached through the services
accepted_engagement(project=…, …)        an Engagement via ``application_accept``
"""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile

from accounts.models import StudentSkill
from matching.models import Application, Engagement
from matching.services.applications import (
    application_accept,
    application_expire,
    application_reject,
    application_shortlist,
    application_submit,
    application_withdraw,
)
from tests.accounts.factories import SkillFactory, StudentFactory
from tests.projects.factories import open_project

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

Status = Application.Status


def give_resume(student, content: bytes = PDF_BYTES) -> None:
    profile = student.student_profile
    profile.resume.save("resume.pdf", ContentFile(content), save=True)


def ready_student(*, skills=None, levels=None, resume: bytes | None = PDF_BYTES, **kwargs):
    """A student whose profile is complete enough to apply. ``skills`` (Skill objects)
    default to one new skill; ``levels`` maps skill → level (default 3)."""
    student = StudentFactory(**kwargs)
    profile = student.student_profile
    for skill in skills if skills is not None else [SkillFactory()]:
        StudentSkill.objects.create(
            profile=profile, skill=skill, level=(levels or {}).get(skill, 3)
        )
    if resume is not None:
        give_resume(student, resume)
    return student


def _answers_for(project) -> list[str]:
    return [f"My answer to question {i + 1}." for i in range(len(project.screening_questions))]


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    project = factory.LazyFunction(open_project)
    student = factory.LazyFunction(ready_student)
    cover_note = "I have done two similar projects for student societies and would love this one."
    answers = factory.LazyAttribute(lambda o: _answers_for(o.project))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return application_submit(**kwargs)


def submitted_application(project=None, student=None, **kwargs) -> Application:
    if project is not None:
        kwargs["project"] = project
    if student is not None:
        kwargs["student"] = student
    return ApplicationFactory(**kwargs)


def application_in_status(status: str, **kwargs) -> Application:
    """An application in ``status``, reached only through the services."""
    application = submitted_application(**kwargs)
    supervisor = application.project.supervisor
    if status == Status.SHORTLISTED:
        application_shortlist(application=application, actor=supervisor)
    elif status == Status.ACCEPTED:
        application_accept(application=application, actor=supervisor)
    elif status == Status.REJECTED:
        application_reject(application=application, actor=supervisor, message="Thanks!")
    elif status == Status.WITHDRAWN:
        application_withdraw(application=application, actor=application.student)
    elif status == Status.EXPIRED:
        application_expire(application=application)
    application.refresh_from_db()
    assert application.status == status, (application.status, status)
    return application


def accepted_engagement(*, project=None, student=None, application=None, actor=None) -> Engagement:
    """An active Engagement, created by accepting an application."""
    if application is None:
        application = submitted_application(project=project, student=student)
    return application_accept(
        application=application, actor=actor or application.project.supervisor
    )
