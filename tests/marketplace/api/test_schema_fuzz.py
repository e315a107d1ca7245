"""A property-based fuzz of the whole API schema (schemathesis, in-process through the
WSGI application): for every operation, generated requests as each role never answer
500, and every answer — success or problem — matches the schema (status code, content
type, headers and body). Bounded: a few examples per operation, no shrinking, so the
whole run stays well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.marketplace.api.conftest import API, token_for
from tests.matching.factories import ready_student, submitted_application
from tests.projects.factories import open_project

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ("student", "employer", "career_officer")


# Served by the application itself: the fuzz checks the schema clients get. Reading it
# touches no database, so it can be loaded when the module is collected.
schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE], allow_x00=False, with_security_parameters=False
)


@pytest.fixture
def tokens(request, settings, employer):
    """A write token per role, in a world where each has something to find: an open
    project of the employer's organization with an application from the student."""
    settings.API_RATE_LIMIT = 100_000
    project = open_project(organization=employer.membership.organization)
    student = ready_student(email="fuzz.student@state.edu")
    submitted_application(project=project, student=student)
    users = {
        "student": student,
        "employer": employer,
        "career_officer": request.getfixturevalue("career_officer"),
    }
    tokens = {role: token_for(user) for role, user in users.items()}
    # The requests go through the real WSGI handler, whose end-of-request signal closes
    # a connection that is not in autocommit mode — the test's transaction. Django's
    # test client disconnects it for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield tokens
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_breaks_the_schema(case, tokens):
    for role in ROLES:
        case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)
