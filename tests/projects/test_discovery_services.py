"""Saving projects: the only write of the discovery side."""

import pytest

from core.exceptions import DomainError
from projects.models import SavedProject
from projects.services.saving import saved_project_toggle
from tests.projects.discovery_helpers import make_open
from tests.projects.factories import project_in_status

pytestmark = pytest.mark.django_db


def saved(student, project) -> bool:
    return SavedProject.objects.filter(student=student, project=project).exists()


def test_toggle_flips(student):
    project = make_open()
    assert saved_project_toggle(student=student, project=project) is True
    assert saved(student, project)
    assert saved_project_toggle(student=student, project=project) is False
    assert not saved(student, project)


def test_explicit_save_and_unsave_are_idempotent(student):
    project = make_open()
    assert saved_project_toggle(student=student, project=project, save=True) is True
    assert saved_project_toggle(student=student, project=project, save=True) is True
    assert SavedProject.objects.filter(student=student, project=project).count() == 1
    assert saved_project_toggle(student=student, project=project, save=False) is False
    assert saved_project_toggle(student=student, project=project, save=False) is False
    assert not saved(student, project)


@pytest.mark.parametrize("status", ["draft", "pending_review", "closed", "completed", "cancelled"])
def test_only_open_projects_can_be_saved(student, status):
    project = project_in_status(status)
    with pytest.raises(DomainError, match="open"):
        saved_project_toggle(student=student, project=project, save=True)
    assert not saved(student, project)


def test_unsaving_works_after_the_project_closed(student):
    from projects.services.posting import project_close

    project = make_open()
    saved_project_toggle(student=student, project=project, save=True)
    project_close(project=project, actor=project.supervisor)
    project.refresh_from_db()
    assert saved_project_toggle(student=student, project=project) is False
    assert not saved(student, project)


def test_only_students_save(employer):
    project = make_open()
    with pytest.raises(DomainError, match="students"):
        saved_project_toggle(student=employer, project=project, save=True)
    assert not SavedProject.objects.exists()
