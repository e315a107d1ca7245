"""``make loadtest``: the production shape on this machine under concurrent users.

gunicorn with the compose settings (DEBUG off, the collected static manifest), the
bench's PostgreSQL data, Redis, and a Celery worker on every queue; Locust (headless, in
its own process, ``locustfile.py`` beside this module) drives each mix of ``MIXES`` at
the same concurrency for a bounded time. Each mix becomes a row of
``bench/results.json``'s ``loadtest`` section, and its throughput is compared with
``/healthz`` measured the same way. The apply mix is checked in the database afterwards:
one application per (student, project) whose POST was answered with a redirect to it,
and no other. See bench/README.md, "Load test".
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from pypdf import PdfWriter

from accounts.models import CareerOfficeMembership, Membership, StudentProfile, User
from matching.models import Application
from matching.services.applications import application_check_can_apply
from projects.models import Project

from .. import bench
from ..processes import database_url

ROOT = Path(settings.BASE_DIR)
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
BIN = Path(sys.executable).parent

#: Locust user classes of each mix (locustfile.py), in the order they run.
MIXES: dict[str, list[str]] = {
    "healthz": ["HealthCheck"],
    "anonymous": ["Anonymous"],
    "signed_in": ["Student", "Employer", "CareerOffice"],
    "apply": ["Applicant"],
}
#: Search words and filters the anonymous users pick from: what people type and tick.
SEARCH_WORDS = ["dashboard", "python", "marketing", "research", "design", "data", "sql"]
FILTERS = [
    "category=data&work_mode=remote&fee_min=300",
    "work_mode=remote",
    "category=marketing",
    "hours_max=20",
    "category=design&work_mode=hybrid",
    "fee_min=500&sort=fee",
]


@dataclass
class Server:
    """How gunicorn runs: chosen by measurement (bench/README.md, "Load test")."""

    workers: int = 3
    worker_class: str = "sync"
    threads: int = 1

    def describe(self) -> str:
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"{self.workers} {self.worker_class} workers{threads}"


@dataclass
class Row:
    mix: str
    users: int
    seconds: float
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    healthz_ratio: float | None = None
    scale: float | None = None
    server: str = ""
    #: per request name: count, p50, p95 (where the time goes within a mix)
    by_name: dict = field(default_factory=dict)
    #: the apply mix's database check
    applications: dict | None = None
    errors: list[str] = field(default_factory=list)


def server_environment(workdir: Path) -> dict[str, str]:
    """The compose file's settings for the web and worker processes, on this database
    and Redis: production mode behind one proxy of ours, which the Locust users play
    (locustfile.py: plain http that says https)."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": str(settings.SECRET_KEY),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": str(settings.REDIS_URL),
        # The harness gives the applying students their résumés: the same files.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def collect_static(env: dict[str, str]) -> None:
    """DEBUG off serves the hashed manifest, as the image does (Dockerfile)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


@contextmanager
def running(command: list[str], *, env: dict[str, str], log: Path):
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def gunicorn_command(server: Server, port: int) -> list[str]:
    command = [
        str(BIN / "gunicorn"),
        "marketplace.wsgi:application",
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(server.workers),
        "--worker-class",
        server.worker_class,
    ]
    if server.worker_class == "gthread":
        command += ["--threads", str(server.threads)]
    return command


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {log}")


# ------------------------------------------------------------------------------
# The users' data
# ------------------------------------------------------------------------------


def session_cookie(user: User) -> str:
    """A signed-in session for ``user``, as ``django.contrib.auth.login`` stores it, in
    the session engine the servers share."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def users_data(*, accounts_per_role: int, apply_pairs: int, seed: int = 7) -> dict:
    """What the Locust users need, from the bench data: open projects, signed-in
    sessions per role, and (student, project) pairs each student may apply to."""
    rng = random.Random(seed)
    open_projects = list(
        bench.bench_projects()
        .filter(status=Project.Status.OPEN, application_deadline__gt=timezone.now())
        .order_by("-published_at")
        .values_list("pk", flat=True)[:2000]
    )
    students = list(
        bench.bench_users()
        .filter(role=User.Role.STUDENT, is_staff=False)
        .order_by("pk")[: accounts_per_role + apply_pairs]
    )
    employers = []
    busiest = (
        Project.objects.filter(organization__slug__startswith="bench-")
        .annotate(applicants=Count("applications"))
        .filter(applicants__gt=0)
        .order_by("-applicants")
        .values_list("pk", "organization_id")[: accounts_per_role * 3]
    )
    seen_orgs: set[int] = set()
    for project_id, organization_id in busiest:
        if organization_id in seen_orgs:
            continue
        seen_orgs.add(organization_id)
        owner = (
            Membership.objects.filter(organization_id=organization_id, role=Membership.Role.OWNER)
            .select_related("user")
            .first()
        )
        if owner:
            employers.append(
                {
                    "cookie": session_cookie(owner.user),
                    "applicants": f"/work/projects/{project_id}/applicants/",
                }
            )
        if len(employers) == accounts_per_role:
            break
    officers = (
        CareerOfficeMembership.objects.filter(user__email__endswith=f"@{bench.EMAIL_DOMAIN}")
        .select_related("user")
        .order_by("pk")[:accounts_per_role]
    )
    career = [
        {
            "cookie": session_cookie(membership.user),
            "filter": urlencode({"major": rng.choice(bench.MAJORS)}),
        }
        for membership in officers
    ]
    return {
        "project_ids": open_projects,
        "search_words": SEARCH_WORDS,
        "filters": FILTERS,
        "students": [{"cookie": session_cookie(s)} for s in students[:accounts_per_role]],
        "employers": employers,
        "career_offices": career,
        "apply": apply_pairs_for(
            students[accounts_per_role:], open_projects, count=apply_pairs, rng=rng
        ),
    }


def give_resume(student: User) -> None:
    """Applying needs a résumé on the profile; bench students have none. The database
    may outlive the files (a fresh clone's media folder against an earlier run's
    database): a résumé named but missing is given again."""
    profile = StudentProfile.objects.get(user=student)
    if not profile.resume or not profile.resume.storage.exists(profile.resume.name):
        writer = PdfWriter()
        writer.add_blank_page(width=612, height=792)
        buffer = io.BytesIO()
        writer.write(buffer)
        profile.resume.save("loadtest-resume.pdf", ContentFile(buffer.getvalue()), save=True)


def apply_pairs_for(students: list[User], projects: list[int], *, count: int, rng) -> list[dict]:
    """Students and open projects each may apply to now (the service's own checks), one
    project per student; every tenth pair is to be sent twice at once."""
    candidates = {p.pk: p for p in Project.objects.filter(pk__in=projects[:400])}
    pairs: list[dict] = []
    for student in students:
        give_resume(student)
        for project_id in rng.sample(list(candidates), k=min(20, len(candidates))):
            try:
                application_check_can_apply(project=candidates[project_id], student=student)
            except Exception:  # noqa: BLE001 — any refusal: try another project
                continue
            pairs.append(
                {
                    "student_id": student.pk,
                    "project_id": project_id,
                    "cookie": session_cookie(student),
                    "double": len(pairs) % 10 == 9,
                    "index": len(pairs),
                }
            )
            break
        if len(pairs) == count:
            break
    return pairs


# ------------------------------------------------------------------------------
# Running Locust
# ------------------------------------------------------------------------------


def run_locust(
    mix: str,
    *,
    host: str,
    users: int,
    seconds: float,
    data_path: Path,
    workdir: Path,
    accepted_path: Path | None = None,
) -> dict:
    """One headless Locust run of ``mix``; its aggregated and per-name statistics."""
    prefix = workdir / f"locust-{mix}"
    env = {**os.environ, "LOADTEST_DATA": str(data_path)}
    if accepted_path:
        env["LOADTEST_ACCEPTED"] = str(accepted_path)
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{max(1, round(seconds))}s",
        "--stop-timeout",
        "10",
        "--reset-stats",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--csv",
        str(prefix),
        *MIXES[mix],
    ]
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        stats = list(csv.DictReader(handle))
    with open(f"{prefix}_failures.csv", newline="") as handle:
        failures = [
            f"{row['Name']}: {row['Error']} ×{row['Occurrences']}" for row in csv.DictReader(handle)
        ]
    return {"stats": stats, "failures": failures}


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def row_from(mix: str, users: int, seconds: float, result: dict) -> Row:
    aggregated = next(s for s in result["stats"] if s["Name"] == "Aggregated")
    return Row(
        mix=mix,
        users=users,
        seconds=seconds,
        requests=int(aggregated["Request Count"]),
        failures=int(aggregated["Failure Count"]),
        rps=round(float(aggregated["Requests/s"]), 1),
        p50_ms=_ms(aggregated["50%"]),
        p95_ms=_ms(aggregated["95%"]),
        p99_ms=_ms(aggregated["99%"]),
        by_name={
            s["Name"]: {
                "requests": int(s["Request Count"]),
                "p50_ms": _ms(s["50%"]),
                "p95_ms": _ms(s["95%"]),
            }
            for s in result["stats"]
            if s["Name"] != "Aggregated"
        },
        errors=result["failures"],
    )


def check_applications(pairs: list[dict], accepted: list[list], since) -> dict:
    """The apply mix in the database: every pair whose POST was accepted holds exactly
    one application, both submits of a double submit were answered alike, and no
    application exists that no accepted POST explains."""
    answers: dict[int, set[str]] = {}
    for index, location in accepted:
        answers.setdefault(index, set()).add(location)
    expected = {(pairs[i]["student_id"], pairs[i]["project_id"]) for i in answers}
    rows = Counter(
        Application.objects.filter(
            student_id__in={p["student_id"] for p in pairs}, created_at__gte=since
        ).values_list("student_id", "project_id")
    )
    return {
        "accepted_posts": len(accepted),
        "pairs_accepted": len(expected),
        "applications_created": sum(rows.values()),
        "duplicates": sum(1 for n in rows.values() if n > 1),
        "unexplained": len(set(rows) - expected),
        "missing": len(expected - set(rows)),
        "double_submits_answered_differently": sum(1 for a in answers.values() if len(a) > 1),
    }


def profile(gunicorn: subprocess.Popen, seconds: float, out: Path) -> Path:
    """py-spy over the master and its workers while a mix runs: collapsed stacks."""
    subprocess.run(
        [
            str(BIN / "py-spy"),
            "record",
            "--pid",
            str(gunicorn.pid),
            "--subprocesses",
            "--idle",
            "--duration",
            str(max(1, round(seconds))),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out


#: Where a worker's time goes, by the first frame of its stack that names one of these.
PROFILE_BUCKETS = [
    ("waiting on PostgreSQL", ("psycopg2", "execute (django/db/backends")),
    ("Redis round trips", ("redis/connection", "redis/client", "core/cache.py")),
    ("template rendering", ("django/template/",)),
    ("ORM query building", ("django/db/models/",)),
    (
        "waiting for a request",
        ("gunicorn/workers/sync.py", "gunicorn/workers/gthread.py", "selectors.py"),
    ),
]


def profile_summary(collapsed: Path) -> list[tuple[str, float]]:
    """Share of samples per bucket (the innermost matching frame wins), from py-spy's
    collapsed stacks ("frame;frame;frame count")."""
    totals: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        bucket = "other Python (views, middleware, selectors)"
        for frame in reversed(frames):
            match = next(
                (name for name, needles in PROFILE_BUCKETS if any(n in frame for n in needles)),
                None,
            )
            if match:
                bucket = match
                break
        totals[bucket] += int(count)
    samples = sum(totals.values()) or 1
    return [(name, round(100 * n / samples, 1)) for name, n in totals.most_common()]


def write_results(output: Path, rows: list[Row], *, scale: float, server: Server) -> None:
    """The ``loadtest`` section of bench/results.json; ``make bench`` keeps it."""
    payload = json.loads(output.read_text()) if output.exists() else {}
    payload["loadtest"] = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "scale": scale,
        "server": server.describe(),
        "rows": [asdict(row) for row in rows],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(payload, indent=2) + "\n")


def clean(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
