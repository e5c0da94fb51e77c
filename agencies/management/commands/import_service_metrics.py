from agencies.imports import import_service_metrics
from agencies.management.importing import ImportCommand


class Command(ImportCommand):
    help = "Import service_metrics.csv (format in DESIGN.md); all-or-nothing."
    importer = import_service_metrics
