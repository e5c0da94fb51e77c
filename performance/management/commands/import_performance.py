from agencies.management.importing import ImportCommand
from performance.imports import import_performance


class Command(ImportCommand):
    help = "Import performance.csv (format in DESIGN.md); all-or-nothing."
    importer = import_performance
