"""``manage.py restore BACKUP [--force]``: put a backup made by ``manage.py backup``
back into the database and the file storage, then check both against its manifest.
Refuses a database that holds rows or a storage that holds files without ``--force``.
Stop the web server and the workers first. See ``devtools/backup.py``."""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup (database and stored files) and verify it against its manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup", help="The backup directory (backups/internly-…).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database or the storage already holds data.",
        )

    def handle(self, *args, backup: str, force: bool, **options) -> None:
        try:
            result = restore(
                connection=connection,
                storage=default_storage,
                directory=Path(backup),
                force=force,
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if result.extra_tables:
            shown = ", ".join(result.extra_tables[:10])
            more = (
                f" and {len(result.extra_tables) - 10} more"
                if len(result.extra_tables) > 10
                else ""
            )
            self.stdout.write(f"Tables not in the backup, left alone: {shown}{more}.")
        if result.extra_files:
            self.stdout.write(
                f"Stored files not in the backup, left alone: {len(result.extra_files)}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: {result.tables_checked} tables' row counts and "
                f"{result.files_checked} files' sha256 match the manifest."
            )
        )
