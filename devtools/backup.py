"""Backups of the PostgreSQL database and the stored files (``manage.py backup`` and
``manage.py restore``; ``make backup`` / ``make restore``).

A backup is one directory, ``internly-<UTC time>``, holding:

    database.dump   ``pg_dump --format=custom`` of the database (``pg_restore`` reads it)
    files.tar       every file in the default storage (the local media folder, or the S3
                    bucket), under its storage name
    manifest.json   when and from what it was made, the row count of every table, and
                    the size and sha256 of the dump, the archive and every file in it

Backing up holds one REPEATABLE READ transaction open: the row counts are read in it and
``pg_dump --snapshot`` dumps that same snapshot, so the counts describe exactly what was
dumped even while the site is writing. Files are read from storage once, hashed as they
are archived. The directory is written under a ``.partial`` name and renamed when
complete, so an interrupted backup never looks like a finished one.

Restoring checks the dump and the archive against the manifest before touching
anything, refuses a database that holds rows or a storage that holds files unless
forced, runs ``pg_restore --clean --if-exists --single-transaction`` (all or nothing),
writes the files back, then re-counts every table and re-hashes every file against the
manifest. Files already in storage that the backup does not have are left in place and
reported, never deleted.

PostgreSQL only: an SQLite database is refused with a message saying how to copy it.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage
from django.db.backends.base.base import BaseDatabaseWrapper

MANIFEST = "manifest.json"
DUMP = "database.dump"
ARCHIVE = "files.tar"
FORMAT = 1
READ_CHUNK = 1024 * 1024
#: pg_restore gives up on a lock it cannot get in this long instead of hanging behind a
#: running web server or worker (which should be stopped for a restore).
LOCK_TIMEOUT = "30s"


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message saying what to do."""


# ------------------------------------------------------------------------------
# The database connection and the PostgreSQL client programs
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where the client programs connect: the Django connection's settings."""

    name: str
    user: str
    password: str
    host: str
    port: str
    sslmode: str

    @classmethod
    def of(cls, connection: BaseDatabaseWrapper) -> Target:
        settings = connection.settings_dict
        if connection.vendor != "postgresql":
            where = settings.get("NAME") or "?"
            raise BackupError(
                f"Backups need PostgreSQL, and DATABASE_URL is {connection.vendor} ({where}). "
                "A development SQLite database is a single file: stop the server and copy "
                "that file and the media folder."
            )
        return cls(
            name=str(settings["NAME"]),
            user=str(settings.get("USER") or ""),
            password=str(settings.get("PASSWORD") or ""),
            host=str(settings.get("HOST") or ""),
            port=str(settings.get("PORT") or ""),
            sslmode=str((settings.get("OPTIONS") or {}).get("sslmode") or ""),
        )

    def args(self) -> list[str]:
        args = ["--no-password", f"--dbname={self.name}"]
        if self.host:
            args.append(f"--host={self.host}")
        if self.port:
            args.append(f"--port={self.port}")
        if self.user:
            args.append(f"--username={self.user}")
        return args

    def env(self, **extra: str) -> dict[str, str]:
        """The client's environment: the password goes here, not on the command line
        where any user of the machine could read it."""
        env = {**os.environ, **extra}
        if self.password:
            env["PGPASSWORD"] = self.password
        if self.sslmode:
            env["PGSSLMODE"] = self.sslmode
        return env

    @property
    def label(self) -> str:
        server = self.host or "the local socket"
        return f"{self.name} on {server}:{self.port}" if self.port else f"{self.name} on {server}"


def client_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client programs of the "
            "server's major version (Debian: apt-get install postgresql-client-15)."
        )
    return found


def major_version(text: str) -> int:
    """15 from "pg_dump (PostgreSQL) 15.20 (Debian …)" or from "15.20 (Debian …)"."""
    match = re.search(r"PostgreSQL\)\s+(\d+)", text) or re.match(r"\s*(\d+)", text)
    if match is None:
        raise BackupError(f"Cannot read a PostgreSQL version from {text!r}.")
    return int(match.group(1))


def program_version(program: str) -> str:
    return subprocess.run(
        [program, "--version"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _run(args: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}):\n{result.stderr.strip()}")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


TABLES_SQL = """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
    ORDER BY 1, 2
"""


def table_counts(cursor: Any) -> dict[str, int]:
    """``schema.table`` → its number of rows, for every table of the database."""
    cursor.execute(TABLES_SQL)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(f"SELECT count(*) FROM {_quote(schema)}.{_quote(table)}")
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def tables_with_rows(cursor: Any) -> list[str]:
    """The tables that hold at least one row (without counting them all)."""
    cursor.execute(TABLES_SQL)
    found = []
    for schema, table in cursor.fetchall():
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(schema)}.{_quote(table)})")
        if cursor.fetchone()[0]:
            found.append(f"{schema}.{table}")
    return found


def _raw_connection(connection: BaseDatabaseWrapper) -> Any:
    """A connection of its own (not Django's), in autocommit: the backup's snapshot
    transaction is opened and closed explicitly on it."""
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    return raw


def database_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    raw = _raw_connection(connection)
    try:
        with raw.cursor() as cursor:
            return table_counts(cursor)
    finally:
        raw.close()


def database_tables_with_rows(connection: BaseDatabaseWrapper) -> list[str]:
    raw = _raw_connection(connection)
    try:
        with raw.cursor() as cursor:
            return tables_with_rows(cursor)
    finally:
        raw.close()


# ------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------
def stored_files(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in ``storage``, folders walked depth first, in name order."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:  # a local media folder that was never created
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for folder in sorted(folders):
        yield from stored_files(storage, posixpath.join(path, folder) if path else folder)


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self.fileobj = fileobj
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fileobj.read(size)
        self.sha256.update(data)
        return data


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fileobj:
        while chunk := fileobj.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as fileobj:
        while chunk := fileobj.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_files(storage: Storage, archive: Path) -> dict[str, dict[str, Any]]:
    """Write every stored file into ``archive`` (a tar); name → size and sha256."""
    items: dict[str, dict[str, Any]] = {}
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in stored_files(storage):
            info = tarfile.TarInfo(name)
            info.size = storage.size(name)
            info.mode = 0o600
            info.mtime = int(datetime.now(UTC).timestamp())
            with storage.open(name, "rb") as fileobj:
                reader = _Hashing(fileobj)
                tar.addfile(info, reader)
            items[name] = {"size": info.size, "sha256": reader.sha256.hexdigest()}
    return items


def _safe_member(member: tarfile.TarInfo, expected: dict[str, Any]) -> None:
    name = member.name
    parts = name.split("/")
    if (
        not member.isfile()
        or name.startswith("/")
        or ".." in parts
        or name not in expected
        or member.size != expected[name]["size"]
    ):
        raise BackupError(f"files.tar holds {name!r}, which the manifest does not list.")


def restore_files(storage: Storage, archive: Path, expected: dict[str, dict[str, Any]]) -> int:
    """Write every archived file back under its own name (replacing a file of that
    name); the manifest says which files to expect. Returns how many were written."""
    written = 0
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            _safe_member(member, expected)
            fileobj = tar.extractfile(member)
            assert fileobj is not None  # a regular file (checked above)
            if storage.exists(member.name):
                storage.delete(member.name)
            saved = storage.save(member.name, File(fileobj, name=member.name))
            if saved != member.name:
                raise BackupError(f"Storage saved {member.name!r} as {saved!r}.")
            written += 1
    return written


# ------------------------------------------------------------------------------
# Backup
# ------------------------------------------------------------------------------
def backup(
    *,
    connection: BaseDatabaseWrapper,
    storage: Storage,
    output: Path,
    now: datetime | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Back the database and the stored files up into a new directory under
    ``output``; returns that directory."""
    target = Target.of(connection)
    pg_dump = client_program("pg_dump")
    now = now or datetime.now(UTC)
    final = output / f"internly-{now:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise BackupError(f"{final} already exists.")
    partial = final.with_name(final.name + ".partial")
    output.mkdir(parents=True, exist_ok=True)
    # Backups hold personal data: readable by their owner only.
    partial.mkdir(mode=0o700)
    try:
        manifest = _backup_into(partial, target=target, connection=connection, pg_dump=pg_dump)
        manifest["created_at"] = now.isoformat().replace("+00:00", "Z")
        log(f"Database: {len(manifest['tables'])} tables, {manifest['database']['size']} bytes")
        items = archive_files(storage, partial / ARCHIVE)
        manifest["files"] = {
            "archive": ARCHIVE,
            "sha256": file_sha256(partial / ARCHIVE),
            "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
            "count": len(items),
            "bytes": sum(item["size"] for item in items.values()),
            "items": items,
        }
        log(f"Files: {len(items)} ({manifest['files']['bytes']} bytes)")
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        for path in partial.iterdir():
            path.chmod(0o600)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(final)
    return final


def _backup_into(
    directory: Path, *, target: Target, connection: BaseDatabaseWrapper, pg_dump: str
) -> dict[str, Any]:
    raw = _raw_connection(connection)
    try:
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            dump_version = program_version(pg_dump)
            if major_version(dump_version) < major_version(server_version):
                raise BackupError(
                    f"{dump_version} cannot dump a PostgreSQL {server_version} server: "
                    f"install the client programs of version {major_version(server_version)}."
                )
            counts = table_counts(cursor)
            # The snapshot lives as long as this transaction: pg_dump runs inside it.
            _run(
                [pg_dump, "--format=custom", f"--file={directory / DUMP}", f"--snapshot={snapshot}"]
                + target.args(),
                env=target.env(),
                what=f"pg_dump of {target.label}",
            )
            cursor.execute("COMMIT")
    finally:
        raw.close()
    return {
        "format": FORMAT,
        "database": {
            "engine": "postgresql",
            "name": target.name,
            "server_version": server_version,
            "pg_dump": dump_version,
            "dump": DUMP,
            "size": (directory / DUMP).stat().st_size,
            "sha256": file_sha256(directory / DUMP),
        },
        "tables": counts,
    }


# ------------------------------------------------------------------------------
# Restore
# ------------------------------------------------------------------------------
def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')!r}; expected {FORMAT}.")
    return manifest


def check_backup(directory: Path, manifest: dict[str, Any]) -> None:
    """The dump and the archive are the ones the manifest describes."""
    for name, expected in (
        (manifest["database"]["dump"], manifest["database"]["sha256"]),
        (manifest["files"]["archive"], manifest["files"]["sha256"]),
    ):
        path = directory / name
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {path} is missing.")
        if file_sha256(path) != expected:
            raise BackupError(f"The backup is damaged: {path} does not match its sha256.")


@dataclass
class Verification:
    tables_checked: int
    files_checked: int
    problems: list[str]
    extra_tables: list[str]
    extra_files: list[str]


def verify(
    *, connection: BaseDatabaseWrapper, storage: Storage, manifest: dict[str, Any]
) -> Verification:
    """Compare the database and the storage with the manifest: every table's row count
    and every file's sha256. Tables and files the backup does not have are listed
    apart: they are not problems, the restore just did not touch them."""
    problems = []
    counts = database_counts(connection)
    for table, expected in sorted(manifest["tables"].items()):
        found = counts.get(table)
        if found != expected:
            problems.append(f"table {table}: {found} rows, the backup has {expected}")
    items: dict[str, dict[str, Any]] = manifest["files"]["items"]
    for name, item in sorted(items.items()):
        if not storage.exists(name):
            problems.append(f"file {name}: missing")
        elif stored_sha256(storage, name) != item["sha256"]:
            problems.append(f"file {name}: sha256 differs")
    return Verification(
        tables_checked=len(manifest["tables"]),
        files_checked=len(items),
        problems=problems,
        extra_tables=sorted(set(counts) - set(manifest["tables"])),
        extra_files=[name for name in stored_files(storage) if name not in items],
    )


def restore(
    *,
    connection: BaseDatabaseWrapper,
    storage: Storage,
    directory: Path,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> Verification:
    """Restore the backup in ``directory`` into the database and the storage, then
    verify both against its manifest (a mismatch raises BackupError)."""
    target = Target.of(connection)
    manifest = read_manifest(directory)
    check_backup(directory, manifest)
    pg_restore = client_program("pg_restore")
    restore_version = program_version(pg_restore)
    dumped_by = manifest["database"]["pg_dump"]
    if major_version(restore_version) < major_version(dumped_by):
        raise BackupError(
            f"The dump was made by {dumped_by}; {restore_version} cannot read it. Install "
            f"the client programs of version {major_version(dumped_by)} or newer."
        )
    if not force:
        _refuse_if_not_empty(connection, storage, target)

    # Django's own connection must hold nothing that pg_restore has to wait for.
    connection.close()
    log(f"Restoring the database into {target.label}…")
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *target.args(),
            str(directory / manifest["database"]["dump"]),
        ],
        env=target.env(PGOPTIONS=f"-c lock_timeout={LOCK_TIMEOUT}"),
        what=f"pg_restore into {target.label}",
    )
    written = restore_files(
        storage, directory / manifest["files"]["archive"], manifest["files"]["items"]
    )
    log(f"Restored {written} files.")
    result = verify(connection=connection, storage=storage, manifest=manifest)
    if result.problems:
        raise BackupError(
            "The restore does not match the backup's manifest:\n  " + "\n  ".join(result.problems)
        )
    return result


def _refuse_if_not_empty(connection: BaseDatabaseWrapper, storage: Storage, target: Target) -> None:
    tables = database_tables_with_rows(connection)
    files = next(stored_files(storage), None)
    if not tables and files is None:
        return
    held = []
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        held.append(f"{len(tables)} tables of {target.label} hold rows ({shown})")
    if files is not None:
        held.append(f"the file storage holds files (e.g. {files})")
    raise BackupError(
        "Refusing to restore over existing data: "
        + "; ".join(held)
        + ". The restore replaces the database and overwrites files of the same name. "
        "To go ahead, run it again with --force (make restore … CONFIRM=1)."
    )
