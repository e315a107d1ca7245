"""Fixtures the matching tests share."""

import pytest

from tests.matching.records_helpers import completed_engagement


@pytest.fixture
def engagement(student, supervisor):
    """A completed engagement of ``student`` supervised by ``supervisor``. Tests about
    the work in progress override it with an active one."""
    return completed_engagement(student=student, supervisor=supervisor)
