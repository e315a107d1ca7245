"""``manage.py backup [--output DIR]``: the PostgreSQL database (``pg_dump``) and every
stored file, with a manifest of row counts and file hashes, in a new directory under
DIR (default: ``backups/``). See ``devtools/backup.py``."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and the stored files, with a manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Folder to write the backup directory into (default: backups/).",
        )

    def handle(self, *args, output: str, **options) -> None:
        try:
            path = backup(
                connection=connection,
                storage=default_storage,
                output=Path(output),
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
