"""Slots are hard limits: many accepts of one project at the same moment never take
more places than it has (PostgreSQL row locks; SQLite cannot show this)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from matching.exceptions import SlotsFull
from matching.models import Application, Engagement
from matching.services.applications import application_accept
from projects.models import Project
from tests.matching.factories import ready_student, submitted_application
from tests.projects.factories import open_project

SLOTS = 3
THREADS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_concurrent_accepts_never_exceed_slots(attempt):
    project = open_project(slots=SLOTS)
    applications = [submitted_application(project=project) for _ in range(THREADS)]
    supervisor = project.supervisor
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(application_id: int) -> None:
        try:
            application = Application.objects.get(pk=application_id)
            barrier.wait(timeout=30)
            try:
                application_accept(application=application, actor=supervisor)
                result = "accepted"
            except SlotsFull:
                result = "full"
            except Exception as exc:  # noqa: BLE001 — recorded and asserted below
                result = f"{type(exc).__name__}: {exc}"
            with lock:
                outcomes.append(result)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=accept, args=(a.pk,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == THREADS
    # Every other accept was refused cleanly (full), or found its application already
    # expired by the accept that took the last place.
    unexpected = [o for o in outcomes if o not in ("accepted", "full") and "cannot become" not in o]
    assert unexpected == []
    assert outcomes.count("accepted") == SLOTS
    assert Engagement.objects.filter(project=project).count() == SLOTS
    assert sorted(
        Engagement.objects.filter(project=project).values_list("slot_number", flat=True)
    ) == list(range(1, SLOTS + 1))
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert Application.objects.filter(project=project, status="accepted").count() == SLOTS
    assert not Application.objects.filter(
        project=project, status__in=Application.UNDECIDED
    ).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_a_double_submitted_application_form_makes_one_row_and_one_answer(attempt):
    """A double click sends the form twice at once: one application, and both submits
    answered alike, with the application's page (not a page for one and an error for
    the other)."""
    project = open_project(screening_questions=[])
    student = ready_student()
    url = reverse("matching:apply", kwargs={"project_pk": project.pk})
    submits = 2
    barrier = threading.Barrier(submits)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            client = Client()
            client.force_login(student)
            barrier.wait(timeout=30)
            response = client.post(url, {"cover_note": "Twice at once"})
            with lock:
                answers.append((response.status_code, response.headers.get("Location", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(submits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    application = Application.objects.get(project=project, student=student)
    assert answers == [(302, application.get_absolute_url())] * submits
