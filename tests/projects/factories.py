"""Projects built through the real posting services, so every factory project has its
skills, its creation audit row and its search column like a real one.

    ProjectFactory()                         a draft of a verified organization
    ProjectFactory(organization=org)         a draft of ``org``; supervisor = an existing member
    open_project(**kwargs)                   published (approved by staff if unverified)
    project_in_status("closed", **kwargs)    any status, reached through the services
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.conf import settings
from django.utils import timezone

from accounts.models import Membership
from projects.models import Project
from projects.services.posting import (
    project_cancel,
    project_close,
    project_complete,
    project_create,
    project_publish,
    project_review_approve,
)
from tests.accounts.factories import (
    MembershipFactory,
    OrganizationFactory,
    SkillFactory,
    UserFactory,
    VerifiedOrganizationFactory,
)

Status = Project.Status


def member_of(organization) -> object:
    """An existing member of the organization (owners first), or a new owner."""
    membership = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "pk")  # "owner" sorts before "supervisor"
        .first()
    )
    if membership is None:
        membership = MembershipFactory(organization=organization, role=Membership.Role.OWNER)
    return membership.user


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    class Params:
        verified = True

    organization = factory.Maybe(
        "verified",
        yes_declaration=factory.SubFactory(VerifiedOrganizationFactory),
        no_declaration=factory.SubFactory(OrganizationFactory),
    )
    supervisor = factory.LazyAttribute(lambda o: member_of(o.organization))
    created_by = factory.LazyAttribute(lambda o: o.supervisor)
    title = factory.Sequence(lambda n: f"Market research sprint {n}")
    summary = "Size the market for a new product line and recommend where to start."
    description = (
        "You will interview five customers, read the public reports and build a short "
        "market-sizing model with a written recommendation."
    )
    deliverables = factory.LazyFunction(
        lambda: ["Interview notes", "Market-sizing spreadsheet", "Two-page recommendation"]
    )
    category = Project.Category.RESEARCH
    work_mode = Project.WorkMode.REMOTE
    location = ""
    estimated_hours = 20
    duration_days = 14
    due_date = None
    # Comfortably above the floor for the default hours.
    fee = factory.LazyAttribute(lambda o: settings.PAY_FLOOR_PER_HOUR * o.estimated_hours + 100)
    currency = Project.Currency.USD
    slots = 1
    application_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    screening_questions = factory.LazyFunction(lambda: ["Why does this project interest you?"])
    eligibility_notes = ""
    required_skills = factory.LazyFunction(lambda: [SkillFactory(), SkillFactory()])
    nice_to_have_skills = factory.LazyFunction(lambda: [SkillFactory()])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        organization = kwargs.pop("organization")
        actor = kwargs.pop("created_by")
        return project_create(organization=organization, actor=actor, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("required_skills", None)
        kwargs.pop("nice_to_have_skills", None)
        return model_class(*args, **kwargs)


def _staff():
    return UserFactory(is_staff=True)


def open_project(**kwargs) -> Project:
    """A project published through the services (approved by staff if its organization
    is not verified)."""
    project = ProjectFactory(**kwargs)
    project_publish(project=project, actor=project.supervisor)
    if project.status == Status.PENDING_REVIEW:
        project_review_approve(project=project, actor=_staff())
    project.refresh_from_db()
    return project


def project_in_status(status: str, **kwargs) -> Project:
    """A project in ``status``, reached only through the services."""
    if status == Status.DRAFT:
        return ProjectFactory(**kwargs)
    if status == Status.PENDING_REVIEW:
        kwargs.setdefault("verified", False)
        project = ProjectFactory(**kwargs)
        project_publish(project=project, actor=project.supervisor)
        project.refresh_from_db()
        return project
    if status == Status.CANCELLED:
        project = ProjectFactory(**kwargs)
        project_cancel(project=project, actor=project.supervisor, reason="No longer needed")
        project.refresh_from_db()
        return project
    project = open_project(**kwargs)
    if status in (Status.CLOSED, Status.COMPLETED):
        project_close(project=project, actor=project.supervisor)
    if status == Status.COMPLETED:
        project_complete(project=project, actor=project.supervisor)
    project.refresh_from_db()
    assert project.status == status, (project.status, status)
    return project
