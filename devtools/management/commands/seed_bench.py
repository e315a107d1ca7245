"""``manage.py seed_bench --scale N [--reset] [--seed S]``: large deterministic data.

Scale 1 is about 200 organizations, 20,000 projects (85% open) and 5,000 students;
scale 10 ten times that. Rows are marked (``@bench.internly.test`` emails, ``bench-``
slugs) so ``--reset`` removes exactly them. See devtools/bench.py and bench/README.md.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from devtools.bench import DEFAULT_SEED, bench_exists, bench_reset, bench_seed


class Command(BaseCommand):
    help = "Generate benchmark data (deterministic for a scale and seed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1 = 20,000 projects and 5,000 students; 0 with --reset only wipes.",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--reset", action="store_true", help="Delete earlier bench data first.")

    def handle(self, *args, scale: float, seed: int, reset: bool, **options) -> None:
        if scale < 0:
            raise CommandError("--scale must be zero or more.")
        started = time.perf_counter()
        if reset:
            deleted = bench_reset()
            gone = ", ".join(f"{n} {what}" for what, n in deleted.items() if n) or "nothing"
            self.stdout.write(f"Removed bench data: {gone} ({time.perf_counter() - started:.1f}s)")
        elif bench_exists():
            raise CommandError("Bench data already exists: pass --reset to replace it.")
        if scale == 0:
            return
        self.stdout.write(f"Seeding bench data at scale {scale:g} (seed {seed})…")
        counts = bench_seed(scale=scale, seed=seed, log=self.stdout.write)
        self.stdout.write(
            f"Bench data ready: {counts.organizations} organizations, {counts.projects} "
            f"projects, {counts.students} students in {time.perf_counter() - started:.1f}s."
        )
