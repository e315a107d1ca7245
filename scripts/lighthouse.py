"""Lighthouse scores of every role's main pages; fails if any category is under 0.95.

Runs Lighthouse 12 (through npx, from the npm registry) against a running site, one page
at a time, over the pages of ``tests/browser/test_every_page.main_pages`` in the demo
world. Signed-in pages get the role's session cookie through ``--extra-headers``.

The site should be served as in production, so the scores mean something: DEBUG off,
WhiteNoise serving collected static files, gunicorn. For example, on a throwaway database:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/internly_lighthouse
    export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=throwaway-$(date +%s) DJANGO_SECURE_SSL_REDIRECT=0
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py collectstatic --noinput
    .venv/bin/gunicorn marketplace.wsgi -b 127.0.0.1:8766 -w 2 &
    CHROME_PATH=/usr/bin/chromium .venv/bin/python scripts/lighthouse.py \\
        --base-url http://127.0.0.1:8766

The script itself uses the same environment (database, cache) as the server: it reads the
demo's ids to build the page list and signs each role in by making a session there.
Lighthouse's default is a throttled phone; ``--desktop`` uses its desktop preset.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
LIGHTHOUSE = "lighthouse@12"
#: pages that ask search engines not to index them, on purpose: a student's record shared
#: by a private link is for the people given the link. Lighthouse's SEO category counts
#: that as its heaviest failure ("Page is blocked from indexing"); for these pages the
#: category is scored without that one audit, and the table says so.
NOINDEX_BY_DESIGN = {"public record"}


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()


def session_cookie(email: str) -> str:
    """A signed-in session for ``email``, made in the site's own session store."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def lighthouse(url: str, *, cookie: str | None, desktop: bool, tries: int = 2) -> dict:
    """One Lighthouse run: the JSON report (categories, audits). A run that fails (on a
    busy machine Chrome's trace sometimes misses the navigation: NO_NAVSTART) is tried
    again; the last failure is an error, never a score."""
    for attempt in range(1, tries + 1):
        try:
            return _lighthouse_once(url, cookie=cookie, desktop=desktop)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError) as error:
            if attempt == tries:
                raise RuntimeError(f"Lighthouse failed on {url}: {error}") from error
    raise AssertionError("unreachable")


def _lighthouse_once(url: str, *, cookie: str | None, desktop: bool) -> dict:
    command = [
        "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--chrome-flags=--headless=new --no-sandbox",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        "--quiet",
    ]
    if desktop:
        command.append("--preset=desktop")
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        command.append(f"--output-path={report.name}")
        env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        subprocess.run(command, check=True, env=env, timeout=300, stdout=subprocess.DEVNULL)
        return json.loads(Path(report.name).read_text())


def category_scores(report: dict, *, noindex_by_design: bool) -> dict[str, float]:
    scores = {c: report["categories"][c]["score"] or 0.0 for c in CATEGORIES}
    if noindex_by_design:
        refs = [r for r in report["categories"]["seo"]["auditRefs"] if r["id"] != "is-crawlable"]
        weighted = [
            (r["weight"], report["audits"][r["id"]]["score"])
            for r in refs
            if r["weight"] and report["audits"][r["id"]].get("score") is not None
        ]
        scores["seo"] = sum(w * score for w, score in weighted) / sum(w for w, _ in weighted)
    return scores


def reasons(report: dict, threshold: float, limit: int = 4) -> list[str]:
    """The audits that cost the most in the categories under the bar, heaviest first
    (by their weight in the category)."""
    found: list[tuple[float, str]] = []
    for category in report["categories"].values():
        if (category["score"] or 0.0) >= threshold:
            continue
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            score = audit.get("score")
            if ref["weight"] and score is not None and score < 0.9:
                value = audit.get("displayValue") or ""
                found.append((ref["weight"] * (1 - score), f"{audit['title']} {value}".strip()))
    return [text for _, text in sorted(found, reverse=True)[:limit]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8766")
    parser.add_argument("--role", action="append", help="only these roles (repeatable)")
    parser.add_argument("--page", action="append", help="only pages with these names")
    parser.add_argument("--threshold", type=float, default=0.95)
    parser.add_argument("--desktop", action="store_true", help="Lighthouse's desktop preset")
    args = parser.parse_args()

    _django()
    from tests.browser.test_every_page import ROLE_EMAILS, ROLES, main_pages

    rows: list[tuple[str, str, dict[str, float], list[str]]] = []
    for role in args.role or ROLES:
        email = ROLE_EMAILS[role]
        cookie = session_cookie(email) if email else None
        for name, path in main_pages(role):
            if args.page and name not in args.page:
                continue
            try:
                report = lighthouse(args.base_url + path, cookie=cookie, desktop=args.desktop)
            except RuntimeError as error:
                rows.append((role, name, dict.fromkeys(CATEGORIES, 0.0), [str(error)]))
                continue
            noindex = name in NOINDEX_BY_DESIGN
            scores = category_scores(report, noindex_by_design=noindex)
            rows.append((role, name, scores, reasons(report, args.threshold)))
            print(
                f"{role:15} {name:22} "
                + " ".join(f"{s:4.2f}" for s in scores.values())
                + ("  (SEO without is-crawlable: noindex by design)" if noindex else "")
            )

    low = [row for row in rows if min(row[2].values()) < args.threshold]
    print()
    print(f"{'role':15} {'page':22} " + " ".join(c[:4] for c in CATEGORIES))
    for role, name, scores, _ in rows:
        flags = "".join(" " if s >= args.threshold else "!" for s in scores.values())
        print(f"{role:15} {name:22} " + " ".join(f"{s:4.2f}" for s in scores.values()), flags)
    if low:
        print(f"\n{len(low)} of {len(rows)} pages under {args.threshold}:")
        for role, name, scores, why in low:
            under = ", ".join(f"{c} {s:.2f}" for c, s in scores.items() if s < args.threshold)
            print(f"- {role}: {name} ({under}): " + "; ".join(why))
        return 1
    print(f"\nevery page scores at least {args.threshold} in every category")
    return 0


if __name__ == "__main__":
    sys.exit(main())
