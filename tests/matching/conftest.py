"""Fixtures the matching tests share."""

import pytest

from tests.matching.records_helpers import completed_engagement
from tests.matching.webhook_helpers import webhook_receiver, webhook_settings  # noqa: F401


@pytest.fixture
def engagement(student, supervisor):
    """A completed engagement of ``student`` supervised by ``supervisor``. Tests about
    the work in progress override it with an active one."""
    return completed_engagement(student=student, supervisor=supervisor)
