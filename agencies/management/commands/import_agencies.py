from agencies.imports import import_agencies
from agencies.management.importing import ImportCommand


class Command(ImportCommand):
    help = "Import agencies.csv (format in DESIGN.md); all-or-nothing."
    importer = import_agencies
