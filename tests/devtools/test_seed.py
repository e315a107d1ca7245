"""``manage.py seed_demo``: complete, realistic, idempotent, and it prints the logins."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    CareerOfficeMembership,
    Institution,
    Membership,
    Notification,
    Organization,
    StudentProfile,
    StudentSkill,
    User,
)
from devtools import demo_data
from matching.models import (
    Application,
    ApplicationEvent,
    Endorsement,
    Engagement,
    EngagementEvent,
    ExperienceItem,
    HoursEntry,
    InternFeedback,
    Message,
    Offer,
    OfferEvent,
    OutcomeReport,
    Payout,
    RecordShare,
    ResumeBullet,
    Submission,
    SupervisorFeedback,
)
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
    Application,
    ApplicationEvent,
    Engagement,
    EngagementEvent,
    Message,
    HoursEntry,
    Submission,
    Payout,
    SupervisorFeedback,
    InternFeedback,
    Endorsement,
    ExperienceItem,
    ResumeBullet,
    RecordShare,
    Offer,
    OfferEvent,
    OutcomeReport,
    Notification,
)
STATEFUL = (Project, Application, Engagement, Offer, Payout)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    for model in STATEFUL:
        for status in model.Status.values:
            counts[f"{model.__name__}:{status}"] = model.objects.filter(status=status).count()
    counts["released"] = Engagement.objects.filter(feedback_released_at__isnull=False).count()
    counts["approved bullets"] = ResumeBullet.objects.filter(approved_at__isnull=False).count()
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
    assert "Left as they were" not in first_output + second_output
    # The share link's token is shown once, when it is made.
    assert "public record: http" in first_output
    assert "public record" not in second_output


def test_every_later_lifecycle_status_is_present():
    seed()
    for model in (Application, Engagement, Offer, Payout):
        statuses = set(model.objects.values_list("status", flat=True))
        assert statuses == set(model.Status.values), model.__name__
    # Every application and engagement went through the services: audit rows from the
    # first status to the current one.
    for application in Application.objects.all():
        path = list(application.events.values_list("from_status", "to_status"))
        assert path[0] == ("", Application.Status.SUBMITTED)
        assert path[-1][1] == application.status
        assert application.resume_snapshot
    for engagement in Engagement.objects.all():
        path = list(engagement.events.values_list("from_status", "to_status"))
        assert path[0] == ("", Engagement.Status.ACTIVE)
        assert engagement.application.status == Application.Status.ACCEPTED
    rejected = Application.objects.filter(status=Application.Status.REJECTED)
    assert rejected.exclude(decision_message="").exists()
    # Slots are never overfilled, and a finished project has only finished engagements.
    for project in Project.objects.filter(engagements__isnull=False).distinct():
        assert project.engagements.count() <= project.slots
        if project.status == Project.Status.COMPLETED:
            assert not project.engagements.exclude(status__in=Engagement.FINAL).exists()
    active = Engagement.objects.get(status=Engagement.Status.ACTIVE)
    assert active.messages.count() >= 2 and active.hours.exists()
    cancelled = Engagement.objects.get(status=Engagement.Status.CANCELLED)
    assert cancelled.cancel_reason
    # Feedback: released (both in, or the window closed) and blind (one side only).
    completed = Engagement.objects.filter(status=Engagement.Status.COMPLETED)
    released = completed.filter(feedback_released_at__isnull=False)
    blind = completed.filter(feedback_released_at__isnull=True)
    assert released.filter(supervisor_feedback__isnull=False, intern_feedback__isnull=False)
    assert released.filter(intern_feedback__isnull=True).exists()  # by the window
    assert blind.filter(supervisor_feedback__isnull=False, intern_feedback__isnull=True)
    assert blind.filter(supervisor_feedback__isnull=True, intern_feedback__isnull=False)
    assert Payout.objects.count() == completed.count()
    # Offers: the accepted one is a conversion, the rescinded one says why.
    accepted = Offer.objects.get(status=Offer.Status.ACCEPTED)
    assert accepted.engagement and accepted.engagement.status == Engagement.Status.COMPLETED
    assert Offer.objects.get(status=Offer.Status.RESCINDED).rescind_reason
    assert {r.kind for r in OutcomeReport.objects.all()} >= {
        OutcomeReport.Kind.EMPLOYED_ELSEWHERE,
        OutcomeReport.Kind.GRADUATE_SCHOOL,
        OutcomeReport.Kind.STILL_LOOKING,
    }
    # The services told people as they went.
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {
        "application_received",
        "application_rejected",
        "application_accepted",
        "message_received",
        "work_submitted",
        "engagement_completed",
        "feedback_visible",
        "offer_extended",
        "offer_accepted",
    } <= kinds


def test_the_printed_demo_logins_see_real_content(client):
    seed()
    ava = User.objects.get(email="ava.martinez@northfield.edu")
    statuses = list(ava.applications.values_list("status", flat=True))
    assert len(statuses) >= 6
    assert {"shortlisted", "rejected", "accepted", "submitted"} <= set(statuses)
    assert ava.applications.filter(status="rejected").exclude(decision_message="").exists()
    engagements = set(ava.engagements.values_list("status", flat=True))
    assert {"active", "submitted", "completed"} <= engagements
    done = ava.engagements.get(status=Engagement.Status.COMPLETED)
    assert done.feedback_released_at is not None
    assert Endorsement.objects.filter(student=ava, engagement=done).count() >= 2
    item = ExperienceItem.objects.get(engagement=done)
    assert item.bullets.exists()
    assert not item.bullets.filter(approved_at__isnull=True).exists()
    assert RecordShare.objects.filter(student=ava, revoked_at__isnull=True).exists()
    offer = Offer.objects.get(student=ava, status=Offer.Status.EXTENDED)
    assert offer.engagement == done
    assert Notification.objects.filter(recipient=ava).count() >= 5

    pages = {
        "ava.martinez@northfield.edu": [
            reverse("matching:application-list"),
            reverse("matching:engagement-list"),
            reverse("matching:engagement-detail", kwargs={"pk": done.pk}),
            reverse(
                "matching:engagement-detail",
                kwargs={"pk": ava.engagements.get(status="active").pk},
            ),
            reverse("matching:feedback-detail", kwargs={"pk": done.pk}),
            reverse("matching:record"),
            reverse("matching:offer-list"),
            reverse("matching:offer-detail", kwargs={"pk": offer.pk}),
        ],
        "maya.chen@brightline-analytics.example.com": [
            reverse("matching:engagement-list"),
            reverse("matching:payout-list"),
            reverse("matching:offer-list"),
            reverse("matching:talent-pool"),
        ],
        "jordan.ellis@brightline-analytics.example.com": [
            reverse(
                "matching:applicant-list",
                kwargs={"project_pk": Project.objects.get(title=demo_data.POWER_BI).pk},
            ),
        ],
    }
    for email, urls in pages.items():
        client.force_login(User.objects.get(email=email))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (email, url)
    # The employer sees the intern's name on the workspace they supervise.
    client.force_login(User.objects.get(email="maya.chen@brightline-analytics.example.com"))
    response = client.get(reverse("matching:engagement-detail", kwargs={"pk": done.pk}))
    assert response.status_code == 200
    assert "Ava" in response.content.decode()


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
