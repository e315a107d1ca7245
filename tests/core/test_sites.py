"""The Sites record (SITE_ID) follows settings: allauth's emails name this site and its
host, never the "example.com" Django creates. core's post_migrate handler keeps it in
step on every migrate."""

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from core.sites import site_domain
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_migrated_database_has_the_configured_site():
    site = Site.objects.get(pk=settings.SITE_ID)
    assert site.name == settings.SITE_NAME == "Internly"
    assert site.domain == site_domain()
    assert "example.com" not in site.domain


@pytest.mark.parametrize(
    ("site_url", "domain"),
    [
        ("https://internly.example", "internly.example"),
        ("https://internly.example:8443/", "internly.example:8443"),
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
    ],
)
def test_the_domain_is_the_host_of_site_url(settings, site_url, domain):
    settings.SITE_URL = site_url
    assert site_domain() == domain


def test_migrate_brings_a_changed_configuration_into_the_record(settings):
    settings.SITE_NAME = "Internly Staging"
    settings.SITE_URL = "https://staging.internly.example"
    call_command("migrate", verbosity=0, interactive=False)
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == ("Internly Staging", "staging.internly.example")
    assert Site.objects.get_current() == site  # the per-process cache was cleared
    assert Site.objects.get_current().name == "Internly Staging"


def test_migrate_rewrites_the_default_record_made_after_all_were_deleted(settings):
    Site.objects.all().delete()
    call_command("migrate", verbosity=0, interactive=False)
    site = Site.objects.get()
    assert (site.pk, site.name, site.domain) == (settings.SITE_ID, "Internly", site_domain())


def test_migrate_creates_the_record_of_another_site_id(settings):
    settings.SITE_ID = 2
    settings.SITE_URL = "https://second.internly.example"  # a domain belongs to one site
    call_command("migrate", verbosity=0, interactive=False)
    site = Site.objects.get(pk=2)
    assert (site.name, site.domain) == ("Internly", "second.internly.example")
    # The id sequence moved past the row: one more site can still be added.
    assert Site.objects.create(name="Other", domain="other.internly.example").pk == 3


def test_the_signup_confirmation_email_names_this_site(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post(
        reverse("account_signup"),
        {
            "role": "student",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@state.edu",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    [message] = mail.outbox
    text = message.subject + message.body
    assert "example.com" not in text
    assert f"Hello from {settings.SITE_NAME}!" in message.body
    assert site_domain() in message.body
