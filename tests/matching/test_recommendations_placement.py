"""The career-office figure "led to a recommendation": the share of the year's completed
engagements after which a recommendation was written, from the placement facts, under
the same privacy threshold as every other figure."""

import pytest
from django.urls import reverse

from marketplace.dashboards.figures import Suppressed
from matching.models import RecommendationRequest
from matching.services.recommendations import recommendation_request_decline
from tests.marketplace.placement_helpers import enrolled, fact, figures, interned, local, school
from tests.matching.recommendation_helpers import ask, recommendation_in_status, write

pytestmark = pytest.mark.django_db
RS = RecommendationRequest.Status


def _completed(student, day: int):
    return interned(student, started=local(2025, 9, 1), completed=local(2025, 10, day))


def test_completed_engagements_that_led_to_a_recommendation(settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 1
    institution = school()
    alex, blake, casey = (enrolled(institution) for _ in range(3))
    first, second = _completed(alex, 1), _completed(alex, 2)
    revoked = _completed(blake, 3)
    _completed(casey, 4)
    write(ask(first))
    recommendation_in_status("revoked", revoked)  # it was written: the engagement led to one
    pending = ask(second)
    recommendation_request_decline(request=pending, actor=pending.recommender)

    result = figures(institution, 2025)
    headline = result["headline"]
    assert headline["engagements_completed"] == 4
    assert headline["engagements_recommended"] == 2
    assert headline["recommended_interns"] == 2
    assert headline["recommendation_rate"] == 50.0
    assert fact(institution, 2025, alex).engagements_recommended == 1
    assert fact(institution, 2025, casey).engagements_recommended == 0


def test_a_request_alone_counts_for_nothing(settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 1
    institution = school()
    engagement = _completed(enrolled(institution), 1)
    ask(engagement)
    headline = figures(institution, 2025)["headline"]
    assert headline["engagements_recommended"] == 0
    assert headline["recommendation_rate"] == 0.0


def test_fewer_than_k_recommended_students_are_suppressed(settings):
    settings.PLACEMENT_MIN_CELL_SIZE = 5
    institution = school()
    engagements = [_completed(enrolled(institution), day) for day in range(1, 6)]
    write(ask(engagements[0]))
    headline = figures(institution, 2025)["headline"]
    assert headline["engagements_completed"] == 5  # five interns: shown
    assert isinstance(headline["engagements_recommended"], Suppressed)
    assert isinstance(headline["recommendation_rate"], Suppressed)


def test_the_career_dashboard_shows_the_figure(client, settings, career_officer, institution):
    settings.PLACEMENT_MIN_CELL_SIZE = 1
    students = [enrolled(institution) for _ in range(2)]
    engagements = [_completed(s, day) for day, s in enumerate(students, start=1)]
    write(ask(engagements[0]))
    figures(institution, 2025)
    client.force_login(career_officer)
    response = client.get(reverse("dashboards:career"), {"year": 2025})
    assert response.status_code == 200
    assert response.context["m"]["recommendation_rate"] == 50.0
    page = response.content.decode()
    assert "led to a recommendation: 1 of 2 completed engagements" in page
    assert reverse("dashboards:methodology") + "#recommendation-rate" in page
