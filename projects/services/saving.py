"""A student's bookmarks of projects.

not saved ──save (open projects only)──▶ saved ──unsave (any project)──▶ not saved
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import User
from core.exceptions import DomainError

from ..models import Project, SavedProject


def saved_project_toggle(*, student: User, project: Project, save: bool | None = None) -> bool:
    """Save or unsave ``project`` for ``student`` and return whether it is saved now.

    ``save=True`` / ``False`` sets the state and is idempotent (a double-submitted form
    changes nothing the second time); ``save=None`` flips the current state. Only open
    projects can be saved; unsaving always works, so a closed or cancelled project can
    be cleared from the list.
    """
    if not student.is_student:
        raise DomainError("Only students can save projects.")
    with transaction.atomic(durable=True):
        existing = SavedProject.objects.filter(student=student, project=project)
        want = (not existing.exists()) if save is None else save
        if not want:
            existing.delete()
            return False
        if project.status != Project.Status.OPEN:
            raise DomainError("Only projects open for applications can be saved.")
        try:
            # A nested savepoint: a concurrent double click that inserted first leaves
            # the outer transaction usable.
            with transaction.atomic():
                SavedProject.objects.get_or_create(student=student, project=project)
        except IntegrityError:
            pass
        return True
