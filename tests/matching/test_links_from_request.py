"""Links in pages are built from the request, so the site works on whatever host and
port it is opened on: the experience record's credential and "Verify" links, the share
link, the recommendation's verify address. SITE_URL is for emails and tasks only."""

import pytest
from django.urls import reverse

from matching.models import Recommendation
from tests.matching.recommendation_helpers import recommendation_in_status
from tests.matching.records_helpers import record_item, released_engagement

pytestmark = pytest.mark.django_db

HOST = "internly.example:8443"
ORIGIN = f"https://{HOST}"
ELSEWHERE = "https://configured.internly.invalid"  # SITE_URL: must not show in pages


@pytest.fixture(autouse=True)
def _another_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "internly.example"]
    settings.SITE_URL = ELSEWHERE


@pytest.fixture
def item(student, supervisor):
    return record_item(released_engagement(student=student, supervisor=supervisor))


def get(client, url):
    response = client.get(url, HTTP_HOST=HOST, secure=True)
    assert response.status_code == 200
    return response.content.decode()


def credential_links(item) -> tuple[str, str]:
    credential_id = item.credential_id
    return (
        ORIGIN + reverse("matching:credential", args=[credential_id]),
        ORIGIN + reverse("matching:credential-verify", args=[credential_id]),
    )


def assert_credential_links(page: str, item) -> None:
    credential, verify = credential_links(item)
    assert f'href="{credential}"' in page
    assert f'href="{verify}"' in page
    assert ELSEWHERE not in page


@pytest.mark.parametrize("name", ["matching:record", "matching:record-print"])
def test_the_owners_record_pages(client, student, item, name):
    client.force_login(student)
    assert_credential_links(get(client, reverse(name)), item)


def test_the_item_page_shows_the_verify_address_on_this_host(client, student, item):
    client.force_login(student)
    page = get(client, reverse("matching:record-item", args=[item.pk]))
    assert_credential_links(page, item)
    _, verify = credential_links(item)
    assert f">{verify}</a>" in page  # the address as text, to copy


def test_the_share_link_and_the_shared_record(client, student, item):
    client.force_login(student)
    response = client.post(reverse("matching:record-share"), HTTP_HOST=HOST, secure=True)
    link = response.context["link"]
    assert link.startswith(ORIGIN + "/work/r/")
    assert ELSEWHERE not in response.content.decode()
    client.logout()
    assert_credential_links(get(client, link.removeprefix(ORIGIN)), item)


def test_the_employer_view_of_the_record(client, supervisor, student, item):
    client.force_login(supervisor)
    page = get(client, reverse("matching:record-for-employer", args=[student.pk]))
    assert_credential_links(page, item)


def test_the_recommendations_verify_address(client, student, engagement):
    recommendation = recommendation_in_status(Recommendation.Status.ISSUED, engagement)
    client.force_login(student)
    page = get(client, reverse("matching:recommendation-detail", args=[recommendation.pk]))
    verify = ORIGIN + reverse(
        "matching:recommendation-verify", args=[recommendation.verification_id]
    )
    assert f'href="{verify}"' in page
    assert ELSEWHERE not in page


def test_the_credential_document_keeps_its_stable_site_url_ids(client, item):
    """The Open Badges JSON is the credential itself: its ids and its proof are on
    SITE_URL whichever host serves it, so a copy issued earlier still verifies."""
    response = client.get(
        reverse("matching:credential", args=[item.credential_id]), HTTP_HOST=HOST, secure=True
    )
    document = response.json()
    assert document["id"] == ELSEWHERE + reverse("matching:credential", args=[item.credential_id])
    assert HOST not in response.content.decode()
