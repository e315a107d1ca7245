"""docker-compose.yml and deploy/Caddyfile: only the reverse proxy is reachable from
outside, it serves the static files but never the uploads, and the app trusts exactly
the one proxy in front of it."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text()
CADDY_DIRECTIVES = "\n".join(
    line for line in CADDYFILE.splitlines() if not line.strip().startswith("#")
)
DEFAULTED = re.compile(r"\$\{\w+:-([^}]*)\}")


def with_defaults(value: str) -> str:
    """A compose value as it comes out with no .env: ${NAME:-default} → default."""
    return DEFAULTED.sub(lambda match: match.group(1), str(value))


def mounts(service: str) -> dict[str, str]:
    """Container path → source (volume name or host path) of a service's mounts."""
    found = {}
    for volume in SERVICES[service].get("volumes", []):
        source, target, *_ = volume.split(":")
        found[target] = source
    return found


def test_only_the_proxy_publishes_ports():
    assert {name for name, service in SERVICES.items() if service.get("ports")} == {"proxy"}
    assert "ports" not in SERVICES["web"]


def test_the_proxy_takes_http_and_https():
    targets = {with_defaults(port).split(":")[-1] for port in SERVICES["proxy"]["ports"]}
    assert targets == {"80", "443", "443/udp"}


def test_the_app_trusts_exactly_the_one_proxy():
    for name in ("web", "worker", "beat"):
        environment = SERVICES[name]["environment"]
        assert with_defaults(environment["DJANGO_TRUSTED_PROXY_COUNT"]) == "1"


def test_the_proxy_runs_the_caddyfile_and_keeps_its_certificates():
    proxy = mounts("proxy")
    assert proxy["/etc/caddy/Caddyfile"] == "./deploy/Caddyfile"
    assert proxy["/data"] in COMPOSE["volumes"]
    assert with_defaults(SERVICES["proxy"]["environment"]["SITE_ADDRESS"]) == "localhost"
    assert "{$SITE_ADDRESS:localhost}" in CADDY_DIRECTIVES


def test_the_proxy_serves_the_static_files_of_the_running_image():
    static_root = Path("/app") / Path(settings.STATIC_ROOT).relative_to(ROOT)
    copier = SERVICES["static"]
    assert copier["image"] == SERVICES["web"]["image"]
    assert f"cp -a {static_root}/. /srv/static/" in " ".join(copier["command"])
    assert mounts("static")["/srv/static"] == mounts("proxy")["/srv/static"] == "static"
    assert SERVICES["proxy"]["depends_on"]["static"] == {
        "condition": "service_completed_successfully"
    }
    assert re.search(r"handle_path /static/\*\s*{\s*root \* /srv/static", CADDY_DIRECTIVES)


def test_uploads_are_never_served_by_the_proxy():
    assert "media" not in mounts("proxy").values()
    assert "/media" not in CADDY_DIRECTIVES
    # Everything but /static/ goes to Django, which checks who may see a file.
    assert re.search(r"handle\s*{\s*reverse_proxy\s*{\s*dynamic a web 8000\b", CADDY_DIRECTIVES)


def test_the_web_health_probe_needs_no_proxy_header():
    probe = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "http://localhost:8000/healthz" in probe
    assert "X-Forwarded" not in probe


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="needs docker-compose")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def consumed_queues(service: str) -> list[str]:
    """The queues a compose service's Celery worker consumes (its -Q), [] if not one."""
    command = SERVICES[service].get("command", "")
    match = re.search(r"celery -A marketplace worker .*-Q (\S+)", str(command))
    return match.group(1).split(",") if match else []


def test_each_queue_has_a_worker_of_its_own():
    workers = {name: consumed_queues(name) for name in SERVICES if consumed_queues(name)}
    assert sorted(q for queues in workers.values() for q in queues) == sorted(
        settings.CELERY_QUEUES_BY_KIND
    )
    assert all(len(queues) == 1 for queues in workers.values()), workers
    for name in workers:
        assert SERVICES[name]["environment"] == SERVICES["worker"]["environment"]
        assert "healthcheck" in SERVICES[name]


def test_tasks_are_routed_to_the_queues_the_workers_consume():
    from marketplace.celery import app

    app.loader.import_default_modules()
    routed = {name: app.amqp.router.route({}, name)["queue"].name for name in app.tasks}
    assert routed["accounts.tasks.send_notification_email"] == "email"
    assert routed["accounts.tasks.send_user_digest"] == "email"
    assert routed["marketplace.tasks.compute_statistics"] == "statistics"
    assert routed["marketplace.tasks.refresh_dirty_placement_units"] == "statistics"
    assert routed["matching.tasks.webhooks.send_webhook_delivery"] == "default"
    assert set(routed.values()) <= set(settings.CELERY_QUEUES_BY_KIND)


def test_make_worker_consumes_every_queue():
    makefile = (ROOT / "Makefile").read_text()
    line = next(row for row in makefile.splitlines() if "marketplace worker" in row)
    assert line.split("-Q ")[1].split(",") == list(settings.CELERY_QUEUES_BY_KIND)


# ------------------------------------------------------------------------------
# Several web replicas (docker-compose up --scale web=2) and their metrics
# ------------------------------------------------------------------------------
APP_SERVICES = ("web", "worker", "worker-email", "worker-statistics", "beat")
METRICS_DIR = "/run/metrics"


def test_every_app_service_shares_one_metrics_directory():
    assert SERVICES["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"] == METRICS_DIR
    with_app_environment = {
        name
        for name, service in SERVICES.items()
        if service.get("environment") == SERVICES["web"]["environment"]
    }
    assert with_app_environment == set(APP_SERVICES)
    for name in APP_SERVICES:
        assert mounts(name)[METRICS_DIR] == "metrics", name


def test_the_workers_keep_their_shared_anchor():
    raw = (ROOT / "docker-compose.yml").read_text()
    assert "  worker: &worker\n" in raw
    for name in ("worker-email", "worker-statistics"):
        assert re.search(rf"\n  {name}:\n    <<: \*worker\n", raw), name
        assert SERVICES[name]["volumes"] == SERVICES["worker"]["volumes"]


def test_the_metrics_volume_is_memory_the_app_user_may_write():
    """Files of running processes only: a tmpfs, empty again when the last app container
    stops. Mounted over a path the image does not have, it must be given to the image's
    user, or the app could not write there."""
    volume = COMPOSE["volumes"]["metrics"]
    assert volume["driver_opts"]["type"] == "tmpfs"
    image_uid = re.search(r"--uid (\d+)", (ROOT / "Dockerfile").read_text()).group(1)
    assert f"uid={image_uid}" in volume["driver_opts"]["o"].split(",")


def test_web_can_run_as_several_containers():
    """Nothing fixes one container: no name, no host port, no hostname; its uploads,
    sessions and cache live in shared services and volumes."""
    web = SERVICES["web"]
    assert not {"container_name", "ports", "hostname"} & set(web)
    assert "container_name" not in "".join(str(service) for service in SERVICES.values())
    assert mounts("web")["/app/media"] == "media"
    environment = web["environment"]
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")


def test_the_proxy_balances_over_every_web_replica():
    """A fixed upstream `web:8000` would be one upstream, its kept-alive connections all
    going to one replica; an A-record lookup makes each replica's address an upstream."""
    assert "web:8000" not in CADDY_DIRECTIVES
    proxy = re.search(r"reverse_proxy\s*{(?P<body>.*?)\n\t\t}", CADDY_DIRECTIVES, re.S)["body"]
    assert re.search(r"dynamic a web 8000 {\s*refresh \d+s\s*}", proxy)
    assert re.search(r"\blb_policy (least_conn|round_robin|random)\b", proxy)
    # A replica that refuses (restarting, or gone since the last lookup) is skipped.
    assert re.search(r"\blb_try_duration \d+s\b", proxy)
    assert re.search(r"\bfail_duration \d+s\b", proxy)


@pytest.mark.skipif(not shutil.which("caddy"), reason="needs caddy")
def test_caddy_reads_the_upstreams_as_a_dns_lookup():
    result = subprocess.run(
        ["caddy", "adapt", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "SITE_ADDRESS": "localhost"},
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    proxies = [
        handler for handler in _handlers(config) if handler.get("handler") == "reverse_proxy"
    ]
    assert [proxy["dynamic_upstreams"] for proxy in proxies] == [
        {"source": "a", "name": "web", "port": "8000", "refresh": 5_000_000_000}
    ]
    assert "upstreams" not in proxies[0]


def _handlers(node):
    """Every handler object in a Caddy JSON config."""
    if isinstance(node, dict):
        if "handler" in node:
            yield node
        for value in node.values():
            yield from _handlers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _handlers(value)
