"""``manage.py seed_demo``: complete, realistic, idempotent, and it prints the logins."""

from datetime import date, timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Affiliation,
    CareerOfficeMembership,
    Institution,
    Membership,
    Notification,
    Organization,
    StudentProfile,
    StudentSkill,
    User,
)
from devtools import demo_data, demo_placement
from devtools.demo_context import DemoContext
from marketplace import placement
from marketplace.dashboards.figures import Suppressed, placement_figures
from marketplace.dashboards.selectors import institution_filter_choices
from marketplace.models import PlacementFact
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
    Affiliation,
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
    PlacementFact,
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


def calendar() -> dict[str, list]:
    """The dates the placement figures read, which the seeding moves back in time."""
    return {
        "time zones": list(Institution.objects.order_by("pk").values_list("time_zone")),
        "graduation": list(
            StudentProfile.objects.order_by("pk").values_list("graduation_date", "graduation_year")
        ),
        "affiliations": list(
            Affiliation.objects.order_by("pk").values_list("started_at", "ended_at")
        ),
        "joined": list(User.objects.order_by("pk").values_list("date_joined")),
        "published": list(Project.objects.order_by("pk").values_list("published_at")),
        "applied": list(Application.objects.order_by("pk").values_list("created_at")),
        "completed": list(Engagement.objects.order_by("pk").values_list("completed_at")),
        "answered": list(Offer.objects.order_by("pk").values_list("responded_at")),
        "reported": list(OutcomeReport.objects.order_by("pk").values_list("reported_at")),
        "notified": list(Notification.objects.order_by("pk").values_list("created_at", "read_at")),
    }


def northfield() -> Institution:
    return Institution.objects.get(slug="northfield-state-university")


def test_seed_demo_creates_the_whole_cast():
    seed()
    assert Institution.objects.count() == len(demo_data.INSTITUTIONS) == 3
    assert CareerOfficeMembership.objects.count() == 3
    assert Organization.objects.count() == 5
    assert Organization.objects.filter(verified_at__isnull=False).count() == 4
    assert len(demo_data.STUDENTS) == 30 and len(demo_data.COHORT) == 25
    assert StudentProfile.objects.count() == 55
    staff = User.objects.get(email=demo_data.STAFF_EMAIL)
    assert staff.is_staff and staff.is_superuser
    # Every organization has an owner and at least one supervisor.
    for org in Organization.objects.all():
        roles = set(org.memberships.values_list("role", flat=True))
        assert roles == {Membership.Role.OWNER, Membership.Role.SUPERVISOR}, org


def test_students_have_complete_verified_profiles():
    seed()
    profiles = StudentProfile.objects.select_related("user", "institution")
    cohort = {f"{first} {last}" for first, last, *_ in demo_data.COHORT}
    ctx_now = DemoContext(password_hash="", now=timezone.now())
    cohort_years = {demo_placement.class_year(ctx_now, offset) for offset in (-1, 0, 1)}
    for profile in profiles:
        assert profile.institution is not None
        assert profile.institution_verified, profile.user.email
        assert profile.institution.matches_domain(profile.user.email_domain)
        assert profile.major and profile.headline and profile.bio
        if profile.user.get_full_name() in cohort:
            assert profile.graduation_year in cohort_years
        else:
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
    dates = calendar()
    statuses = dict(Project.objects.values_list("title", "status"))
    second_output = seed()
    assert snapshot() == before
    assert calendar() == dates
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
    cancelled = Engagement.objects.filter(status=Engagement.Status.CANCELLED)
    assert cancelled.count() == 3
    assert all(engagement.cancel_reason for engagement in cancelled)
    # Feedback: released (both in, or the window closed) and blind (one side only).
    completed = Engagement.objects.filter(status=Engagement.Status.COMPLETED)
    released = completed.filter(feedback_released_at__isnull=False)
    blind = completed.filter(feedback_released_at__isnull=True)
    assert released.filter(supervisor_feedback__isnull=False, intern_feedback__isnull=False)
    assert released.filter(intern_feedback__isnull=True).exists()  # by the window
    assert blind.filter(supervisor_feedback__isnull=False, intern_feedback__isnull=True)
    assert blind.filter(supervisor_feedback__isnull=True, intern_feedback__isnull=False)
    assert Payout.objects.count() == completed.count()
    # Offers: accepted ones are conversions, rescinded ones say why.
    accepted = Offer.objects.filter(status=Offer.Status.ACCEPTED)
    assert accepted.count() == 12
    assert not accepted.exclude(engagement__status=Engagement.Status.COMPLETED).exists()
    rescinded = Offer.objects.filter(status=Offer.Status.RESCINDED)
    assert rescinded.count() == 2
    assert all(offer.rescind_reason for offer in rescinded)
    # One was accepted first: its history says so.
    assert {tuple(offer.events.values_list("to_status", flat=True)) for offer in rescinded} == {
        ("extended", "rescinded"),
        ("extended", "accepted", "rescinded"),
    }
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


def test_institutions_have_their_time_zones_and_students_graduation_dates():
    seed()
    zones = dict(Institution.objects.values_list("slug", "time_zone"))
    assert zones == {
        "northfield-state-university": "America/Chicago",
        "lakeshore-college": "America/Detroit",
        "riverbend-institute-of-technology": "America/Los_Angeles",
    }
    profiles = StudentProfile.objects.select_related("user")
    dated = profiles.filter(graduation_date__isnull=False)
    # Most on commencement day in May or June of their class; a few have the year only.
    assert dated.count() == profiles.count() - len(demo_data.NO_GRADUATION_DATE)
    for profile in dated:
        assert profile.graduation_date.month in (5, 6)
        assert profile.graduation_date.year == profile.graduation_year
    legacy = profiles.filter(graduation_date__isnull=True)
    assert {p.user.get_full_name() for p in legacy} == demo_data.NO_GRADUATION_DATE
    assert not legacy.filter(graduation_year__isnull=True).exists()


def test_every_student_has_a_verified_affiliation_history():
    """Affiliations open when the student began (not when the demo ran), so every event
    of the history counts for a school; the transfer student has two periods."""
    seed()
    for profile in StudentProfile.objects.select_related("user"):
        history = list(profile.user.affiliations.order_by("started_at"))
        assert history[-1].ended_at is None
        assert history[-1].institution_id == profile.institution_id
        first_event = min(
            profile.user.applications.values_list("created_at", flat=True), default=None
        )
        assert first_event is None or history[0].started_at < first_event
        assert profile.user.date_joined == history[0].started_at
    nadia = User.objects.get(email="nadia.rahman@northfield.edu")
    old, new = nadia.affiliations.order_by("started_at")
    assert old.institution.slug == "lakeshore-college"
    assert new.institution.slug == "northfield-state-university"
    assert old.ended_at == new.started_at
    assert EmailAddress.objects.filter(user=nadia, email="nadia.rahman@lakeshore.edu").exists()
    # She applied once while at Lakeshore: that application counts for Lakeshore.
    moved = new.started_at
    before = nadia.applications.filter(created_at__lt=moved)
    assert before.count() == 1
    applied = timezone.localtime(
        before.get().created_at, placement.institution_time_zone(old.institution)
    )
    year = placement.academic_year_start(applied.date())
    fact = PlacementFact.objects.get(
        student_id=nadia.pk, year=year, institution_key=old.institution_id
    )
    assert fact.applications == 1
    assert not PlacementFact.objects.filter(institution_key=placement.NO_INSTITUTION).exists()


def test_northfield_career_office_sees_real_figures(client):
    """With k = 5 the career office's dashboard shows figures, not "fewer than 5": the
    placement cohort gives Northfield majors and classes of five or more, and two
    academic years of history."""
    seed()
    school = northfield()
    verified = StudentProfile.objects.filter(institution=school, institution_verified=True)
    by_major = dict(verified.values_list("major").annotate(n=Count("pk")))
    assert sum(n >= 5 for n in by_major.values()) >= 3
    # The repro: one non-consenting Finance student, so Finance is not offered.
    assert by_major["Finance"] == 1
    assert verified.filter(share_with_career_office=False).count() == 1
    choices = institution_filter_choices(institution=school)
    assert "Finance" not in choices["majors"] and len(choices["majors"]) >= 3
    assert len(choices["graduation_years"]) >= 2

    tz = placement.institution_time_zone(school)
    current = placement.current_academic_year(tz)
    dana = User.objects.get(email="dana.whitfield@careers.northfield.edu")
    client.force_login(dana)
    response = client.get(reverse("dashboards:career"))
    assert response.status_code == 200
    assert response.context["year"] == current
    shown = response.context["m"]
    assert isinstance(shown["students"], int) and shown["students"] >= 5
    assert not isinstance(shown["hired"], Suppressed)
    assert isinstance(shown["hired"], int) and shown["hired"] >= 5
    assert isinstance(shown["without_graduation_date"], int)
    assert shown["without_graduation_date"] >= 5
    assert response.context["form"].fields["major"].choices[1:] == [
        (major, major) for major in choices["majors"]
    ]

    # Last academic year: hires, conversions and a knowledge rate, all above k.
    last = placement_figures(institution_key=school.pk, year=date(current.year - 1, 7, 1))
    figures = last["headline"]
    for name in ("students", "hired", "interns", "converted", "graduates", "known_outcomes"):
        assert isinstance(figures[name], int) and figures[name] >= 5, name
    # A "still looking" said as a sophomore is not a known outcome; one within six
    # months of graduation is.
    assert figures["known_outcomes"] < figures["graduates"]
    marcus = User.objects.get(email="marcus.flynn@northfield.edu")
    fact = PlacementFact.objects.get(student_id=marcus.pk, graduate=True)
    assert not fact.outcome_known
    tariq = User.objects.get(email="tariq.hassan@northfield.edu")
    assert PlacementFact.objects.get(student_id=tariq.pk, graduate=True).outcome_known
    # The offer accepted and then rescinded is not a hire.
    ben = User.objects.get(email="ben.whitaker@northfield.edu")
    assert not PlacementFact.objects.filter(student_id=ben.pk, offers_accepted_full_time__gt=0)


def test_placement_history_is_dated_in_the_last_two_academic_years():
    seed()
    now = timezone.now()
    tz = demo_placement.time_zone()
    current = placement.current_academic_year(tz)
    for title, (offset, _) in demo_data.PLACEMENT_HISTORY.items():
        project = Project.objects.get(title=title)
        assert project.status == Project.Status.COMPLETED
        year = placement.academic_year_start(timezone.localtime(project.published_at, tz).date())
        assert year == date(current.year + offset, 7, 1), title
        # The story keeps its order and stays in the past.
        path = list(project.status_changes.values_list("created_at", flat=True))
        assert path == sorted(path) and path[-1] < now
        for engagement in project.engagements.all():
            assert project.published_at < engagement.started_at < now
            end = engagement.completed_at or engagement.cancelled_at
            assert engagement.started_at < end < now
            for offer in engagement.offers.all():
                assert end < offer.created_at < now
                assert offer.responded_at is None or offer.created_at < offer.responded_at
        # What the story told people is old news: read, and dated with the story.
        told = Notification.objects.filter(text__contains=f"“{title}”")
        assert told.exists()
        assert not told.filter(read_at__isnull=True).exists()
        assert not told.filter(created_at__gt=now - timedelta(days=1)).exists()
