from agencies.management.importing import ImportCommand
from performance.ratings import import_ratings


class Command(ImportCommand):
    help = (
        "Import ratings.csv (agency_code,nip,year,results_rating,behaviour_rating,reason; "
        "DESIGN.md): the ratings of civil servants' closed years; all-or-nothing. A row that "
        "changes a rating already given needs a reason and --confirm-changes."
    )
    importer = import_ratings

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--confirm-changes",
            action="store_true",
            help="confirm the rows that change ratings already given (each needs a reason)",
        )

    def importer_options(self, options: dict) -> dict:
        return {"confirm_changes": options["confirm_changes"]}
