"""The load test's data: what the Locust users are given must let them do their work."""

from __future__ import annotations

import pytest

from devtools.loadtest import give_resume
from tests.accounts.factories import StudentFactory
from tests.matching.factories import give_resume as give_factory_resume

pytestmark = pytest.mark.django_db


def test_a_student_without_a_resume_is_given_one():
    student = StudentFactory()

    give_resume(student)

    profile = student.student_profile
    profile.refresh_from_db()
    assert profile.resume.storage.exists(profile.resume.name)


def test_a_resume_named_but_missing_from_storage_is_given_again():
    # The database outlives the files: a fresh clone's media folder against the
    # database an earlier run left (every apply POST failed in CI this way).
    student = StudentFactory()
    give_factory_resume(student)
    profile = student.student_profile
    profile.resume.storage.delete(profile.resume.name)

    give_resume(student)

    profile.refresh_from_db()
    assert profile.resume.storage.exists(profile.resume.name)
    with profile.resume.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")


def test_a_resume_in_storage_is_kept():
    student = StudentFactory()
    give_factory_resume(student, b"%PDF-1.4 mine")
    kept = student.student_profile.resume.name

    give_resume(student)

    student.student_profile.refresh_from_db()
    assert student.student_profile.resume.name == kept
