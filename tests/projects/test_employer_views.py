from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from projects.models import Project, ProjectStatusChange
from tests.accounts.factories import SkillFactory
from tests.projects.factories import ProjectFactory, open_project, project_in_status

pytestmark = pytest.mark.django_db
Status = Project.Status


def _login_url(url: str) -> str:
    return f"{reverse('account_login')}?next={url}"


# ------------------------------------------------------------------------------
# Every view × every role
# ------------------------------------------------------------------------------
# (url name, method, status of the project it acts on (None: no project), what a member gets)
OBJECT_ROUTES = [
    ("projects:edit", "get", Status.DRAFT, 200),
    ("projects:preview", "get", Status.DRAFT, 200),
    ("projects:publish", "post", Status.DRAFT, 302),
    ("projects:close", "get", Status.OPEN, 200),
    ("projects:close", "post", Status.OPEN, 302),
    ("projects:cancel", "get", Status.OPEN, 200),
    ("projects:cancel", "post", Status.OPEN, 302),
    ("projects:duplicate", "post", Status.CLOSED, 302),
]
PLAIN_ROUTES = [
    ("projects:create", "get", 200),
]
STAFF_ROUTES = [
    ("projects:review-queue", "get", None, 200),
    ("projects:review-approve", "post", Status.PENDING_REVIEW, 302),
    ("projects:review-return", "post", Status.PENDING_REVIEW, 302),
]
POST_DATA = {"reason": "No budget", "note": "Please add detail"}


def _project_for(status, organization):
    if status == Status.PENDING_REVIEW:
        return project_in_status(status)
    return project_in_status(status, organization=organization)


def _call(client, method, url):
    return client.post(url, POST_DATA) if method == "post" else client.get(url)


@pytest.mark.parametrize(("name", "method", "status", "member_code"), OBJECT_ROUTES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("employer", "member"),
        ("supervisor", "member"),
        ("other_employer", 404),
        ("student", 403),
        ("career_officer", 403),
        ("staff_user", 403),
        (None, "login"),
    ],
)
def test_object_views_by_role(
    client, request, organization, name, method, status, member_code, role, expected
):
    project = _project_for(status, organization)
    url = reverse(name, kwargs={"pk": project.pk})
    if role:
        client.force_login(request.getfixturevalue(role))
    response = _call(client, method, url)
    if expected == "member":
        assert response.status_code == member_code
    elif expected == "login":
        assert response.status_code == 302
        assert response.url == _login_url(url)
    else:
        assert response.status_code == expected
    if expected != "member":
        project.refresh_from_db()
        assert project.status == status


@pytest.mark.parametrize(("name", "method", "member_code"), PLAIN_ROUTES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("employer", "member"),
        ("supervisor", "member"),
        ("other_employer", "member"),
        ("student", 403),
        ("career_officer", 403),
        ("staff_user", 403),
        (None, "login"),
    ],
)
def test_plain_employer_views_by_role(
    client, request, organization, name, method, member_code, role, expected
):
    url = reverse(name)
    if role:
        client.force_login(request.getfixturevalue(role))
    response = _call(client, method, url)
    if expected == "member":
        assert response.status_code == member_code
    elif expected == "login":
        assert response.url == _login_url(url)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("name", "method", "status", "staff_code"), STAFF_ROUTES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff_user", "staff"),
        ("employer", 403),
        ("supervisor", 403),
        ("student", 403),
        ("career_officer", 403),
        (None, "login"),
    ],
)
def test_staff_views_by_role(
    client, request, organization, name, method, status, staff_code, role, expected
):
    project = _project_for(status, organization) if status else None
    url = reverse(name, kwargs={"pk": project.pk}) if project else reverse(name)
    if role:
        client.force_login(request.getfixturevalue(role))
    response = _call(client, method, url)
    if expected == "staff":
        assert response.status_code == staff_code
    elif expected == "login":
        assert response.url == _login_url(url)
    else:
        assert response.status_code == expected
        if project:
            project.refresh_from_db()
            assert project.status == status


def test_staff_action_on_unknown_project_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.post(reverse("projects:review-approve", kwargs={"pk": 999999})).status_code == 404


def test_get_is_refused_on_post_only_views(client, employer, organization):
    project = ProjectFactory(organization=organization)
    client.force_login(employer)
    for name in ("projects:publish", "projects:duplicate"):
        assert client.get(reverse(name, kwargs={"pk": project.pk})).status_code == 405


# ------------------------------------------------------------------------------
# Create and edit
# ------------------------------------------------------------------------------
def _form_data(supervisor, **overrides):
    required, nice = SkillFactory(), SkillFactory()
    deadline = timezone.localtime() + timedelta(days=10)
    data = {
        "title": "Build a churn dashboard",
        "summary": "A small dashboard of customer churn.",
        "description": "Use our anonymised data.",
        "deliverables": "Dashboard\n\n  Write-up  \n",
        "required_skills": [required.pk],
        "nice_to_have_skills": [nice.pk],
        "category": Project.Category.DATA,
        "work_mode": Project.WorkMode.REMOTE,
        "location": "",
        "estimated_hours": "12",
        "fee": "300",
        "currency": "USD",
        "application_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "due_date": "",
        "duration_days": "14",
        "slots": "2",
        "supervisor": supervisor.pk,
        "screening_question_1": "Why this project?",
        "screening_question_2": "",
        "screening_question_3": "Which tools do you use?",
        "eligibility_notes": "",
    }
    data.update(overrides)
    return data


def test_create_stores_a_draft_and_redirects_to_manage(client, employer, supervisor):
    client.force_login(employer)
    data = _form_data(supervisor)
    response = client.post(reverse("projects:create"), data)
    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("project-manage", kwargs={"pk": project.pk})
    assert project.status == Status.DRAFT
    assert project.supervisor == supervisor
    assert project.created_by == employer
    assert project.deliverables == ["Dashboard", "Write-up"]
    assert project.screening_questions == ["Why this project?", "Which tools do you use?"]
    assert set(project.project_skills.values_list("skill", "is_required")) == {
        (data["required_skills"][0], True),
        (data["nice_to_have_skills"][0], False),
    }


def test_create_form_explains_the_floor(client, employer):
    client.force_login(employer)
    body = client.get(reverse("projects:create")).content.decode()
    assert "at least 20 per hour" in body
    assert 'for="id_required_skills"' in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fee": "200"}, "At 12 hours the fee must be at least 240 USD (20 per hour)."),
        ({"estimated_hours": "4"}, "greater than or equal to 5"),
        ({"estimated_hours": "41"}, "less than or equal to 40"),
        ({"slots": "21"}, "less than or equal to 20"),
        ({"slots": "0"}, "greater than or equal to 1"),
        ({"deliverables": "  \n "}, "This field is required"),
        ({"required_skills": []}, "This field is required"),
        ({"work_mode": "onsite", "location": ""}, "need a location"),
        ({"duration_days": "", "due_date": ""}, "Give a due date or a duration"),
        ({"application_deadline": "2001-01-01T10:00"}, "must be in the future"),
        ({"application_deadline": "not a date"}, "Enter a valid date/time"),
        ({"title": ""}, "This field is required"),
        ({"category": "astrology"}, "Select a valid choice"),
        ({"fee": "lots"}, "Enter a whole number"),
    ],
)
def test_create_bad_input_shows_errors_and_stores_nothing(
    client, employer, supervisor, overrides, message
):
    client.force_login(employer)
    response = client.post(reverse("projects:create"), _form_data(supervisor, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_create_refuses_overlapping_skills(client, employer, supervisor):
    skill = SkillFactory(name="SQL")
    client.force_login(employer)
    response = client.post(
        reverse("projects:create"),
        _form_data(supervisor, required_skills=[skill.pk], nice_to_have_skills=[skill.pk]),
    )
    assert "cannot be both required and nice to have: SQL" in response.content.decode()
    assert not Project.objects.exists()


def test_create_refuses_a_supervisor_from_another_organization(
    client, employer, supervisor, other_employer
):
    client.force_login(employer)
    data = _form_data(supervisor)
    data["supervisor"] = other_employer.pk
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Project.objects.exists()


def test_fee_help_text_follows_the_entered_hours(client, employer, supervisor):
    client.force_login(employer)
    response = client.post(
        reverse("projects:create"), _form_data(supervisor, estimated_hours="30", fee="10")
    )
    body = response.content.decode()
    assert "at least 600 USD for 30 hours" in body


def test_edit_prefills_and_saves(client, employer, organization):
    project = ProjectFactory(organization=organization, title="Old title")
    client.force_login(employer)
    body = client.get(reverse("projects:edit", kwargs={"pk": project.pk})).content.decode()
    assert "Old title" in body
    assert "Interview notes" in body
    response = client.post(
        reverse("projects:edit", kwargs={"pk": project.pk}),
        _form_data(employer, title="New title"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "New title"


def test_edit_bad_input_changes_nothing(client, employer, organization):
    project = ProjectFactory(organization=organization, title="Old title")
    client.force_login(employer)
    response = client.post(
        reverse("projects:edit", kwargs={"pk": project.pk}),
        _form_data(employer, title="New title", fee="1"),
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.title == "Old title"


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.DRAFT])
def test_edit_of_a_non_draft_redirects_with_a_message(client, employer, organization, status):
    project = _project_for(status, organization)
    if status == Status.PENDING_REVIEW:
        # A pending project of our own organization.
        project = project_in_status(status, organization=_unverified_org_of(employer))
    client.force_login(employer)
    response = client.post(
        reverse("projects:edit", kwargs={"pk": project.pk}),
        _form_data(employer, title="X"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("project-manage", kwargs={"pk": project.pk})
    assert "only drafts can be edited" in response.content.decode()
    project.refresh_from_db()
    assert project.title != "X"


def _unverified_org_of(user):
    organization = user.membership.organization
    organization.verified_at = None
    organization.save(update_fields=["verified_at"])
    return organization


# ------------------------------------------------------------------------------
# Preview (the manage page is composed in matching: tests/matching/test_employer_projects.py)
# ------------------------------------------------------------------------------
def test_preview_shows_the_student_view(client, supervisor, organization):
    project = ProjectFactory(
        organization=organization,
        screening_questions=["What is your favourite chart?"],
        eligibility_notes="Must be enrolled.",
    )
    client.force_login(supervisor)
    body = client.get(reverse("projects:preview", kwargs={"pk": project.pk})).content.decode()
    for text in (
        project.title,
        "Interview notes",
        "What is your favourite chart?",
        "Must be enrolled.",
        organization.name,
        "Preview.",
    ):
        assert text in body
    for ps in project.project_skills.all():
        assert ps.skill.name in body


# ------------------------------------------------------------------------------
# Actions
# ------------------------------------------------------------------------------
def test_publish_opens_a_verified_organizations_project(client, supervisor, organization):
    project = ProjectFactory(organization=organization)
    client.force_login(supervisor)
    response = client.post(reverse("projects:publish", kwargs={"pk": project.pk}), follow=True)
    project.refresh_from_db()
    assert project.status == Status.OPEN
    assert "Published" in response.content.decode()
    assert project.status_changes.last().actor == supervisor


def test_publish_sends_an_unverified_organizations_project_to_review(client, employer):
    organization = _unverified_org_of(employer)
    project = ProjectFactory(organization=organization)
    client.force_login(employer)
    response = client.post(reverse("projects:publish", kwargs={"pk": project.pk}), follow=True)
    project.refresh_from_db()
    assert project.status == Status.PENDING_REVIEW
    assert "Submitted for review" in response.content.decode()


def test_publish_with_a_passed_deadline_is_a_message_not_a_500(client, employer, organization):
    project = ProjectFactory(organization=organization)
    Project.objects.filter(pk=project.pk).update(
        application_deadline=timezone.now() - timedelta(hours=1)
    )
    client.force_login(employer)
    response = client.post(reverse("projects:publish", kwargs={"pk": project.pk}), follow=True)
    assert response.status_code == 200
    assert "deadline has passed" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_publish_twice_is_a_message(client, employer, organization):
    project = open_project(organization=organization)
    client.force_login(employer)
    response = client.post(reverse("projects:publish", kwargs={"pk": project.pk}), follow=True)
    assert "Only drafts can be published" in response.content.decode()


def test_close_confirms_then_closes(client, employer, organization):
    project = open_project(organization=organization)
    client.force_login(employer)
    confirm = client.get(reverse("projects:close", kwargs={"pk": project.pk}))
    assert "Close applications for" in confirm.content.decode()
    project.refresh_from_db()
    assert project.status == Status.OPEN
    client.post(reverse("projects:close", kwargs={"pk": project.pk}), {"note": "Enough"})
    project.refresh_from_db()
    assert project.status == Status.CLOSED
    assert project.status_changes.last().note == "Enough"


def test_close_of_a_draft_is_a_message(client, employer, organization):
    project = ProjectFactory(organization=organization)
    client.force_login(employer)
    response = client.post(reverse("projects:close", kwargs={"pk": project.pk}), follow=True)
    assert "Only open projects can be closed" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_cancel_requires_a_reason(client, employer, organization):
    project = open_project(organization=organization)
    client.force_login(employer)
    response = client.post(reverse("projects:cancel", kwargs={"pk": project.pk}), {"reason": " "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.OPEN
    client.post(reverse("projects:cancel", kwargs={"pk": project.pk}), {"reason": "No budget"})
    project.refresh_from_db()
    assert project.status == Status.CANCELLED
    assert project.cancel_reason == "No budget"


def test_cancel_of_a_final_project_is_a_message(client, employer, organization):
    project = project_in_status(Status.CANCELLED, organization=organization)
    client.force_login(employer)
    response = client.get(reverse("projects:cancel", kwargs={"pk": project.pk}), follow=True)
    assert "already cancelled" in response.content.decode()


def test_duplicate_redirects_to_the_new_drafts_edit_page(client, supervisor, organization):
    project = project_in_status(Status.CLOSED, organization=organization)
    client.force_login(supervisor)
    response = client.post(reverse("projects:duplicate", kwargs={"pk": project.pk}))
    copy = Project.objects.exclude(pk=project.pk).get()
    assert response.url == reverse("projects:edit", kwargs={"pk": copy.pk})
    assert copy.duplicated_from == project
    assert copy.status == Status.DRAFT


# ------------------------------------------------------------------------------
# Staff review
# ------------------------------------------------------------------------------
def test_review_queue_lists_pending_projects(client, staff_user, organization):
    pending = project_in_status(Status.PENDING_REVIEW, title="Needs a look")
    ProjectFactory(organization=organization, title="Just a draft")
    client.force_login(staff_user)
    body = client.get(reverse("projects:review-queue")).content.decode()
    assert "Needs a look" in body
    assert "Just a draft" not in body
    assert reverse("projects:review-approve", kwargs={"pk": pending.pk}) in body


def test_review_queue_empty_state(client, staff_user):
    client.force_login(staff_user)
    assert "Nothing to review" in client.get(reverse("projects:review-queue")).content.decode()


def test_review_approve_opens_and_notifies(client, staff_user):
    project = project_in_status(Status.PENDING_REVIEW)
    client.force_login(staff_user)
    client.post(reverse("projects:review-approve", kwargs={"pk": project.pk}))
    project.refresh_from_db()
    assert project.status == Status.OPEN
    assert Notification.objects.filter(
        recipient=project.supervisor, kind="project_approved"
    ).exists()


def test_review_return_without_a_note_changes_nothing(client, staff_user):
    project = project_in_status(Status.PENDING_REVIEW)
    client.force_login(staff_user)
    response = client.post(
        reverse("projects:review-return", kwargs={"pk": project.pk}), {"note": ""}, follow=True
    )
    assert "Say what the employer should change" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.PENDING_REVIEW
    assert (
        not ProjectStatusChange.objects.filter(project=project, to_status="draft")
        .exclude(from_status="")
        .exists()
    )


def test_review_return_with_a_note(client, staff_user):
    project = project_in_status(Status.PENDING_REVIEW)
    client.force_login(staff_user)
    client.post(
        reverse("projects:review-return", kwargs={"pk": project.pk}), {"note": "Add a budget"}
    )
    project.refresh_from_db()
    assert project.status == Status.DRAFT
    assert project.status_changes.last().note == "Add a budget"


def test_review_approve_of_an_open_project_is_a_message(client, staff_user, organization):
    project = open_project(organization=organization)
    client.force_login(staff_user)
    response = client.post(
        reverse("projects:review-approve", kwargs={"pk": project.pk}), follow=True
    )
    assert "Only projects waiting for review" in response.content.decode()


# ------------------------------------------------------------------------------
# Admin: status only through the services
# ------------------------------------------------------------------------------
def test_admin_approve_action_goes_through_the_service(client, staff_user, organization):
    pending = project_in_status(Status.PENDING_REVIEW)
    draft = ProjectFactory(organization=organization)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "approve_for_publishing", "_selected_action": [pending.pk, draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    draft.refresh_from_db()
    assert pending.status == Status.OPEN
    assert pending.status_changes.last().actor == staff_user
    assert draft.status == Status.DRAFT
    assert "were not waiting for review" in response.content.decode()


def test_admin_change_page_shows_status_read_only(client, staff_user, organization):
    project = ProjectFactory(organization=organization)
    client.force_login(staff_user)
    response = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()
