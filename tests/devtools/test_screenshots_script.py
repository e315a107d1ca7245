"""scripts/screenshots.py: its plan of pages (without starting a browser: the whole run
seeds the demo and takes minutes), and the images it made for the README."""

import importlib.util
import struct
import sys
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from devtools import demo_data

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location(
        "screenshots", ROOT / "scripts" / "screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


screenshots = load_script()


def test_the_plan_covers_each_role_at_both_widths():
    plan = screenshots.shot_plan()
    names = [name for *_, name in plan]
    assert len(names) == len(set(names))
    assert 10 <= len(names) <= 14
    assert {page.role for page, *_ in plan} == {"student", "employer", "career"}
    for page, width, name in plan:
        assert name == f"{page.role}-{page.name}-{width}.png"
    assert "student-browse-1280.png" in names and "student-browse-375.png" in names


def test_a_page_of_an_unknown_role_or_a_repeated_name_is_refused():
    page = screenshots.ShotPage("student", "browse", "/projects/")
    with pytest.raises(ValueError, match="No demo login"):
        screenshots.shot_plan([screenshots.ShotPage("staff", "admin", "/admin/")])
    with pytest.raises(ValueError, match="same file name"):
        screenshots.shot_plan([page, page])


def test_every_page_is_a_page_of_the_site():
    for page in screenshots.PAGES:
        try:
            resolve(page.path)
        except Resolver404:  # pragma: no cover - the message is the point
            pytest.fail(f"{page.path} is not a page of the site")


def test_the_logins_are_the_demos():
    """The script keeps its own copy (it runs before Django is set up): the demo's
    printed student, owner and career officer, with the demo password."""
    assert screenshots.PASSWORD == demo_data.DEMO_PASSWORD
    assert screenshots.LOGINS["career"] == next(iter(demo_data.INSTITUTIONS.values()))[3][0]
    assert screenshots.LOGINS["employer"] == demo_data.ORGANIZATIONS[0]["owner"][0]
    first, last, school = demo_data.STUDENTS[0][:3]
    assert screenshots.LOGINS["student"] == f"{first}.{last}@{school}.edu".lower()


def test_the_site_runs_in_production_mode_without_secrets_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = screenshots.site_env("sqlite:////tmp/x.sqlite3")
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DJANGO_SECRET_KEY"] != "a-real-secret"
    assert "REDIS_URL" not in env
    assert env["DATABASE_URL"] == "sqlite:////tmp/x.sqlite3"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path.name
    return struct.unpack(">II", header[16:24])


def test_the_readme_images_are_the_plan_and_small():
    out = ROOT / "docs" / "screenshots"
    made = {path.name: path for path in out.glob("*.png")}
    planned = {name: width for _, width, name in screenshots.shot_plan()}
    assert set(made) == set(planned)
    assert sum(path.stat().st_size for path in made.values()) < 3 * 1024 * 1024
    for name, width in planned.items():
        assert _png_size(made[name])[0] == width, name
