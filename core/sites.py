"""The Sites record (django.contrib.sites, SITE_ID) kept in step with settings, so what
allauth puts in its emails ("Hello from …", the site's domain) is this site's name and
host rather than the "example.com" Django creates."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, router


def site_domain() -> str:
    """The host (and port, if any) of SITE_URL: "internly.example", "127.0.0.1:8000"."""
    return urlsplit(settings.SITE_URL).netloc.rpartition("@")[2]


def site_sync(
    sender: Any, *, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, **kwargs: Any
) -> None:
    """post_migrate: give Site SITE_ID the configured name and domain, creating it if it
    is missing. Runs after every migrate, so a changed SITE_URL or SITE_NAME takes effect
    with the next deploy's migrate."""
    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:  # the sites app is not migrated (yet) in this run
        return
    if not router.allow_migrate_model(using, site_model):
        return
    _, created = site_model.objects.using(using).update_or_create(
        pk=getattr(settings, "SITE_ID", 1),
        defaults={"name": settings.SITE_NAME, "domain": site_domain()},
    )
    if created:
        # The row was given its id: move the id sequence past it, as Django's own
        # create_default_site does, so the next Site added gets a free id.
        with connections[using].cursor() as cursor:
            for command in connections[using].ops.sequence_reset_sql(no_style(), [site_model]):
                cursor.execute(command)
    # Site.objects.get_current() caches per process; the historical model used here
    # sends none of the signals that would clear it.
    from django.contrib.sites.models import Site

    Site.objects.clear_cache()
