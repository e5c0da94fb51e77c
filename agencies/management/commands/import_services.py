from agencies.imports import import_services
from agencies.management.importing import ImportCommand


class Command(ImportCommand):
    help = "Import services.csv (the services and their service standards, README); all-or-nothing."
    importer = import_services
