"""For tools and tests that start servers of their own beside the site (gunicorn, Redis,
an identity provider, a PostgreSQL standby): a free port to give one, and the database
URL that points a child process at the database this process uses.

Plain Python: ``scripts/`` import it without setting Django up.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote


def free_port() -> int:
    """A port nothing listens on now. The server binds it a moment later: in that small
    window another process could take it, and the server's start then fails loudly."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """``postgres://`` URL of a Django PostgreSQL connection's settings (as
    ``connection.settings_dict`` holds them), user and password quoted whole: a password
    may hold "@" or "/" (``quote`` leaves "/" alone unless told)."""
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict["PASSWORD"] else ""
    return (
        f"postgres://{quote(settings_dict['USER'] or 'postgres', safe='')}{password}"
        f"@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        f"/{settings_dict['NAME']}"
    )
