"""``manage.py loadtest [--scale 10] [--users 32] [--seconds 30] [--profile]``: the
production shape under concurrent users (devtools/loadtest, bench/README.md "Load test").

Runs on PostgreSQL with Redis: the bench data at ``--scale`` (seeded when the database
holds another scale, with its placement facts built), gunicorn with the compose
settings, a Celery worker on every queue, then each mix of ``devtools.loadtest.MIXES``
through Locust. Prints a table,
writes the rows to bench/results.json's ``loadtest`` section, and exits non-zero when a
mix had errors or the apply mix's database check failed (``--smoke`` in CI: a small
scale, a few seconds a mix, the same checks; the targets are only printed).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from devtools import bench
from devtools import loadtest as lt
from devtools.processes import free_port
from marketplace.models import PlacementUnit
from marketplace.placement import placement_rebuild

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "bench" / "results.json"
#: the issue's targets on this 2-core machine type (checked without --smoke)
ANONYMOUS_P95_MS = 150
SIGNED_IN_P95_MS = 300
ANONYMOUS_HEALTHZ_SHARE = 1 / 3


class Command(BaseCommand):
    help = "Load-test the production shape (gunicorn, PostgreSQL, Redis, Celery) with Locust."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=10.0)
        parser.add_argument("--users", type=int, default=32)
        parser.add_argument("--seconds", type=float, default=30.0, help="per mix, after warm-up")
        parser.add_argument("--warmup", type=float, default=5.0, help="untimed seconds per mix")
        parser.add_argument("--mixes", default=",".join(lt.MIXES), help="comma-separated")
        parser.add_argument("--workers", type=int, default=lt.Server.workers)
        parser.add_argument("--worker-class", default=lt.Server.worker_class)
        parser.add_argument("--threads", type=int, default=lt.Server.threads)
        parser.add_argument("--apply-pairs", type=int, default=300)
        parser.add_argument(
            "--profile",
            nargs="?",
            const="anonymous",
            default="",
            help="py-spy the web workers during these mixes (default: anonymous)",
        )
        parser.add_argument("--smoke", action="store_true", help="CI: small and short")
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT))

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError(
                "The load test runs the production shape: set DATABASE_URL=postgres://… and "
                "REDIS_URL=redis://… (`make loadtest` does)."
            )
        mixes = [m for m in options["mixes"].split(",") if m]
        unknown = set(mixes) - set(lt.MIXES)
        if unknown:
            raise CommandError(f"Unknown mixes: {', '.join(sorted(unknown))}.")
        if "healthz" not in mixes:
            mixes.insert(0, "healthz")
        server = lt.Server(options["workers"], options["worker_class"], options["threads"])
        users, scale = options["users"], options["scale"]
        call_command("migrate", interactive=False, verbosity=0)
        self.ensure_bench_data(scale)

        workdir = Path(tempfile.mkdtemp(prefix="internly-loadtest-"))
        env = lt.server_environment(workdir)
        self.stdout.write("Collecting static files (the production manifest)…")
        lt.collect_static(env)
        data = lt.users_data(
            accounts_per_role=min(users, 40),
            apply_pairs=options["apply_pairs"],
        )
        data_path = workdir / "users.json"
        data_path.write_text(json.dumps(data))
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        rows: list[lt.Row] = []
        with (
            lt.running(
                [
                    str(lt.BIN / "celery"),
                    "-A",
                    "marketplace",
                    "worker",
                    "-l",
                    "warning",
                    "-Q",
                    ",".join(settings.CELERY_QUEUES_BY_KIND),
                    "--concurrency",
                    "1",
                ],
                env=env,
                log=workdir / "worker.log",
            ),
            lt.running(lt.gunicorn_command(server, port), env=env, log=workdir / "web.log") as web,
        ):
            lt.wait_until_serving(host, web, workdir / "web.log")
            self.stdout.write(f"Serving on {host} with {server.describe()}; {users} users a mix.")
            for mix in mixes:
                rows.append(self.run_mix(mix, host, data, data_path, workdir, web, options))
        healthz = next(r for r in rows if r.mix == "healthz")
        for row in rows:
            row.scale, row.server = scale, server.describe()
            row.healthz_ratio = round(row.rps / healthz.rps, 2) if healthz.rps else None
        self.print_table(rows)
        lt.write_results(Path(options["output"]), rows, scale=scale, server=server)
        self.stdout.write(f"Results written to {options['output']} (logs in {workdir})")
        problems = self.problems(rows, smoke=options["smoke"])
        if problems:
            raise CommandError("\n".join(problems))

    def ensure_bench_data(self, scale: float) -> None:
        held = bench.bench_projects().count() / bench.PROJECTS_PER_SCALE
        reseeded = abs(held - scale) > 0.05 * scale
        if reseeded:
            call_command("seed_bench", scale=scale, reset=True, stdout=self.stdout)
        if reseeded or not PlacementUnit.objects.exists():
            # The career dashboards read the placement facts, which the nightly beat
            # task builds: without them those pages would be measured empty.
            self.stdout.write("Building the placement facts…")
            placement_rebuild()

    def run_mix(self, mix, host, data, data_path, workdir, web, options) -> lt.Row:
        users, seconds = options["users"], options["seconds"]
        since = timezone.now()
        accepted_path = workdir / f"accepted-{mix}.json"
        if mix != "apply" and options["warmup"] > 0:
            lt.run_locust(
                mix,
                host=host,
                users=users,
                seconds=options["warmup"],
                data_path=data_path,
                workdir=workdir,
            )
        profiling = mix in options["profile"].split(",")
        started = time.monotonic()
        if profiling:
            collapsed = workdir / f"{mix}.collapsed"
            spy = threading.Thread(target=lt.profile, args=(web, seconds, collapsed))
            spy.start()
        result = lt.run_locust(
            mix,
            host=host,
            users=users,
            seconds=seconds,
            data_path=data_path,
            workdir=workdir,
            accepted_path=accepted_path,
        )
        row = lt.row_from(mix, users, round(time.monotonic() - started, 1), result)
        if profiling:
            spy.join()
            self.stdout.write(f"Where the web workers' time goes (py-spy, {mix} mix):")
            for bucket, share in lt.profile_summary(collapsed):
                self.stdout.write(f"  {share:5.1f}%  {bucket}")
        if mix == "apply":
            accepted = json.loads(accepted_path.read_text()) if accepted_path.exists() else []
            row.applications = lt.check_applications(data["apply"], accepted, since)
        self.stdout.write(f"  {mix}: {row.rps} req/s, p95 {row.p95_ms:g} ms, {row.failures} errors")
        return row

    def print_table(self, rows: list[lt.Row]) -> None:
        self.stdout.write(
            f"\n{'mix':<10} {'users':>5} {'req/s':>7} {'×healthz':>8} {'p50':>6} {'p95':>6} "
            f"{'p99':>6} {'errors':>6}"
        )
        for r in rows:
            self.stdout.write(
                f"{r.mix:<10} {r.users:>5} {r.rps:>7} {r.healthz_ratio or 0:>8.2f} "
                f"{r.p50_ms:>6g} {r.p95_ms:>6g} {r.p99_ms:>6g} {r.failures:>6}"
            )
            for name, stats in sorted(r.by_name.items()):
                self.stdout.write(
                    f"    {name:<32} {stats['requests']:>6} p50 {stats['p50_ms']:>5g} "
                    f"p95 {stats['p95_ms']:>5g}"
                )
            if r.applications:
                self.stdout.write(f"    database: {r.applications}")

    def problems(self, rows: list[lt.Row], *, smoke: bool) -> list[str]:
        problems = []
        for r in rows:
            if r.failures:
                problems.append(f"{r.mix}: {r.failures} errors: {'; '.join(r.errors[:5])}")
            if not r.requests:
                problems.append(f"{r.mix}: no requests were made")
            check = r.applications
            if check and (
                check["duplicates"]
                or check["unexplained"]
                or check["missing"]
                or check["double_submits_answered_differently"]
                or not check["pairs_accepted"]
            ):
                problems.append(f"apply: the database does not match the accepted POSTs: {check}")
        if smoke:
            return problems
        for r in rows:
            if r.mix == "anonymous":
                if r.p95_ms > ANONYMOUS_P95_MS:
                    problems.append(f"anonymous: p95 {r.p95_ms:g} ms > {ANONYMOUS_P95_MS} ms")
                if (r.healthz_ratio or 0) < ANONYMOUS_HEALTHZ_SHARE:
                    problems.append(f"anonymous: {r.healthz_ratio}× /healthz < ⅓")
            if r.mix == "signed_in" and r.p95_ms > SIGNED_IN_P95_MS:
                problems.append(f"signed_in: p95 {r.p95_ms:g} ms > {SIGNED_IN_P95_MS} ms")
        return problems
