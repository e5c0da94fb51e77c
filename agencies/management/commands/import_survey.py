from agencies.imports import import_survey
from agencies.management.importing import ImportCommand


class Command(ImportCommand):
    help = "Import survey.csv (format in DESIGN.md); all-or-nothing."
    importer = import_survey
