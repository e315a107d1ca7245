"""Platform staff are not students: no student profile, no student pages, no applying;
their own navigation and landing page."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import StudentProfile, User
from accounts.services.profiles import profile_ensure_for_user, student_affiliate_from_email
from matching.exceptions import NotEligible
from matching.models import Application
from matching.services.applications import application_check_can_apply, application_submit
from tests.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

STAFF_LINKS = ["Review queue", "Site summary", "Admin", "Browse projects"]
STUDENT_LINKS = [
    ("projects:student-home", "For you"),
    ("projects:saved", "Saved"),
    ("projects:saved-search-list", "Searches"),
    ("matching:application-list", "Applications"),
    ("matching:record", "Record"),
    ("accounts:profile", "Profile"),
]


def _nav(client) -> str:
    """The site menu of the page the client gets from the browse page."""
    body = client.get(reverse("projects:browse")).content.decode()
    return body[body.index('id="site-menu"') : body.index("</nav>")]


# ------------------------------------------------------------------------------
# Who is a student
# ------------------------------------------------------------------------------
def test_staff_with_the_default_role_is_platform_staff_not_a_student(staff_user):
    assert staff_user.role == User.Role.STUDENT
    assert staff_user.is_platform_staff
    assert not staff_user.is_student


def test_a_student_is_a_student_and_not_staff(student):
    assert student.is_student
    assert not student.is_platform_staff


def test_staff_flag_on_an_employer_keeps_the_employer_role(organization):
    user = MembershipFactory(organization=organization).user
    user.is_staff = True
    assert user.is_employer
    assert not user.is_platform_staff
    assert not user.is_student


# ------------------------------------------------------------------------------
# No student profile made by the services
# ------------------------------------------------------------------------------
def test_profile_ensure_makes_no_profile_for_staff(staff_user):
    assert profile_ensure_for_user(user=staff_user) is None
    assert not StudentProfile.objects.filter(user=staff_user).exists()


def test_profile_ensure_still_makes_a_students_profile():
    user = UserFactory(role=User.Role.STUDENT)
    profile = profile_ensure_for_user(user=user)
    assert profile is not None
    assert profile.user == user


def test_an_institution_address_does_not_make_staff_a_student(staff_user):
    institution = InstitutionFactory(email_domains=["staffschool.edu"])
    assert student_affiliate_from_email(user=staff_user, email="me@staffschool.edu") is None
    assert not StudentProfile.objects.filter(user=staff_user).exists()
    assert not institution.students.exists()


def test_createsuperuser_makes_staff_without_a_profile(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-password-42")
    call_command("createsuperuser", email="root@internly.test", interactive=False, verbosity=0)
    user = User.objects.get(email="root@internly.test")
    assert user.is_platform_staff
    assert not StudentProfile.objects.filter(user=user).exists()
    client.force_login(user)
    assert client.get(reverse("dashboard")).url == reverse("projects:review-queue")
    assert not StudentProfile.objects.filter(user=user).exists()


def test_saving_staff_in_the_admin_makes_no_profile(client, staff_user):
    # The admin's save_model ensures a profile for whoever it saves: staff get none.
    colleague = UserFactory(email="colleague@internly.test", is_staff=True)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:accounts_user_change", args=[colleague.pk]),
        {
            "email": colleague.email,
            "first_name": "Cole",
            "last_name": "League",
            "role": User.Role.STUDENT,
            "is_active": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert (colleague.first_name, colleague.is_staff) == ("Cole", True)
    assert not StudentProfile.objects.filter(user=colleague).exists()


# ------------------------------------------------------------------------------
# Landing page and navigation
# ------------------------------------------------------------------------------
def test_dashboard_sends_staff_to_the_review_queue(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("dashboard")).url == reverse("projects:review-queue")


def test_dashboard_sends_a_staff_employer_to_their_projects(client, organization):
    user = MembershipFactory(organization=organization).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    assert client.get(reverse("dashboard")).url == reverse("employer-projects")


def test_staff_navigation_has_staff_links_only(client, staff_user):
    client.force_login(staff_user)
    nav = _nav(client)
    for label in STAFF_LINKS:
        assert f">{label}</a>" in nav
    for name, label in STUDENT_LINKS:
        assert reverse(name) not in nav, label
    assert f'href="{reverse("admin:index")}"' in nav
    assert reverse("account_logout") in nav  # the account menu


def test_staff_keep_the_inbox(client, staff_user):
    client.force_login(staff_user)
    body = client.get(reverse("projects:review-queue")).content.decode()
    assert f'href="{reverse("accounts:notifications")}" class="inbox-link"' in body


def test_a_student_rendered_first_does_not_give_staff_student_links(client, student, staff_user):
    # The role links are cached per kind of user: a student's copy must not reach staff.
    client.force_login(student)
    assert reverse("accounts:profile") in _nav(client)
    client.force_login(staff_user)
    nav = _nav(client)
    assert reverse("accounts:profile") not in nav
    assert ">Review queue</a>" in nav


def test_a_student_gets_no_staff_links(client, student):
    client.force_login(student)
    nav = _nav(client)
    assert reverse("projects:review-queue") not in nav
    assert reverse("admin:index") not in nav


def test_a_staff_employer_gets_employer_and_staff_links(client, organization):
    user = MembershipFactory(organization=organization).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    nav = _nav(client)
    assert reverse("employer-projects") in nav
    assert reverse("projects:review-queue") in nav
    assert reverse("accounts:profile") not in nav


# ------------------------------------------------------------------------------
# Student pages refuse staff with a 403, never a 500
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "projects:student-home",
        "projects:saved",
        "projects:saved-search-list",
        "matching:application-list",
        "matching:engagement-list",
        "matching:offer-list",
        "matching:record",
        "matching:network",
        "matching:recommendation-list",
        "accounts:profile",
        "accounts:profile-edit",
        "accounts:profile-skills",
    ],
)
def test_student_pages_are_403_for_staff(client, staff_user, name):
    client.force_login(staff_user)
    assert client.get(reverse(name)).status_code == 403
    assert not StudentProfile.objects.filter(user=staff_user).exists()


def test_staff_cannot_save_a_project(client, staff_user):
    project = open_project()
    client.force_login(staff_user)
    response = client.post(reverse("projects:save", args=[project.pk]), {"action": "save"})
    assert response.status_code == 403
    assert not staff_user.saved_projects.exists()


def test_the_project_page_offers_staff_no_apply_button(client, staff_user):
    project = open_project()
    client.force_login(staff_user)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    assert reverse("matching:apply", args=[project.pk]) not in response.content.decode()


# ------------------------------------------------------------------------------
# Staff cannot apply
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_apply_is_refused_with_a_clear_403(client, staff_user, method):
    project = open_project()
    client.force_login(staff_user)
    url = reverse("matching:apply", args=[project.pk])
    data = {"cover_note": "I would like to help.", "answer_0": "Because."}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 403
    assert "Platform staff accounts cannot apply to projects." in response.content.decode()
    assert not Application.objects.filter(project=project).exists()


def test_the_apply_service_refuses_staff(staff_user):
    project = open_project()
    with pytest.raises(NotEligible, match="Platform staff accounts cannot apply"):
        application_check_can_apply(project=project, student=staff_user)
    with pytest.raises(NotEligible, match="Platform staff accounts cannot apply"):
        application_submit(project=project, student=staff_user, cover_note="Let me in.")
    assert not Application.objects.exists()
