"""Inputs the generated test (tests/security) found crashing the matching pages: each is
now a clear refusal, and nothing is written."""

import pytest
from django.urls import reverse

from matching.models import RecommendationAttachment, Submission, SupervisorFeedback
from tests.matching.engagement_helpers import make_engagement
from tests.matching.factories import submitted_application
from tests.matching.recommendation_helpers import ask, write
from tests.matching.records_helpers import completed_engagement
from tests.matching.test_form_bounds import _supervisor_feedback
from tests.projects.factories import open_project

pytestmark = pytest.mark.django_db

PAST_BIGINT = str(2**63)


@pytest.mark.parametrize("link", ["\x01\x02\x03\x1b[31m", "http://[::1", "https://[oops/x"])
def test_a_link_with_a_broken_host_is_a_form_error(client, student, supervisor, link):
    """urlsplit() raises ValueError ("Invalid IPv6 URL") on an unbalanced "[": a 500."""
    engagement = make_engagement(student=student, supervisor=supervisor)
    client.force_login(student)
    response = client.post(
        reverse("matching:engagement-submit", args=[engagement.pk]), {"link": link}
    )
    assert response.status_code == 200
    assert "link" in response.context["submission_form"].errors
    assert not Submission.objects.exists()


@pytest.mark.parametrize("field", ["skills", "other_skills"])
@pytest.mark.parametrize("value", [PAST_BIGINT, "9" * 40])
def test_a_skill_id_past_the_column_is_a_feedback_form_error(
    client, supervisor, engagement, field, value
):
    """One pk__in query checks a multiple choice; it does not range-check the ids."""
    client.force_login(supervisor)
    response = client.post(
        reverse("matching:feedback-give", args=[engagement.pk]),
        _supervisor_feedback(engagement, **{field: [value]}),
    )
    assert response.status_code == 400
    assert "is not one of the available choices" in response.context["form"].errors[field][0]
    assert not SupervisorFeedback.objects.exists()


@pytest.mark.parametrize("selected", [PAST_BIGINT, "9" * 40, "²", "١٢٣"])
def test_the_skill_search_ignores_ids_it_cannot_use(client, supervisor, engagement, selected):
    """ "²".isdigit() is true but int("²") fails; a huge id overflowed in the query."""
    client.force_login(supervisor)
    url = reverse("matching:feedback-give", args=[engagement.pk])
    response = client.get(
        url, {"skill_q": "a", "other_skills": selected}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("student_pk", [2**63, 2**64, 10**30])
def test_a_student_id_past_the_column_is_a_404(client, supervisor, student_pk):
    client.force_login(supervisor)
    response = client.get(f"/work/students/{student_pk}/record/")
    assert response.status_code == 404


@pytest.mark.parametrize("value", [PAST_BIGINT, "9" * 40, str(-(2**63) - 1)])
def test_a_recommendation_id_past_the_column_is_an_attach_form_error(client, student, value):
    """The attach form checked its choices with one pk__in query that did not range-check
    the ids: a huge one overflowed in the driver, a 500."""
    letter = write(ask(completed_engagement(student=student)))
    application = submitted_application(project=open_project(), student=student)
    client.force_login(student)
    response = client.post(
        reverse("matching:application-recommendations", args=[application.pk]),
        {"recommendations": [str(letter.pk), value]},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["recommendations"]
    assert errors == ["Choose among your current recommendations."]
    assert not RecommendationAttachment.objects.exists()
