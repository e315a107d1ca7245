"""What ``manage.py seed_demo`` (and so ``make run``) shows a newcomer: a short summary,
then the demo logins last, on every run.

The seeding commits for real here (``transaction=True``): only then do the services'
on-commit hooks queue their tasks, which run eagerly and log as they do in ``make run``.
"""

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from devtools import demo_data
from devtools.management.commands.seed_demo import QUIET_LOGGERS

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN_EMAILS = (
    "ava.martinez@northfield.edu",
    "maya.chen@brightline-analytics.example.com",
    "jordan.ellis@brightline-analytics.example.com",
    "theo.park@juniper-studio.example.com",
    "dana.whitfield@careers.northfield.edu",
    demo_data.STAFF_EMAIL,
)


def seed_as_shown(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[str]]:
    """The command's output lines, and the log lines it wrote at INFO or above (the
    terminal shows both: logging goes to stderr at INFO by default)."""
    out, err = StringIO(), StringIO()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        call_command("seed_demo", stdout=out, stderr=err)
    output = out.getvalue().splitlines() + err.getvalue().splitlines()
    return output, [record.getMessage() for record in caplog.records]


def assert_ends_with_the_logins(output: list[str]) -> None:
    start = next(n for n, line in enumerate(output) if line.startswith("Demo logins ("))
    table = output[start:]
    assert table[-1] == f"Every demo account uses the password “{demo_data.DEMO_PASSWORD}”."
    for email in LOGIN_EMAILS:
        row = next(line for line in table if email in line)
        assert demo_data.DEMO_PASSWORD in row
    # Nothing but the table and its closing line after the heading.
    assert all(line.startswith(("+", "|")) for line in table[1:-1])


def test_each_run_prints_a_short_summary_then_the_logins(caplog):
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}

    output, logs = seed_as_shown(caplog)
    assert logs == []
    assert len(output) < 40
    assert output[0].startswith("Demo data ready in ")
    assert "nothing new" not in output[0]
    assert_ends_with_the_logins(output)

    # The second run makes nothing and still shows the logins.
    output, logs = seed_as_shown(caplog)
    assert logs == []
    assert len(output) < 40
    assert output[0].startswith("Demo data ready in ") and "nothing new" in output[0]
    assert_ends_with_the_logins(output)

    # The silenced loggers are as they were for whatever runs next.
    assert {name: logging.getLogger(name).level for name in QUIET_LOGGERS} == levels
