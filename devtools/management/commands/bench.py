"""``manage.py bench [--quick] [--scales 1,10] [--requests 30]``: page timings on
PostgreSQL at growing data sizes.

For each scale: regenerate the bench data (``seed_bench --reset``), then request every
page of ``PAGES`` in-process through ``django.test.Client`` and the full middleware
stack — 3 warm-up requests, then ``--requests`` timed ones — and record the median and
95th percentile, the SQL query count of one request, the HTML size and the ratio to the
trivial ``floor`` page. Pages are seen anonymously, as the bench student, or as the
user a page names (an organization owner, a career officer). After the pages one more
row, ``stats_task``, times one run of the nightly statistics task (seconds × 1000 in
median_ms, its peak Python memory in "peak_mb"). Results go to bench/results.json (or
``--output``); see bench/README.md. ``--pages applicant_list,stats_task`` times only
the named rows (and the floor page).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from devtools.bench import (
    BENCH_STUDENT_EMAIL,
    MAJORS,
    SEARCH_KEYWORD,
    BenchContext,
    Measurement,
    Page,
    bench_context,
    measure_page,
    measure_statistics,
    wait_for_quiet_database,
)

#: The measured pages, in order. ``floor`` must stay first: the others are compared to it.
PAGES: list[Page] = [
    Page("floor", lambda ctx: reverse("floor")),
    Page("browse", lambda ctx: reverse("projects:browse")),
    Page("search", lambda ctx: f"{reverse('projects:browse')}?q={SEARCH_KEYWORD}"),
    Page(
        "browse_filtered",
        lambda ctx: f"{reverse('projects:browse')}?category=data&work_mode=remote&fee_min=300",
    ),
    Page(
        "detail",
        lambda ctx: reverse("project-detail", kwargs={"pk": ctx.open_project_id}),
        as_student=True,
    ),
    Page("recommendations", lambda ctx: reverse("projects:student-home"), as_student=True),
    Page(
        "applicant_list",
        lambda ctx: reverse(
            "matching:applicant-list", kwargs={"project_pk": ctx.applicant_project_id}
        ),
        as_user=lambda ctx: ctx.applicant_viewer_email,
    ),
    Page(
        "workspace",
        lambda ctx: reverse(
            "matching:engagement-detail", kwargs={"pk": ctx.workspace_engagement_id}
        ),
        as_student=True,
    ),
    Page(
        "career_dashboard",
        lambda ctx: reverse("dashboards:career"),
        as_user=lambda ctx: ctx.career_officer_email,
    ),
    # One filter, as a career office uses it (the case: any single filter).
    Page(
        "career_dashboard_filtered",
        lambda ctx: reverse("dashboards:career") + "?" + urlencode({"major": MAJORS[1]}),
        as_user=lambda ctx: ctx.career_officer_email,
    ),
]
#: Not a page: one run of the nightly statistics task (the rebuild of the placement
#: facts), timed before the pages: the dashboards read what it wrote.
STATS_ROW = "stats_task"

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "bench" / "results.json"


class Command(BaseCommand):
    help = "Benchmark the main pages on PostgreSQL at several data scales."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quick", action="store_true", help="Scale 1 only.")
        parser.add_argument(
            "--scales", default="1,10", help="Comma-separated scales (default 1,10)."
        )
        parser.add_argument(
            "--requests", type=int, default=30, help="Timed requests per page (default 30)."
        )
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="JSON results file.")
        parser.add_argument(
            "--no-migrate", action="store_true", help="Skip migrating the database first."
        )
        parser.add_argument(
            "--pages",
            default="",
            help=(
                "Comma-separated page names to time (default: all); "
                f"include {STATS_ROW} to time the statistics task too. "
                "The floor page is always timed (the others are compared to it)."
            ),
        )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark runs on PostgreSQL only (full-text search and the planner "
                "are part of what it measures). Set DATABASE_URL=postgres://…, or run "
                "`make bench`, which uses postgres://postgres@127.0.0.1:5432/internly_bench."
            )
        scales = [1.0] if options["quick"] else _parse_scales(options["scales"])
        requests = options["requests"]
        if requests < 1:
            raise CommandError("--requests must be at least 1.")
        self.only = _parse_pages(options["pages"])
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)

        # WhiteNoise warns once that collectstatic has not run; pages do not need it here.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        rows: list[Measurement] = []
        debug = settings.DEBUG
        # DEBUG off: no query log kept per request, production error handling and
        # template settings. Query counts come from CaptureQueriesContext instead.
        settings.DEBUG = False
        try:
            for scale in scales:
                call_command("seed_bench", scale=scale, reset=True, stdout=self.stdout)
                rows += self.run_scale(scale, requests)
        finally:
            settings.DEBUG = debug

        if len(scales) > 1:
            self.print_growth(rows, small=min(scales), big=max(scales))
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        # The load test's section (make loadtest) stays: it is measured separately.
        payload = json.loads(output.read_text()) if output.exists() else {}
        payload.update(
            {
                "engine": connection.vendor,
                "date": timezone.now().isoformat(timespec="seconds"),
                "rows": [row.as_row() for row in rows],
            }
        )
        output.write_text(json.dumps(payload, indent=2) + "\n")
        self.stdout.write(f"Results written to {output}")

    def run_scale(self, scale: float, requests: int) -> list[Measurement]:
        cache.clear()
        ctx: BenchContext = bench_context()
        # The dashboards read the placement facts: the timed run of the statistics task
        # comes first; after the pages a second run, in a process of its own, measures
        # its peak memory. With --pages the task still runs first when a career
        # dashboard is timed, but only a selected stats_task gets a row.
        with_stats = self.only is None or STATS_ROW in self.only
        stats_row = None
        dashboards = {"career_dashboard", "career_dashboard_filtered"}
        if with_stats or dashboards & (self.only or set()):
            stats_row = measure_statistics(scale=scale)
        if not with_stats:
            stats_row = None
        waited = wait_for_quiet_database()
        if waited >= 1:
            self.stdout.write(f"Waited {waited:g}s for autovacuum and a checkpoint.")
        anonymous = Client()
        student = Client()
        student.force_login(User.objects.get(email=BENCH_STUDENT_EMAIL))
        logged_in: dict[str, Client] = {}
        results: list[Measurement] = []
        floor_ms: float | None = None
        for page in PAGES:
            if self.only is not None and page.name != "floor" and page.name not in self.only:
                continue
            client = student if page.as_student else anonymous
            try:
                url = page.url(ctx)
                if page.as_user is not None:
                    client = self._client_for(page.as_user(ctx), logged_in)
            except Exception as exc:  # noqa: BLE001 — e.g. no open project at this scale
                results.append(Measurement(scale=scale, page=page.name, error=repr(exc)))
                continue
            # secure=True: no HTTPS redirect even with production security settings.
            result = measure_page(
                _SecureClient(client), url, scale=scale, name=page.name, requests=requests
            )
            if page.name == "floor":
                floor_ms = result.median_ms
            if result.median_ms is not None and floor_ms:
                result.floor_ratio = round(result.median_ms / floor_ms, 1)
            results.append(result)
        if stats_row is not None:
            memory = measure_statistics(scale=scale, trace=True)
            stats_row.extra.update(memory.extra)
            stats_row.error = stats_row.error or memory.error
            results.append(stats_row)
        self.print_table(scale, results)
        return results

    @staticmethod
    def _client_for(email: str | None, logged_in: dict[str, Client]) -> Client:
        if not email:
            raise LookupError("no such bench user at this scale")
        if email not in logged_in:
            client = Client()
            client.force_login(User.objects.get(email=email))
            logged_in[email] = client
        return logged_in[email]

    def print_table(self, scale: float, results: list[Measurement]) -> None:
        header = ("page", "median ms", "p95 ms", "queries", "bytes", "× floor", "peak MB")
        lines = [header]
        for r in results:
            if r.error and r.median_ms is None:
                lines.append((r.page, f"ERROR {r.error}", "", "", "", "", ""))
                continue
            lines.append(
                (
                    r.page,
                    _fmt(r.median_ms),
                    _fmt(r.p95_ms),
                    _fmt(r.queries),
                    _fmt(r.bytes),
                    _fmt(r.floor_ratio),
                    _fmt(r.extra.get("peak_mb")),
                )
            )
        self.stdout.write(f"\nScale {scale:g}")
        self.stdout.write(_table(lines))

    def print_growth(self, rows: list[Measurement], *, small: float, big: float) -> None:
        by_key = {(r.scale, r.page): r for r in rows}
        lines = [("page", f"median at {small:g}", f"median at {big:g}", "growth ×")]
        for name in [page.name for page in PAGES] + [STATS_ROW]:
            a, b = by_key.get((small, name)), by_key.get((big, name))
            if a and b and a.median_ms and b.median_ms:
                growth = _fmt(round(b.median_ms / a.median_ms, 2))
                lines.append((name, _fmt(a.median_ms), _fmt(b.median_ms), growth))
            else:
                lines.append((name, "—", "—", "—"))
        self.stdout.write(f"\nGrowth from scale {small:g} to {big:g}")
        self.stdout.write(_table(lines))


class _SecureClient:
    """Every GET as HTTPS, so SECURE_SSL_REDIRECT (on when DEBUG is off) never answers
    with a redirect instead of the page."""

    def __init__(self, client: Client):
        self._client = client

    def get(self, url: str):
        return self._client.get(url, secure=True)


def _parse_scales(value: str) -> list[float]:
    try:
        scales = [float(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(f"--scales takes numbers separated by commas, not {value!r}.") from exc
    if not scales or any(s <= 0 for s in scales):
        raise CommandError("--scales needs at least one scale above zero.")
    return scales


def _parse_pages(value: str) -> set[str] | None:
    """The ``--pages`` names as a set, or None for every page (and the statistics task)."""
    names = {part.strip() for part in value.split(",") if part.strip()}
    if not names:
        return None
    known = {page.name for page in PAGES} | {STATS_ROW}
    unknown = sorted(names - known)
    if unknown:
        raise CommandError(
            f"--pages: unknown page(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}."
        )
    return names


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return f"{value:,}"


def _table(lines: list[tuple]) -> str:
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(lines[0]))]
    out = []
    for n, line in enumerate(lines):
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
