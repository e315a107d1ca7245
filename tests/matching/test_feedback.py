"""Two-sided feedback: blind until both (in each order), the window and its task, who may
give which feedback, not before completion, once only, reminders, the reply, and the
pages for every role."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Notification
from matching.models import Endorsement, InternFeedback, SupervisorFeedback
from matching.services.feedback import (
    FeedbackError,
    feedback_reply,
    feedback_request_for,
)
from matching.tasks import release_feedback_after_window
from tests.accounts.factories import MembershipFactory, SkillFactory
from tests.matching.engagement_helpers import (  # noqa: F401
    engagement_in_status,
    make_engagement,
)
from tests.matching.records_helpers import (
    INTERN_DEFAULTS,
    SUPERVISOR_DEFAULTS,
    age_completion,
    completed_engagement,
    give_intern_feedback,
    give_supervisor_feedback,
    released_engagement,
)

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
SUPERVISOR_TEXT = SUPERVISOR_DEFAULTS["written_feedback"]
INTERN_TEXT = INTERN_DEFAULTS["comment"]


@pytest.fixture
def colleague(organization):
    """A supervisor of the same organization who is not on this engagement."""
    return MembershipFactory(organization=organization, user__email="col@acme.example.com").user


def detail(client, user, engagement):
    client.force_login(user)
    return client.get(reverse("matching:feedback-detail", args=[engagement.pk]))


def visible_kinds(user, kind="feedback_visible"):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def supervisor_post(engagement, **overrides):
    skills = list(engagement.project.skills.all())
    data = {
        "communication": "5",
        "critical_thinking": "",
        "teamwork": "4",
        "professionalism": "",
        "technology": "",
        "leadership": "",
        "career_development": "",
        "equity_inclusion": "",
        "overall_rating": "4",
        "written_feedback": SUPERVISOR_TEXT,
        "skills": [str(skills[0].pk)],
        "outcomes": "Grew click-through from 2.1% to 3.4%\n\nCut costs by 10%",
        "would_hire": "yes",
        "recommendation": "Highly recommended.",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------
# Blind until both, in each order
# ------------------------------------------------------------------------------
def test_blind_until_both_supervisor_first(client, engagement, student, supervisor):
    give_supervisor_feedback(engagement)
    engagement.refresh_from_db()
    assert engagement.feedback_released_at is None

    # The supervisor sees what they wrote; the student does not, yet.
    assert SUPERVISOR_TEXT in detail(client, supervisor, engagement).content.decode()
    page = detail(client, student, engagement).content.decode()
    assert SUPERVISOR_TEXT not in page
    assert "Your supervisor has given feedback" in page
    # The student is told feedback is waiting, without its content.
    waiting = Notification.objects.get(recipient=student, kind="feedback_waiting")
    assert SUPERVISOR_TEXT not in waiting.text

    give_intern_feedback(engagement)
    engagement.refresh_from_db()
    assert engagement.feedback_released_at is not None  # released in the same transaction
    for user in (student, supervisor):
        page = detail(client, user, engagement).content.decode()
        assert SUPERVISOR_TEXT in page and INTERN_TEXT in page
    assert visible_kinds(supervisor) == 1  # the other side hears
    assert visible_kinds(student) == 0  # the one who just submitted does not


def test_blind_until_both_intern_first(client, engagement, student, supervisor, employer):
    give_intern_feedback(engagement)
    engagement.refresh_from_db()
    assert engagement.feedback_released_at is None
    assert INTERN_TEXT in detail(client, student, engagement).content.decode()
    for org_user in (supervisor, employer):
        page = detail(client, org_user, engagement).content.decode()
        assert INTERN_TEXT not in page
        assert "The intern has given feedback" in page

    give_supervisor_feedback(engagement)
    engagement.refresh_from_db()
    assert engagement.feedback_released_at is not None
    for user in (student, supervisor, employer):
        page = detail(client, user, engagement).content.decode()
        assert SUPERVISOR_TEXT in page and INTERN_TEXT in page
    assert visible_kinds(student) == 1
    assert visible_kinds(supervisor) == 0


def test_owner_may_give_the_supervisor_side_and_sees_it(client, engagement, employer, student):
    give_supervisor_feedback(engagement, actor=employer)
    feedback = SupervisorFeedback.objects.get(engagement=engagement)
    assert feedback.author == employer
    assert SUPERVISOR_TEXT in detail(client, employer, engagement).content.decode()
    assert SUPERVISOR_TEXT not in detail(client, student, engagement).content.decode()


# ------------------------------------------------------------------------------
# The window and its task
# ------------------------------------------------------------------------------
def test_window_closing_releases_once_and_notifies_once(engagement, student, supervisor):
    give_supervisor_feedback(engagement)
    assert release_feedback_after_window()["released"] == 0  # window still open
    age_completion(engagement, days=14.01)

    assert release_feedback_after_window()["released"] == 1
    engagement.refresh_from_db()
    released_at = engagement.feedback_released_at
    assert released_at is not None
    assert release_feedback_after_window()["released"] == 0  # second run: nothing
    engagement.refresh_from_db()
    assert engagement.feedback_released_at == released_at
    assert visible_kinds(student) == 1
    assert visible_kinds(supervisor) == 1


def test_window_reads_the_setting(settings, engagement):
    settings.FEEDBACK_WINDOW_DAYS = 3
    age_completion(engagement, days=3.01)
    assert release_feedback_after_window()["released"] == 1


def test_after_the_window_closes_no_feedback_is_taken(engagement):
    give_supervisor_feedback(engagement)
    age_completion(engagement, days=15)
    with pytest.raises(FeedbackError, match="window closed"):
        give_intern_feedback(engagement)
    release_feedback_after_window()
    engagement.refresh_from_db()
    with pytest.raises(FeedbackError, match="window closed"):
        give_intern_feedback(engagement)
    assert not InternFeedback.objects.filter(engagement=engagement).exists()


def test_released_student_sees_supervisor_feedback_after_window(client, engagement, student):
    give_supervisor_feedback(engagement)
    age_completion(engagement, days=20)
    release_feedback_after_window()
    assert SUPERVISOR_TEXT in detail(client, student, engagement).content.decode()


# ------------------------------------------------------------------------------
# Who, when, how often
# ------------------------------------------------------------------------------
def test_student_cannot_give_supervisor_feedback(engagement, student):
    with pytest.raises(PermissionDenied):
        give_supervisor_feedback(engagement, actor=student)
    assert not SupervisorFeedback.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "employer"])
def test_organization_side_cannot_give_intern_feedback(engagement, who, request):
    with pytest.raises(PermissionDenied):
        give_intern_feedback(engagement, actor=request.getfixturevalue(who))
    assert not InternFeedback.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "other_employer", "other_student"])
def test_outsiders_cannot_give_any_feedback(engagement, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        give_supervisor_feedback(engagement, actor=user)
    with pytest.raises(PermissionDenied):
        give_intern_feedback(engagement, actor=user)


@pytest.mark.parametrize("status", ["active", "submitted", "revision_requested", "cancelled"])
def test_not_before_completion(status, student, supervisor):
    engagement = engagement_in_status(status, student=student, supervisor=supervisor)
    with pytest.raises(FeedbackError, match="completed"):
        give_supervisor_feedback(engagement)
    with pytest.raises(FeedbackError, match="completed"):
        give_intern_feedback(engagement)
    assert not SupervisorFeedback.objects.exists() and not InternFeedback.objects.exists()


def test_each_side_gives_feedback_once(engagement):
    give_supervisor_feedback(engagement)
    with pytest.raises(FeedbackError, match="already"):
        give_supervisor_feedback(engagement, written_feedback="Second try")
    assert SupervisorFeedback.objects.get().written_feedback == SUPERVISOR_TEXT


def test_intern_gives_feedback_once_even_after_release(engagement):
    give_intern_feedback(engagement)
    with pytest.raises(FeedbackError):
        give_intern_feedback(engagement)
    assert InternFeedback.objects.count() == 1


def test_supervisor_feedback_validation_stores_nothing(engagement):
    bad = [
        {"overall_rating": 6},
        {"overall_rating": None},
        {"ratings": {"communication": 0}},
        {"ratings": {"charisma": 5}},
        {"written_feedback": "   "},
        {"outcomes": [f"Outcome {i}" for i in range(6)]},
        {"outcomes": ["x" * 201]},
    ]
    for overrides in bad:
        with pytest.raises(FeedbackError):
            give_supervisor_feedback(engagement, **overrides)
    assert not SupervisorFeedback.objects.exists()
    assert not Endorsement.objects.exists()


def test_skills_become_endorsements(engagement, student, supervisor):
    skills = [SkillFactory(name="Copywriting"), SkillFactory(name="SEO")]
    feedback = give_supervisor_feedback(engagement, skills=skills + [skills[0]])
    assert set(feedback.demonstrated_skills.all()) == set(skills)
    rows = Endorsement.objects.filter(engagement=engagement)
    assert {(e.student, e.skill.name, e.endorsed_by) for e in rows} == {
        (student, "Copywriting", supervisor),
        (student, "SEO", supervisor),
    }


def test_outcomes_are_trimmed_and_blank_lines_dropped(engagement):
    feedback = give_supervisor_feedback(engagement, outcomes=["  Grew  sign-ups 40% ", "", " "])
    assert feedback.outcomes == ["Grew sign-ups 40%"]


# ------------------------------------------------------------------------------
# Reminders
# ------------------------------------------------------------------------------
def test_feedback_request_for_asks_both_sides_once(engagement, student, supervisor):
    feedback_request_for(engagement=engagement)
    feedback_request_for(engagement=engagement)
    assert Notification.objects.filter(recipient=student, kind="feedback_due").count() == 1
    assert Notification.objects.filter(recipient=supervisor, kind="feedback_due").count() == 1


def test_second_reminder_goes_to_the_missing_side_once(engagement, student, supervisor):
    give_supervisor_feedback(engagement)
    before_student = Notification.objects.filter(recipient=student, kind="feedback_due").count()
    before_super = Notification.objects.filter(recipient=supervisor, kind="feedback_due").count()
    assert release_feedback_after_window()["reminded"] == 0  # not 7 days yet
    age_completion(engagement, days=8)
    release_feedback_after_window()
    release_feedback_after_window()
    due = Notification.objects.filter(kind="feedback_due")
    assert due.filter(recipient=student).count() == before_student + 1
    assert due.filter(recipient=supervisor).count() == before_super  # theirs is in


# ------------------------------------------------------------------------------
# The reply
# ------------------------------------------------------------------------------
def test_reply_only_after_release(engagement, student):
    give_supervisor_feedback(engagement)
    with pytest.raises(FeedbackError, match="visible"):
        feedback_reply(engagement=engagement, actor=student, reply="Thanks!")
    give_intern_feedback(engagement)
    engagement.refresh_from_db()
    feedback_reply(engagement=engagement, actor=student, reply="Thank you, it was a pleasure.")
    assert SupervisorFeedback.objects.get().intern_reply == "Thank you, it was a pleasure."


def test_reply_needs_supervisor_feedback_and_the_intern(student, supervisor):
    engagement = completed_engagement(student=student, supervisor=supervisor)
    give_intern_feedback(engagement)
    age_completion(engagement, days=15)
    release_feedback_after_window()
    engagement.refresh_from_db()
    with pytest.raises(FeedbackError, match="no feedback"):
        feedback_reply(engagement=engagement, actor=student, reply="Hello?")
    with pytest.raises(PermissionDenied):
        feedback_reply(engagement=engagement, actor=supervisor, reply="Me")


# ------------------------------------------------------------------------------
# The pages
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["matching:feedback-give", "matching:feedback-detail"])
@pytest.mark.parametrize("who", ["colleague", "other_employer", "other_student", "career_officer"])
def test_outsiders_get_404(client, engagement, name, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name, args=[engagement.pk])).status_code == 404
    assert client.post(reverse("matching:feedback-reply", args=[engagement.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("matching:feedback-give", "get"),
        ("matching:feedback-detail", "get"),
        ("matching:feedback-reply", "post"),
    ],
)
def test_anonymous_is_sent_to_login(client, engagement, name, method):
    response = getattr(client, method)(reverse(name, args=[engagement.pk]))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_student_gives_feedback_through_the_page(client, engagement, student):
    client.force_login(student)
    url = reverse("matching:feedback-give", args=[engagement.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Clarity of the brief" in page.content
    response = client.post(
        url,
        {
            "brief_clarity": "5",
            "mentorship": "4",
            "scope_fairness": "3",
            "would_recommend": "no",
            "comment": "Fine",
        },
    )
    assert response.status_code == 302
    feedback = InternFeedback.objects.get(engagement=engagement)
    assert (feedback.brief_clarity, feedback.would_recommend) == (5, False)
    # Given: the form now redirects to the feedback page.
    assert client.get(url).status_code == 302


def test_supervisor_gives_feedback_through_the_page(client, engagement, supervisor, student):
    client.force_login(supervisor)
    url = reverse("matching:feedback-give", args=[engagement.pk])
    page = client.get(url).content.decode()
    assert "Communication" in page and "Not observed" in page
    other = SkillFactory(name="Public speaking")
    response = client.post(url, supervisor_post(engagement, other_skills=[str(other.pk)]))
    assert response.status_code == 302
    feedback = SupervisorFeedback.objects.get(engagement=engagement)
    assert feedback.communication == 5 and feedback.critical_thinking is None
    assert feedback.outcomes == ["Grew click-through from 2.1% to 3.4%", "Cut costs by 10%"]
    assert feedback.would_hire is True
    assert Endorsement.objects.filter(engagement=engagement).count() == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"overall_rating": "6"},
        {"overall_rating": ""},
        {"communication": "9"},
        {"written_feedback": ""},
        {"would_hire": ""},
        {"outcomes": "\n".join(f"Outcome {i}" for i in range(6))},
        {"skills": ["999999"]},
    ],
)
def test_bad_supervisor_input_is_a_form_error(client, engagement, supervisor, overrides):
    client.force_login(supervisor)
    url = reverse("matching:feedback-give", args=[engagement.pk])
    response = client.post(url, supervisor_post(engagement, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not SupervisorFeedback.objects.exists()


def test_bad_intern_input_is_a_form_error(client, engagement, student):
    client.force_login(student)
    url = reverse("matching:feedback-give", args=[engagement.pk])
    response = client.post(url, {"brief_clarity": "0", "mentorship": "4"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {
        "brief_clarity",
        "scope_fairness",
        "would_recommend",
    }
    assert not InternFeedback.objects.exists()


def test_form_closed_before_completion(client, student, supervisor):
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(supervisor)
    url = reverse("matching:feedback-give", args=[engagement.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"opens once the engagement is completed" in page.content
    assert client.post(url, supervisor_post(engagement)).status_code == 400
    assert not SupervisorFeedback.objects.exists()


def test_skill_search_partial(client, engagement, supervisor):
    SkillFactory(name="Zebra wrangling")
    client.force_login(supervisor)
    url = reverse("matching:feedback-give", args=[engagement.pk])
    response = client.get(url, {"skill_q": "zebra"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zebra wrangling" in body and "<html" not in body


def test_reply_page_flow(client, student, supervisor):
    engagement = released_engagement(student=student, supervisor=supervisor)
    url = reverse("matching:feedback-reply", args=[engagement.pk])
    client.force_login(supervisor)
    assert client.post(url, {"reply": "Hijack"}).status_code == 403
    client.force_login(student)
    assert client.post(url, {"reply": ""}).status_code == 400
    assert client.post(url, {"reply": "Thanks a lot!"}).status_code == 302
    assert "Thanks a lot!" in detail(client, supervisor, engagement).content.decode()
    assert Notification.objects.filter(recipient=supervisor, kind="feedback_reply").exists()


def test_task_has_a_stable_name_for_beat():
    assert release_feedback_after_window.name == (
        "matching.tasks_feedback.release_feedback_after_window"
    )
