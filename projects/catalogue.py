"""The version of the public catalogue: what visitors who have not signed in see on the
browse page and the project pages, which ``core.cache.cache_public_page`` keeps whole
under this version. Any saved or deleted project, project skill, organization or skill
starts a new version, so a visitor sees an edit at once."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

CATALOGUE_VERSION_KEY = "catalogue-version"
#: At most this stale for a change no signal reports (a bulk ``update()``).
PUBLIC_PAGE_SECONDS = 60


def catalogue_changed(**kwargs) -> None:
    # Now, for this process's next request, and again after commit: a visitor's request
    # between the two may have cached the page as it was before the commit.
    _new_version()
    transaction.on_commit(_new_version, robust=True)


def _new_version() -> None:
    cache.set(CATALOGUE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def connect_catalogue_signals() -> None:
    from accounts.models import Organization, Skill

    from .models import Project, ProjectSkill

    for model in (Project, ProjectSkill, Organization, Skill):
        for signal in (post_save, post_delete):
            signal.connect(
                catalogue_changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}"
            )
