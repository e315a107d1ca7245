"""``manage.py seed_demo``: complete, realistic, idempotent, and it prints the logins."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.models import (
    CareerOfficeMembership,
    Institution,
    Membership,
    Organization,
    StudentProfile,
    StudentSkill,
    User,
)
from marketplace import demo_data
from projects.models import Project, ProjectSkill, ProjectStatusChange

pytestmark = pytest.mark.django_db

COUNTED = (
    User,
    EmailAddress,
    Institution,
    CareerOfficeMembership,
    Organization,
    Membership,
    StudentProfile,
    StudentSkill,
    Project,
    ProjectSkill,
    ProjectStatusChange,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    for status in Project.Status.values:
        counts[f"status:{status}"] = Project.objects.filter(status=status).count()
    return counts


def test_seed_demo_creates_the_whole_cast():
    seed()
    assert Institution.objects.count() == len(demo_data.INSTITUTIONS) == 3
    assert CareerOfficeMembership.objects.count() == 3
    assert Organization.objects.count() == 5
    assert Organization.objects.filter(verified_at__isnull=False).count() == 4
    assert StudentProfile.objects.count() == len(demo_data.STUDENTS) == 30
    staff = User.objects.get(email=demo_data.STAFF_EMAIL)
    assert staff.is_staff and staff.is_superuser
    # Every organization has an owner and at least one supervisor.
    for org in Organization.objects.all():
        roles = set(org.memberships.values_list("role", flat=True))
        assert roles == {Membership.Role.OWNER, Membership.Role.SUPERVISOR}, org


def test_students_have_complete_verified_profiles():
    seed()
    profiles = StudentProfile.objects.select_related("user", "institution")
    for profile in profiles:
        assert profile.institution is not None
        assert profile.institution_verified, profile.user.email
        assert profile.institution.matches_domain(profile.user.email_domain)
        assert profile.major and profile.headline and profile.bio
        assert 2025 <= profile.graduation_year <= 2028
        assert profile.studentskill_set.count() >= 3
    sharing = profiles.filter(share_with_career_office=True).count()
    assert sharing >= 0.8 * profiles.count()
    assert profiles.filter(share_with_career_office=False).exists()


def test_every_project_status_is_present_and_realistic():
    seed()
    now = timezone.now()
    statuses = set(Project.objects.values_list("status", flat=True))
    assert statuses == set(Project.Status.values)
    assert Project.objects.count() >= 38
    assert Project.objects.filter(status=Project.Status.OPEN).count() >= 20
    for project in Project.objects.prefetch_related("project_skills"):
        assert project.fee >= settings.PAY_FLOOR_PER_HOUR * project.estimated_hours
        assert project.deliverables and project.description and project.summary
        assert project.project_skills.all(), project.title
        if project.status == Project.Status.OPEN:
            assert project.application_deadline > now
            assert project.published_at is not None and project.published_at <= now
    # Only the unverified organization's projects wait for review.
    pending = Project.objects.filter(status=Project.Status.PENDING_REVIEW)
    assert pending.exists()
    assert not pending.filter(organization__verified_at__isnull=False).exists()


def test_projects_went_through_the_posting_services():
    """The services write an audit row for creation and for every transition."""
    seed()
    for project in Project.objects.all():
        path = list(project.status_changes.values_list("from_status", "to_status"))
        assert path[0] == ("", Project.Status.DRAFT), project.title
        assert path[-1][1] == project.status
    completed = Project.objects.filter(status=Project.Status.COMPLETED).first()
    assert list(completed.status_changes.values_list("to_status", flat=True)) == [
        "draft",
        "open",
        "closed",
        "completed",
    ]


def test_demo_users_log_in_with_the_demo_password_and_verified_email(client):
    seed()
    users = User.objects.all()
    assert users.count() >= 40
    for user in users:
        assert EmailAddress.objects.filter(
            user=user, email=user.email, verified=True, primary=True
        ).exists(), user.email
    student = User.objects.get(email="ava.martinez@northfield.edu")
    assert student.check_password(demo_data.DEMO_PASSWORD)
    assert client.login(email=student.email, password=demo_data.DEMO_PASSWORD)


def test_seeding_twice_changes_nothing():
    first_output = seed()
    before = snapshot()
    statuses = dict(Project.objects.values_list("title", "status"))
    second_output = seed()
    assert snapshot() == before
    assert dict(Project.objects.values_list("title", "status")) == statuses
    assert "nothing new" in second_output
    assert "nothing new" not in first_output


def test_rerun_finishes_a_project_left_halfway():
    """A run interrupted after creating a project is completed by the next one."""
    seed()
    project = Project.objects.get(title="Survey analysis for a neighborhood library system")
    assert project.status == Project.Status.CLOSED
    project.delete()
    seed()
    project = Project.objects.get(title="Survey analysis for a neighborhood library system")
    assert project.status == Project.Status.CLOSED


def test_logins_are_printed_for_every_role():
    output = seed()
    for email in (
        "ava.martinez@northfield.edu",
        "maya.chen@brightline-analytics.example.com",
        "jordan.ellis@brightline-analytics.example.com",
        "dana.whitfield@careers.northfield.edu",
        demo_data.STAFF_EMAIL,
    ):
        line = next(line for line in output.splitlines() if email in line)
        assert demo_data.DEMO_PASSWORD in line
    for role in ("student", "employer owner", "employer supervisor", "career office", "staff"):
        assert role in output
    # The same table is printed when nothing new was made.
    assert "ava.martinez@northfield.edu" in seed()
