"""Create a PostgreSQL database named by a URL if it does not exist yet.

Usage: python scripts/ensure_pg_database.py postgres://user@host:5432/name
Connects to the server's maintenance database ("postgres") to do it.
"""

import sys
from urllib.parse import unquote, urlsplit

import psycopg2
from psycopg2 import sql


def main(url: str) -> int:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        print(f"not a PostgreSQL URL: {url}", file=sys.stderr)
        return 2
    name = unquote(parts.path.lstrip("/"))
    if not name:
        print(f"no database name in {url}", file=sys.stderr)
        return 2
    conn = psycopg2.connect(
        dbname="postgres",
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        host=parts.hostname,
        port=parts.port,
        connect_timeout=10,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    conn.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
