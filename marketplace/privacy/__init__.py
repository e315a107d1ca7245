"""People's control of their data: a student's downloadable archive of everything
Internly holds about them (``export``) and the deletion of their account (``erasure``).

Both read and write across accounts, projects and matching, so they live in this top
layer. What each kind of record becomes when an account is deleted, and why, is the
retention table in the README ("Privacy: what is kept").
"""

import logging
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction

from core.exceptions import DomainError

logger = logging.getLogger(__name__)


class PrivacyError(DomainError):
    """A privacy rule refused the request (an archive already being prepared, a project
    still in progress); ``field`` names the form field, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def delete_stored_files_on_commit(names: list[str]) -> None:
    """Delete these files from the default storage once the caller's transaction
    commits (a rollback keeps them: the rows still point at them)."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(partial(_delete_stored_files, names), robust=True)


def _delete_stored_files(names: list[str]) -> int:
    deleted = 0
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 — one stuck file must not keep the others
            logger.warning("could not delete stored file %s", name, exc_info=True)
            continue
        deleted += 1
    return deleted
