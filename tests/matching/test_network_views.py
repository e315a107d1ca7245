"""The network pages: every URL × role (and another tenant's object: 404), the pages'
content for each side, bad input, and the links from the project page, the applicant
list, the organization page and the nav."""

import pytest
from django.urls import reverse

from matching.models import Connection, Follow, NetworkPreference, ProjectInvitation
from matching.services.network import organization_follow
from tests.matching.factories import submitted_application
from tests.matching.network_helpers import (
    connection_in_status,
    invitation_in_status,
    new_project_for,
)

pytestmark = pytest.mark.django_db
CS = Connection.Status
IS = ProjectInvitation.Status
LOGIN = reverse("account_login")
ROLES = [
    "student",
    "other_student",
    "employer",
    "supervisor",
    "other_employer",
    "career_officer",
    "anonymous",
]


def login_as(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


def _expect(response, expected, role):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    else:
        assert response.status_code == expected, (role, response.status_code)


# ------------------------------------------------------------------------------
# The matrix
# ------------------------------------------------------------------------------
NETWORK_GET = {
    "student": 200,
    "other_student": 200,
    "employer": 200,
    "supervisor": 200,
    "other_employer": 200,
    "career_officer": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_network_page_matrix(client, request, engagement, role):
    login_as(client, request, role)
    _expect(client.get(reverse("matching:network")), NETWORK_GET.get(role), role)


# Answering the student's request: the supervisor may; the student (the asker) is
# refused with a message (302); anybody else does not see the connection (404).
CONNECTION_POST = {
    "connection-accept": {"supervisor": 302, "student": 302},
    "connection-decline": {"supervisor": 302, "student": 302},
    "connection-withdraw": {"supervisor": 302, "student": 302},
    "connection-remove": {"supervisor": 302, "student": 302},
}
OUTSIDERS = {"other_student": 404, "employer": 404, "other_employer": 404, "career_officer": 403}


@pytest.mark.parametrize("action", list(CONNECTION_POST))
@pytest.mark.parametrize("role", ROLES)
def test_connection_action_matrix(client, request, engagement, action, role):
    connection = connection_in_status(CS.PENDING, engagement)
    login_as(client, request, role)
    response = client.post(reverse(f"matching:{action}", args=[connection.pk]))
    _expect(response, {**OUTSIDERS, **CONNECTION_POST[action]}.get(role), role)
    connection.refresh_from_db()
    if role not in ("student", "supervisor"):
        assert connection.status == CS.PENDING


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", 302),  # asks their supervisor
        ("other_student", 404),  # never worked with them
        ("employer", 404),  # the owner did not supervise the student
        ("other_employer", 404),
        ("career_officer", 403),
        ("anonymous", None),
    ],
)
def test_connection_request_matrix(client, request, engagement, supervisor, role, expected):
    login_as(client, request, role)
    response = client.post(reverse("matching:connection-request", args=[supervisor.pk]))
    _expect(response, expected, role)
    assert Connection.objects.exists() is (role == "student")


def test_a_supervisor_asks_from_their_side(client, engagement, student, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("matching:connection-request", args=[student.pk]), {"note": "Keep in touch"}
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert (connection.requested_by, connection.note) == (supervisor, "Keep in touch")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", 302),
        ("other_student", 302),
        ("employer", 403),
        ("supervisor", 403),
        ("career_officer", 403),
        ("anonymous", None),
    ],
)
@pytest.mark.parametrize("action", ["organization-follow", "organization-unfollow"])
def test_follow_matrix(client, request, organization, role, expected, action):
    login_as(client, request, role)
    response = client.post(reverse(f"matching:{action}", args=[organization.slug]))
    _expect(response, expected, role)
    if role == "student":
        following = Follow.objects.filter(organization=organization).exists()
        assert following is (action == "organization-follow")


def test_follow_an_unknown_organization_is_404(client, student):
    client.force_login(student)
    assert client.post(reverse("matching:organization-follow", args=["nobody"])).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", 302),
        ("employer", 403),
        ("supervisor", 403),
        ("career_officer", 403),
        ("anonymous", None),
    ],
)
def test_network_preferences_matrix(client, request, role, expected):
    login_as(client, request, role)
    response = client.post(reverse("matching:network-preferences"), {})
    _expect(response, expected, role)
    assert NetworkPreference.objects.filter(accepts_invitations=False).exists() is (
        role == "student"
    )


INVITE_GET = {
    "employer": 200,
    "supervisor": 200,
    "other_employer": 404,
    "student": 403,
    "other_student": 403,
    "career_officer": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_invite_page_matrix(client, request, engagement, role):
    project = new_project_for(engagement)
    login_as(client, request, role)
    _expect(
        client.get(reverse("matching:project-invite", args=[project.pk])),
        INVITE_GET.get(role),
        role,
    )


@pytest.mark.parametrize("role", ROLES)
def test_invitation_withdraw_matrix(client, request, engagement, role):
    invitation = invitation_in_status(IS.SENT, engagement)
    login_as(client, request, role)
    response = client.post(reverse("matching:invitation-withdraw", args=[invitation.pk]))
    expected = {**INVITE_GET, "employer": 302, "supervisor": 302}.get(role)
    _expect(response, expected, role)
    invitation.refresh_from_db()
    assert (invitation.status == IS.WITHDRAWN) is (role in ("employer", "supervisor"))


STUDENT_SIDE = {
    "student": 200,
    "other_student": 404,
    "employer": 403,
    "supervisor": 403,
    "other_employer": 403,
    "career_officer": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_invitation_detail_matrix(client, request, engagement, role):
    invitation = invitation_in_status(IS.SENT, engagement)
    login_as(client, request, role)
    response = client.get(reverse("matching:invitation-detail", args=[invitation.pk]))
    _expect(response, STUDENT_SIDE.get(role), role)


@pytest.mark.parametrize("action", ["invitation-accept", "invitation-decline"])
@pytest.mark.parametrize("role", ROLES)
def test_invitation_answer_matrix(client, request, engagement, role, action):
    invitation = invitation_in_status(IS.SENT, engagement, kind=ProjectInvitation.Kind.REHIRE)
    login_as(client, request, role)
    response = client.post(reverse(f"matching:{action}", args=[invitation.pk]))
    _expect(response, {**STUDENT_SIDE, "student": 302}.get(role), role)
    invitation.refresh_from_db()
    assert (invitation.status != IS.SENT) is (role == "student")


@pytest.mark.parametrize(
    "name",
    [
        "matching:network-preferences",
        "matching:connection-accept",
        "matching:organization-follow",
        "matching:invitation-accept",
    ],
)
def test_actions_refuse_get(client, student, name):
    client.force_login(student)
    args = {"matching:organization-follow": ["acme"], "matching:network-preferences": []}
    assert client.get(reverse(name, args=args.get(name, [1]))).status_code == 405


# ------------------------------------------------------------------------------
# What each side sees and does
# ------------------------------------------------------------------------------
def test_the_student_page_lists_supervisors_organizations_and_invitations(
    client, engagement, student, supervisor, organization
):
    invitation = invitation_in_status(IS.SENT, engagement)
    client.force_login(student)
    page = client.get(reverse("matching:network")).content.decode()
    assert "People who supervised you" in page
    assert str(supervisor) in page
    assert organization.name in page
    assert reverse("matching:organization-follow", args=[organization.slug]) in page
    assert invitation.get_absolute_url() in page
    connection_in_status(CS.CONNECTED, engagement)
    page = client.get(reverse("matching:network")).content.decode()
    assert "Past supervisors" in page
    assert "People who supervised you" not in page


def test_the_supervisor_page_lists_interns_and_hides_them_from_colleagues(
    client, engagement, student, supervisor, employer
):
    connection_in_status(CS.CONNECTED, engagement)
    client.force_login(supervisor)
    page = client.get(reverse("matching:network")).content.decode()
    assert "Past interns" in page and str(student) in page
    # The owner neither supervised nor connected: nothing of the student here.
    client.force_login(employer)
    assert str(student) not in client.get(reverse("matching:network")).content.decode()


def test_nothing_of_a_students_network_shows_to_another_student(
    client, engagement, student, supervisor, other_student, organization
):
    connection_in_status(CS.CONNECTED, engagement)
    organization_follow(student=student, organization=organization)
    invitation_in_status(IS.SENT, engagement)
    client.force_login(other_student)
    page = client.get(reverse("matching:network")).content.decode()
    assert str(supervisor) not in page
    assert organization.name not in page
    assert str(student) not in page


def test_accepting_from_the_page(client, engagement, supervisor):
    connection = connection_in_status(CS.PENDING, engagement)
    client.force_login(supervisor)
    response = client.post(reverse("matching:connection-accept", args=[connection.pk]), follow=True)
    assert "You are now connected." in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == CS.CONNECTED


def test_a_refused_move_is_a_message_not_an_error(client, engagement, student):
    connection = connection_in_status(CS.PENDING, engagement)
    client.force_login(student)
    response = client.post(reverse("matching:connection-accept", args=[connection.pk]), follow=True)
    assert response.status_code == 200
    assert "The other person answers this request" in response.content.decode()


def test_a_too_long_note_is_refused(client, engagement, student, supervisor):
    client.force_login(student)
    response = client.post(
        reverse("matching:connection-request", args=[supervisor.pk]),
        {"note": "x" * 501},
        follow=True,
    )
    assert "under 500 characters" in response.content.decode()
    assert not Connection.objects.exists()


def test_turning_invitations_off_and_on(client, student):
    client.force_login(student)
    client.post(reverse("matching:network-preferences"), {})
    assert NetworkPreference.objects.get(student=student).accepts_invitations is False
    client.post(reverse("matching:network-preferences"), {"accepts_invitations": "on"})
    assert NetworkPreference.objects.get(student=student).accepts_invitations is True


def test_follow_returns_to_the_page_it_came_from_on_this_site_only(client, student, organization):
    client.force_login(student)
    page = reverse("organization-public", args=[organization.slug])
    follow = reverse("matching:organization-follow", args=[organization.slug])
    assert client.post(follow, {"next": page})["Location"] == page
    unfollow = reverse("matching:organization-unfollow", args=[organization.slug])
    response = client.post(unfollow, {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("matching:network")


def test_inviting_from_the_invite_page(client, engagement, student, supervisor):
    project = new_project_for(engagement)
    client.force_login(supervisor)
    page = client.get(reverse("matching:project-invite", args=[project.pk])).content.decode()
    assert str(student) in page
    response = client.post(
        reverse("matching:project-invite", args=[project.pk]),
        {"student": student.pk, "kind": "apply", "message": "Come back!"},
    )
    assert response.status_code == 302
    invitation = ProjectInvitation.objects.get()
    assert (invitation.student, invitation.message) == (student, "Come back!")
    page = client.get(reverse("matching:project-invite", args=[project.pk])).content.decode()
    assert "Nobody left to invite" in page
    assert "Waiting for an answer" in page


@pytest.mark.parametrize(
    "data",
    [{}, {"student": "abc", "kind": "apply"}, {"student": 999999, "kind": "apply"}],
)
def test_bad_invitations_store_nothing(client, engagement, supervisor, data):
    project = new_project_for(engagement)
    client.force_login(supervisor)
    response = client.post(reverse("matching:project-invite", args=[project.pk]), data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ProjectInvitation.objects.exists()


def test_a_student_who_turned_invitations_off_is_not_listed(
    client, engagement, student, supervisor
):
    NetworkPreference.objects.create(student=student, accepts_invitations=False)
    project = new_project_for(engagement)
    client.force_login(supervisor)
    page = client.get(reverse("matching:project-invite", args=[project.pk])).content.decode()
    assert str(student) not in page.split("Invitations sent")[0]


def test_rehire_from_the_invitation_page(client, engagement, student):
    invitation = invitation_in_status(IS.SENT, engagement, kind=ProjectInvitation.Kind.REHIRE)
    client.force_login(student)
    page = client.get(invitation.get_absolute_url()).content.decode()
    assert "Accept and start" in page
    response = client.post(reverse("matching:invitation-accept", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == IS.ACCEPTED
    assert response["Location"] == invitation.engagement.get_absolute_url()


def test_an_apply_invitation_leads_to_the_application_form(client, engagement, student):
    invitation = invitation_in_status(IS.SENT, engagement)
    client.force_login(student)
    assert "Apply now" in client.get(invitation.get_absolute_url()).content.decode()
    response = client.post(reverse("matching:invitation-accept", args=[invitation.pk]))
    assert response["Location"] == reverse("matching:apply", args=[invitation.project_id])


# ------------------------------------------------------------------------------
# Links from the other pages
# ------------------------------------------------------------------------------
def test_the_project_page_shows_the_invitation(client, engagement, student, supervisor):
    invitation = invitation_in_status(IS.SENT, engagement)
    url = invitation.project.get_absolute_url()
    client.force_login(student)
    page = client.get(url).content.decode()
    assert 'id="project-invitation"' in page
    assert invitation.get_absolute_url() in page
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert reverse("matching:project-invite", args=[invitation.project_id]) in page
    assert 'id="project-invitation"' not in page


def test_the_applicant_list_marks_invited_applicants(client, engagement, student, supervisor):
    invitation = invitation_in_status(IS.SENT, engagement)
    stranger = submitted_application(project=invitation.project)
    invited = submitted_application(project=invitation.project, student=student)
    client.force_login(supervisor)
    page = client.get(reverse("matching:applicant-list", args=[invitation.project_id])).content
    page = page.decode()
    assert page.count("invited-badge") == 1
    link = reverse("matching:applicant-detail", args=[invited.pk])
    assert "Invited" in page.split(link)[1].split("</td>")[0]
    other = reverse("matching:applicant-detail", args=[stranger.pk])
    assert "Invited" not in page.split(other)[1].split("</td>")[0]


def test_the_organization_page_offers_follow_to_students_only(
    client, student, employer, organization
):
    url = reverse("organization-public", args=[organization.slug])
    client.force_login(student)
    assert 'id="follow-form"' in client.get(url).content.decode()
    organization_follow(student=student, organization=organization)
    assert "Unfollow" in client.get(url).content.decode()
    client.force_login(employer)
    assert 'id="follow-form"' not in client.get(url).content.decode()
    client.logout()
    assert 'id="follow-form"' not in client.get(url).content.decode()


@pytest.mark.parametrize("role", ["student", "employer"])
def test_the_nav_links_the_network(client, request, role):
    login_as(client, request, role)
    assert (
        reverse("matching:network")
        in client.get(reverse("dashboard"), follow=True).content.decode()
    )


def test_the_manage_page_links_the_invite_page(client, engagement, supervisor):
    project = new_project_for(engagement)
    client.force_login(supervisor)
    page = client.get(reverse("project-manage", args=[project.pk])).content.decode()
    assert reverse("matching:project-invite", args=[project.pk]) in page
