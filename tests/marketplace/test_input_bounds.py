"""Inputs the generated test (tests/security) found crashing the dashboards: each is now
a clear answer."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["AAA", "home", "dashboards:site"])
def test_refresh_with_a_next_that_is_not_a_path_goes_to_the_dashboard(client, employer, target):
    """redirect() takes a bare word for a URL name: "AAA" was a NoReverseMatch (500)."""
    client.force_login(employer)
    response = client.post(reverse("dashboards:refresh"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:employer")


def test_refresh_still_goes_back_to_a_path_on_the_site(client, employer):
    client.force_login(employer)
    back = reverse("dashboards:employer") + "?year=2025"
    response = client.post(reverse("dashboards:refresh"), {"next": back})
    assert response["Location"] == back
