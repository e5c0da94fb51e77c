"""The shared shape of the import commands: read a file, import it, report, exit 1 on error."""

import inspect
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from agencies.audit import import_details, record, system_actor
from agencies.csvio import ImportFailed, ImportResult


class ImportCommand(BaseCommand):
    importer: Callable[[bytes], ImportResult]

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, header row)")

    def importer_options(self, options: dict) -> dict:
        """Keyword arguments of the importer taken from the command's own options."""
        return {}

    # The output is a contract (DESIGN.md: `line N, column C: reason`) that scripts read, so
    # it is not translated; the workspace upload shows the same errors in the user's language.
    @no_translations
    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        actor = system_actor("cli")
        importer = type(self).importer
        # Importers that keep row-level history (performance.csv) write the actor there too.
        takes_user = "user" in inspect.signature(importer).parameters
        extra = self.importer_options(options)
        try:
            result = importer(data, user=actor, **extra) if takes_user else importer(data, **extra)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{file}: {len(exc.errors)} problem(s) found; nothing was imported."
            ) from exc
        record(actor, f"import:{importer.__name__}", file.name, **import_details(result))
        self.stdout.write(self.style.SUCCESS(f"{file}: {result.summary()}"))
