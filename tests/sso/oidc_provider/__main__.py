"""Run the test identity provider: ``python -m tests.sso.oidc_provider --port N --data DIR``.

Creates the database in DIR, generates the RS256 signing key, and serves on
127.0.0.1:N with a threaded WSGI server until terminated. Meant to be started by
``tests/sso/oidc.py``; run from the repository root.
"""

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SETTINGS_MODULE = "tests.sso.oidc_provider.settings"


def _new_signing_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")


def _exit_when_orphaned() -> None:
    """Stop once the process that started us is gone (say a killed pytest), so no
    provider outlives its test run holding a port."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.sso.oidc_provider")
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--data", type=Path, required=True, help="directory for the database")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    data_dir: Path = args.data.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    # The settings module reads these; whatever settings module the caller's
    # environment names (Internly's), this process is the provider's project only.
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ["OIDC_PROVIDER_PORT"] = str(args.port)
    os.environ["OIDC_PROVIDER_DATA_DIR"] = str(data_dir)
    os.environ["OIDC_PROVIDER_RSA_KEY"] = _new_signing_key_pem()

    import django
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    django.setup()
    # run_syncdb creates the provider app's table, which has no migrations.
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)

    server = ThreadedWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    # SIGTERM (the harness's stop) unwinds serve_forever so the socket is closed.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    threading.Thread(target=_exit_when_orphaned, daemon=True).start()
    print(f"OIDC provider: issuer http://127.0.0.1:{args.port}/o, data {data_dir}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
