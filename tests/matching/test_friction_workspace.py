"""Rough edges a new user hit, in the matching pages: where "add skills" leads, the
workspace link after accepting, "Give feedback" once given, the cancel control, and the
two scores of one pairing."""

import re

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from accounts.models import StudentSkill
from matching.models import Engagement
from matching.validators import SUBMISSION_MAX_BYTES
from projects.scoring import match_score
from tests.accounts.factories import MembershipFactory, SkillFactory
from tests.matching.engagement_helpers import (
    PDF_BYTES,
    engagement_in_status,
    make_engagement,
    upload,
)
from tests.matching.factories import ready_student, submitted_application
from tests.matching.records_helpers import (
    age_completion,
    completed_engagement,
    give_intern_feedback,
    give_supervisor_feedback,
)
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db
Status = Engagement.Status


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# ------------------------------------------------------------------------------
# 1. "Add skills" leads to the skills page
# ------------------------------------------------------------------------------
def test_apply_page_without_skills_links_to_the_skills_page(client):
    project = open_project()
    student = ready_student()
    StudentSkill.objects.filter(profile=student.student_profile).delete()
    html = _page(client, student, reverse("matching:apply", kwargs={"project_pk": project.pk}))
    assert "Add at least one skill" in html
    assert f'href="{reverse("accounts:profile-skills")}"' in html


def test_apply_page_with_skills_sends_only_to_the_profile_form(client):
    project = open_project()
    student = ready_student(resume=None)
    html = _page(client, student, reverse("matching:apply", kwargs={"project_pk": project.pk}))
    assert "Add a résumé" in html
    assert reverse("accounts:profile-skills") not in html


def test_project_page_add_skills_link_goes_to_the_skills_page(client, student):
    html = _page(client, student, open_project().get_absolute_url())
    assert re.search(
        rf'<a href="{re.escape(reverse("accounts:profile-skills"))}">Add skills</a>', html
    )
    assert reverse("accounts:profile-edit") not in html


# ------------------------------------------------------------------------------
# 2. After accepting, the page links the workspace
# ------------------------------------------------------------------------------
def test_accepting_lands_on_a_page_that_links_the_workspace(client, employer, organization):
    project = open_project(organization=organization)
    application = submitted_application(project=project)
    client.force_login(employer)
    response = client.post(
        reverse("matching:applicant-accept", kwargs={"pk": application.pk}), follow=True
    )
    html = response.content.decode()
    engagement = Engagement.objects.get(application=application)
    assert "Their workspace is ready" in html
    assert f'<a href="{engagement.get_absolute_url()}" role="button">Open the workspace</a>' in html
    assert client.get(engagement.get_absolute_url()).status_code == 200


def test_a_member_who_cannot_open_the_workspace_is_told_who_can(client, organization):
    project = open_project(organization=organization)
    application = submitted_application(project=project)
    colleague = MembershipFactory(organization=organization, user__email="c@acme.example").user
    client.force_login(colleague)
    client.post(reverse("matching:applicant-accept", kwargs={"pk": application.pk}))
    engagement = Engagement.objects.get(application=application)
    html = client.get(
        reverse("matching:applicant-detail", kwargs={"pk": application.pk})
    ).content.decode()
    assert engagement.get_absolute_url() not in html
    assert "and the organization's owners can open it" in html
    assert client.get(engagement.get_absolute_url()).status_code == 404


def test_an_undecided_applicant_has_no_workspace_line(client, employer, organization):
    application = submitted_application(project=open_project(organization=organization))
    html = _page(client, employer, reverse("matching:applicant-detail", args=[application.pk]))
    assert "Their workspace is ready" not in html


# ------------------------------------------------------------------------------
# 3. "Give feedback" only while it can still be given
# ------------------------------------------------------------------------------
GIVE = 'role="button" class="secondary">Give feedback</a>'


@pytest.mark.parametrize("side", ["student", "supervisor"])
def test_give_feedback_shows_until_given_then_says_when_it_shows(client, side):
    engagement = completed_engagement()
    user = engagement.student if side == "student" else engagement.supervisor
    html = _page(client, user, engagement.get_absolute_url())
    assert GIVE in html
    assert 'id="feedback-status"' not in html

    if side == "student":
        give_intern_feedback(engagement)
    else:
        give_supervisor_feedback(engagement)
    html = _page(client, user, engagement.get_absolute_url())
    assert GIVE not in html
    assert "You gave your feedback on" in html
    other = "Your supervisor" if side == "student" else "The intern"
    assert f"{other} will see it once they give theirs, or on" in html
    assert reverse("matching:feedback-detail", args=[engagement.pk]) in html


def test_once_both_gave_it_the_workspace_says_it_is_visible(client):
    engagement = completed_engagement()
    give_supervisor_feedback(engagement)
    give_intern_feedback(engagement)
    for user in (engagement.student, engagement.supervisor):
        html = _page(client, user, engagement.get_absolute_url())
        assert GIVE not in html
        assert "Both sides' feedback is visible." in html


def test_after_the_window_closes_the_button_is_gone(client):
    engagement = age_completion(completed_engagement(), days=30)
    html = _page(client, engagement.student, engagement.get_absolute_url())
    assert GIVE not in html
    assert "The feedback window has closed." in html


# ------------------------------------------------------------------------------
# 5. Cancelling is secondary and behind its confirmation
# ------------------------------------------------------------------------------
def _cancel_control(html: str, engagement) -> str:
    url = reverse("matching:engagement-cancel", args=[engagement.pk])
    controls = re.findall(rf'<a [^>]*href="{re.escape(url)}"[^>]*>', html)
    assert len(controls) == 1, controls
    return controls[0]


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.REVISION_REQUESTED])
def test_the_students_cancel_control_is_secondary_and_submitting_is_primary(client, status):
    engagement = engagement_in_status(status)
    html = _page(client, engagement.student, engagement.get_absolute_url())
    control = _cancel_control(html, engagement)
    classes = re.search(r'class="([^"]*)"', control).group(1).split()
    # The destructive style of the design system: outlined, never the filled primary.
    assert classes == ["danger-secondary"]
    # The workspace's primary action is handing in the work: a plain (primary) button.
    actions = html.split('aria-label="Actions"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<a role="button" href="#submissions-section">Submit ', actions)
    assert actions.index("#submissions-section") < actions.index("Cancel the engagement")


def test_the_cancel_control_needs_the_confirmation_page(client):
    """The control is a link to the confirmation (a GET that changes nothing); only the
    form there, with a reason, cancels."""
    engagement = make_engagement()
    html = _page(client, engagement.student, engagement.get_absolute_url())
    url = reverse("matching:engagement-cancel", args=[engagement.pk])
    assert f'<form method="post" action="{url}"' not in html
    confirm = _page(client, engagement.student, url)
    assert "Cancel this engagement?" in confirm
    engagement.refresh_from_db()
    assert engagement.status == Status.ACTIVE
    assert client.post(url, {"reason": ""}).status_code == 200
    engagement.refresh_from_db()
    assert engagement.status == Status.ACTIVE
    client.post(url, {"reason": "Exams"})
    engagement.refresh_from_db()
    assert engagement.status == Status.CANCELLED


def test_the_supervisors_cancel_control_is_secondary_too(client):
    engagement = make_engagement()
    html = _page(client, engagement.supervisor, engagement.get_absolute_url())
    assert 'class="danger-secondary"' in _cancel_control(html, engagement)
    assert "#submissions-section" not in html.split('aria-label="Actions"', 1)[1][:400]


# ------------------------------------------------------------------------------
# 7. One pairing, two scores, each labelled and explained
# ------------------------------------------------------------------------------
def test_the_student_and_the_employer_see_labelled_scores_that_add_up(
    client, employer, organization
):
    required, nice = SkillFactory(name="SQL"), SkillFactory(name="Figma")
    project = open_project(
        organization=organization, required_skills=[required], nice_to_have_skills=[nice]
    )
    student = ready_student(skills=[required], levels={required: 4})
    application = submitted_application(project=project, student=student)

    student_html = _page(client, student, reverse("projects:browse") + "?sort=match")
    shown_to_student = int(re.search(r"<strong>(\d+)% match for you</strong>", student_html)[1])
    assert "how soon applications close" in student_html

    employer_html = _page(
        client, employer, reverse("matching:applicant-detail", args=[application.pk])
    )
    shown_to_employer = int(
        re.search(r'Ranking score <span class="score">(\d+)</span>', employer_html)[1]
    )
    assert "differs from the “% match” the student sees" in employer_html
    list_html = _page(client, employer, reverse("matching:applicant-list", args=[project.pk]))
    assert '<th scope="col">Ranking score</th>' in list_html

    # The explanation holds: the same skills-and-hours match under both, the student's
    # with the deadline part, the employer's with the track record (none yet).
    inputs = {
        "student_skills": {required.pk: 4},
        "weekly_hours": student.student_profile.weekly_availability_hours,
        "project_required": {required.pk},
        "project_nice": {nice.pk},
        "estimated_hours": project.estimated_hours,
        "duration_days": project.duration_days,
        "now": None,
    }
    with_deadline = match_score(**inputs, deadline=project.application_deadline).score
    without_deadline = match_score(**inputs, deadline=None).score
    assert shown_to_student == int(floatformat(with_deadline, 0))
    assert shown_to_employer == int(floatformat(without_deadline, 0))
    assert shown_to_student != shown_to_employer


# ------------------------------------------------------------------------------
# 4. A submission's size message tells the two sizes apart
# ------------------------------------------------------------------------------
def _submit(client, engagement, size: int):
    content = PDF_BYTES + b"\x00" * (size - len(PDF_BYTES))
    client.force_login(engagement.student)
    return client.post(
        reverse("matching:engagement-submit", args=[engagement.pk]),
        {"file": upload("report.pdf", content)},
    )


def test_a_submission_of_exactly_the_limit_is_accepted_on_the_page(client):
    engagement = make_engagement()
    assert _submit(client, engagement, SUBMISSION_MAX_BYTES).status_code == 302
    assert engagement.submissions.get().size_bytes == SUBMISSION_MAX_BYTES


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (21_000_004, "The file is 20.03\xa0MB; a submission can be at most 20\xa0MB."),
        (
            SUBMISSION_MAX_BYTES + 1,
            "The file is 20,971,521\xa0bytes; a submission can be at most 20,971,520\xa0bytes.",
        ),
    ],
)
def test_an_oversize_submission_says_two_different_sizes(client, size, shown):
    engagement = make_engagement()
    response = _submit(client, engagement, size)
    assert shown in response.content.decode()
    assert not engagement.submissions.exists()
