from agencies.management.importing import ImportCommand
from performance.goals import import_goals


class Command(ImportCommand):
    help = "Import goals.csv (province goals, their indicators and yearly targets); all-or-nothing."
    importer = import_goals
