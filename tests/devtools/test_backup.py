"""``manage.py backup`` and ``manage.py restore`` (``make backup`` / ``make restore``).

The round trip runs the real commands in subprocesses against databases of their own on
the PostgreSQL server the suite uses (marked ``postgres``): a fresh database is migrated
and seeded with the demo data, backed up, dropped with its files, and restored into
another fresh database; every table's row count and every file's sha256 must match what
was there before. The storage helpers also run against local folders and a (moto) S3
bucket, and the SQLite refusal runs everywhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from devtools.backup import (
    BackupError,
    archive_files,
    major_version,
    restore_files,
    stored_files,
    table_counts,
)

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def manage(*args: str, database_url: str, media: Path, check: bool = True):
    """``manage.py`` in a subprocess with its own DATABASE_URL and MEDIA_ROOT, local
    file storage and in-process tasks."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media)}
    for name in ("REDIS_URL", "AWS_STORAGE_BUCKET_NAME"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def sha256_tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# ------------------------------------------------------------------------------
# Everywhere: SQLite is refused, versions are read, files round-trip through storage
# ------------------------------------------------------------------------------
def test_backup_refuses_sqlite_and_says_what_to_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = manage(
        "backup", "--output", str(tmp_path / "out"), database_url=url, media=tmp_path, check=False
    )
    assert result.returncode == 1
    assert "Backups need PostgreSQL, and DATABASE_URL is sqlite" in result.stderr
    assert "copy that file and the media folder" in result.stderr
    assert not (tmp_path / "out").exists()

    result = manage("restore", str(tmp_path), database_url=url, media=tmp_path, check=False)
    assert result.returncode == 1
    assert "Backups need PostgreSQL" in result.stderr


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)", 15),
        ("pg_restore (PostgreSQL) 16.4", 16),
        ("15.20 (Debian 15.20-0+deb12u1)", 15),
        ("9.6.24", 9),
    ],
)
def test_major_version_reads_programs_and_servers(text, major):
    assert major_version(text) == major


FILES = {
    "applications/resumes/1-2.pdf": b"%PDF-1.4 one",
    "resumes/3/cv.pdf": b"%PDF-1.4 two" * 1000,
    "top.txt": b"",
}


def _fill(storage) -> None:
    for name, content in FILES.items():
        assert storage.save(name, ContentFile(content)) == name


def _round_trip(source, target, tmp_path: Path) -> None:
    _fill(source)
    archive = tmp_path / "files.tar"
    items = archive_files(source, archive)
    assert items == {
        name: {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        for name, content in FILES.items()
    }
    assert restore_files(target, archive, items) == len(FILES)
    assert sorted(stored_files(target)) == sorted(FILES)
    for name, content in FILES.items():
        with target.open(name, "rb") as fileobj:
            assert fileobj.read() == content


def test_files_round_trip_between_local_folders(tmp_path):
    source = FileSystemStorage(location=tmp_path / "a")
    target = FileSystemStorage(location=tmp_path / "b")
    _round_trip(source, target, tmp_path)
    # A second restore replaces each file under its own name (no "_abc123" copies).
    target.delete("top.txt")
    with target.open("resumes/3/cv.pdf", "wb") as fileobj:
        fileobj.write(b"changed")
    items = archive_files(source, tmp_path / "again.tar")
    restore_files(target, tmp_path / "again.tar", items)
    assert sorted(stored_files(target)) == sorted(FILES)
    with target.open("resumes/3/cv.pdf", "rb") as fileobj:
        assert fileobj.read() == FILES["resumes/3/cv.pdf"]


def test_files_round_trip_through_s3(tmp_path, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from storages.backends.s3 import S3Storage

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("source", "target"):
            s3.create_bucket(Bucket=bucket)
        source = S3Storage(bucket_name="source", file_overwrite=False)
        target = S3Storage(bucket_name="target", file_overwrite=False)
        _round_trip(source, target, tmp_path)


def test_an_empty_or_missing_storage_has_no_files(tmp_path):
    assert list(stored_files(FileSystemStorage(location=tmp_path / "never-made"))) == []


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "not-in-manifest.txt"])
def test_restore_files_refuses_what_the_manifest_does_not_list(tmp_path, name):
    archive = tmp_path / "files.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo(name)
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    target = FileSystemStorage(location=tmp_path / "media")
    with pytest.raises(BackupError, match="does not list"):
        restore_files(target, archive, {"listed.txt": {"size": 3, "sha256": "x"}})
    assert list(stored_files(target)) == []
    assert not (tmp_path / "escape.txt").exists()


# ------------------------------------------------------------------------------
# PostgreSQL: the real round trip
# ------------------------------------------------------------------------------
def _server() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {key: str(db.get(key) or "") for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}


def _url(name: str) -> str:
    s = _server()
    auth = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    host = s["HOST"] or "localhost"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{name}"


def _connect(name: str):
    import psycopg2

    s = _server()
    conn = psycopg2.connect(
        dbname=name,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
    )
    conn.autocommit = True
    return conn


class Databases:
    """Databases of this test module's own on the suite's server, named after the
    suite's database, dropped at the end."""

    def __init__(self) -> None:
        self.prefix = f"{_server()['NAME'][:30]}_bk_{uuid.uuid4().hex[:8]}"
        self.made: list[str] = []

    def create(self, label: str) -> str:
        name = f"{self.prefix}_{label}"
        conn = _connect("postgres")
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        conn = _connect("postgres")
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()

    def counts(self, name: str) -> dict[str, int]:
        conn = _connect(name)
        with conn.cursor() as cursor:
            counts = table_counts(cursor)
        conn.close()
        return counts

    def execute(self, name: str, sql: str):
        conn = _connect(name)
        with conn.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else None
        conn.close()
        return rows


@pytest.fixture(scope="module")
def databases():
    made = Databases()
    yield made
    for name in made.made:
        made.drop(name)


@pytest.fixture(scope="module")
def seeded_backup(databases, tmp_path_factory):
    """A seeded database and its files, backed up and then dropped and deleted: what
    they held (row counts, file hashes) and the backup directory."""
    root = tmp_path_factory.mktemp("backup")
    source, media = databases.create("src"), root / "media-src"
    manage("migrate", "--noinput", database_url=_url(source), media=media)
    manage("seed_demo", database_url=_url(source), media=media)
    counts, hashes = databases.counts(source), sha256_tree(media)

    out = manage(
        "backup", "--output", str(root / "backups"), database_url=_url(source), media=media
    )
    (directory,) = (root / "backups").iterdir()
    assert f"Backup written to {directory}" in out.stdout
    databases.drop(source)
    shutil.rmtree(media)
    return directory, counts, hashes


@pytest.mark.postgres
def test_a_backup_holds_a_manifest_of_what_it_dumped(seeded_backup):
    directory, counts, hashes = seeded_backup
    assert directory.name.startswith("internly-")
    assert sorted(p.name for p in directory.iterdir()) == [
        "database.dump",
        "files.tar",
        "manifest.json",
    ]
    assert {p.stat().st_mode & 0o777 for p in directory.iterdir()} == {0o600}
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["tables"] == counts
    assert {name: item["sha256"] for name, item in manifest["files"]["items"].items()} == hashes
    assert manifest["files"]["count"] == len(hashes)
    assert manifest["created_at"].endswith("Z")
    assert major_version(manifest["database"]["pg_dump"]) >= major_version(
        manifest["database"]["server_version"]
    )
    dump = directory / "database.dump"
    assert manifest["database"]["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format


@pytest.mark.postgres
def test_restore_brings_back_every_row_and_file(databases, seeded_backup, tmp_path):
    directory, counts, hashes = seeded_backup
    # The demo data is not trivially small: people, projects, the pipeline, files.
    for table in (
        "public.accounts_user",
        "public.projects_project",
        "public.matching_application",
        "public.matching_engagement",
        "public.matching_offer",
    ):
        assert counts[table] > 0, table
    assert len(hashes) > 10

    target, media = databases.create("dst"), tmp_path / "media-dst"
    result = manage("restore", str(directory), database_url=_url(target), media=media)
    assert f"{len(counts)} tables' row counts and {len(hashes)} files' sha256 match" in (
        result.stdout
    )
    assert databases.counts(target) == counts
    assert sha256_tree(media) == hashes
    # The restored site works: Django sees every migration applied.
    check = manage("migrate", "--check", database_url=_url(target), media=media, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.postgres
def test_restore_refuses_a_database_with_rows_unless_forced(databases, seeded_backup, tmp_path):
    directory, counts, hashes = seeded_backup
    target, media = databases.create("busy"), tmp_path / "media-busy"
    databases.execute(target, "CREATE TABLE keep_me (note text); INSERT INTO keep_me VALUES ('x')")

    refused = manage("restore", str(directory), database_url=_url(target), media=media, check=False)
    assert refused.returncode == 1
    assert "Refusing to restore over existing data" in refused.stderr
    assert "public.keep_me" in refused.stderr
    assert "--force" in refused.stderr
    assert databases.counts(target) == {"public.keep_me": 1}  # untouched
    assert not media.exists()

    forced = manage("restore", "--force", str(directory), database_url=_url(target), media=media)
    assert "Tables not in the backup, left alone: public.keep_me." in forced.stdout
    assert databases.counts(target) == {**counts, "public.keep_me": 1}
    assert sha256_tree(media) == hashes


@pytest.mark.postgres
def test_restore_refuses_a_storage_with_files_unless_forced(databases, seeded_backup, tmp_path):
    directory, counts, hashes = seeded_backup
    target, media = databases.create("files"), tmp_path / "media-files"
    (media / "logos").mkdir(parents=True)
    (media / "logos" / "mine.png").write_bytes(b"not from the backup")

    refused = manage("restore", str(directory), database_url=_url(target), media=media, check=False)
    assert refused.returncode == 1
    assert "the file storage holds files (e.g. logos/mine.png)" in refused.stderr
    assert databases.counts(target) == {}

    forced = manage("restore", "--force", str(directory), database_url=_url(target), media=media)
    assert "Stored files not in the backup, left alone: 1." in forced.stdout
    assert sha256_tree(media) == {
        **hashes,
        "logos/mine.png": hashlib.sha256(b"not from the backup").hexdigest(),
    }


@pytest.mark.postgres
@pytest.mark.parametrize("damaged", ["database.dump", "files.tar"])
def test_a_damaged_backup_is_refused_before_anything_changes(
    databases, seeded_backup, tmp_path, damaged
):
    directory, _, _ = seeded_backup
    copy = tmp_path / directory.name
    shutil.copytree(directory, copy)
    data = bytearray((copy / damaged).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / damaged).write_bytes(bytes(data))

    target, media = databases.create(f"damaged_{damaged.split('.')[0]}"), tmp_path / "media"
    result = manage("restore", str(copy), database_url=_url(target), media=media, check=False)
    assert result.returncode == 1
    assert f"The backup is damaged: {copy / damaged} does not match its sha256" in result.stderr
    assert databases.counts(target) == {}
    assert not media.exists()
