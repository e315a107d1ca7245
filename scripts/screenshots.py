"""Screenshots of each role's main pages, for the README, made from the demo data.

    .venv/bin/python scripts/screenshots.py            # → docs/screenshots/*.png

It builds a throwaway SQLite database (or uses DATABASE_URL when it is set: then that
database is migrated and seeded, so point it at a scratch one), runs ``seed_demo``,
collects the static files, serves the site with gunicorn in production mode (DEBUG off,
whitenoise serving the static files) on a free port, logs in as each demo role with
Playwright and the system Chromium, and saves each page at 1280 and 375 px wide. The
shots are of the first screen (what a visitor sees first), reduced to a 256-colour
palette so the set stays small enough to keep in the repository.

``PAGES`` is the list of what is shot; ``shot_plan()`` turns it into file names, and
the tests check it without starting a browser.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.processes import free_port  # noqa: E402 — after the repository is on the path

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "internly-demo"  # devtools/demo_data.py DEMO_PASSWORD: a published demo login
# The demo's logins (devtools/demo_data.py): the one student, owner and officer it prints.
LOGINS = {
    "student": "ava.martinez@northfield.edu",
    "employer": "maya.chen@brightline-analytics.example.com",
    "career": "dana.whitfield@careers.northfield.edu",
}
# (width, height): a laptop and a phone.
VIEWPORTS = {1280: 860, 375: 812}
SERVER_WAIT_SECONDS = 60


@dataclass(frozen=True)
class ShotPage:
    role: str  # a key of LOGINS
    name: str  # the file is <role>-<name>-<width>.png
    path: str  # the page's address, or the page to find ``link`` on
    link: str = ""  # a CSS selector of the link to follow from ``path`` (an id in it)
    near: str = ""  # follow ``link`` in the table row that has this text


PAGES = [
    ShotPage("student", "dashboard", "/dashboard/"),
    ShotPage("student", "browse", "/projects/"),
    ShotPage("student", "record", "/work/record/"),
    ShotPage("employer", "projects", "/projects/mine/"),
    # The demo's open project with the most applicants.
    ShotPage(
        "employer",
        "applicants",
        "/projects/mine/",
        link='a[href$="/applicants/"]',
        near="Recruiting pipeline report",
    ),
    ShotPage("career", "dashboard", "/insights/career/"),
]


def shot_name(page: ShotPage, width: int) -> str:
    return f"{page.role}-{page.name}-{width}.png"


def shot_plan(pages: list[ShotPage] = PAGES) -> list[tuple[ShotPage, int, str]]:
    """Every (page, width, file name) to make, by role in login order."""
    unknown = {page.role for page in pages} - set(LOGINS)
    if unknown:
        raise ValueError(f"No demo login for {sorted(unknown)}")
    plan = [(page, width, shot_name(page, width)) for page in pages for width in VIEWPORTS]
    names = [name for *_, name in plan]
    if len(set(names)) != len(names):
        raise ValueError("Two shots would have the same file name")
    return plan


# ------------------------------------------------------------------------------
# The site
# ------------------------------------------------------------------------------


def site_env(database_url: str) -> dict[str, str]:
    """Production settings on plain http, with no Redis: a local, throwaway site."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "screenshots-only-" + "s" * 40,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "marketplace.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + SERVER_WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer within {SERVER_WAIT_SECONDS}s")


# ------------------------------------------------------------------------------
# The shots
# ------------------------------------------------------------------------------
def shrink(path: Path) -> None:
    """A 256-colour palette: the pages are flat colours and text, so it looks the same
    at a fraction of the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def take(base_url: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    made: list[Path] = []
    plan = shot_plan()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            for role, email in LOGINS.items():
                for width, height in VIEWPORTS.items():
                    context = browser.new_context(
                        base_url=base_url, viewport={"width": width, "height": height}
                    )
                    context.set_default_timeout(20_000)
                    page = context.new_page()
                    page.goto("/accounts/login/")
                    page.get_by_label("Email").fill(email)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.locator("main").get_by_role("button", name="Log in").click()
                    expect(page).not_to_have_url(f"{base_url}/accounts/login/")
                    for spec, shot_width, name in plan:
                        if spec.role != role or shot_width != width:
                            continue
                        page.goto(spec.path)
                        if spec.link:
                            scope = page.locator("tr", has_text=spec.near) if spec.near else page
                            href = scope.locator(spec.link).first.get_attribute("href")
                            page.goto(href or spec.path)
                        page.wait_for_load_state("networkidle")
                        path = out / name
                        page.screenshot(path=str(path), animations="disabled")
                        shrink(path)
                        made.append(path)
                    context.close()
        finally:
            browser.close()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="internly-shots-") as scratch:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/demo.sqlite3"
        env = site_env(database_url)
        print("Migrating and seeding the demo data…", flush=True)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        port = free_port()
        server = serve(env, port)
        try:
            made = take(f"http://localhost:{port}", args.out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    total = sum(path.stat().st_size for path in made)
    print(f"{len(made)} screenshots in {args.out} ({total / 1024:.0f} KiB).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
