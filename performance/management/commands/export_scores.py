from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.csvio import write_csv
from performance import exports
from performance.models import ScoreRun


class Command(BaseCommand):
    help = "Write the latest published run's agency or contract scores of a year as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--level", choices=["agency", "contract"], required=True)
        parser.add_argument("--out", type=Path, help="output file (default: standard output)")

    def handle(self, *args, year: int, level: str, out: Path | None = None, **options):
        run = ScoreRun.objects.latest_published()
        if run is None:
            raise CommandError("No published score run yet: run recompute_scores first.")
        header, rows = (
            (exports.AGENCY_HEADER, exports.agency_rows(run, year))
            if level == "agency"
            else (exports.CONTRACT_HEADER, exports.contract_rows(run, year))
        )
        if out is None:
            write_csv(self.stdout, header, rows)
            return
        with out.open("w", encoding="utf-8", newline="") as fh:
            write_csv(fh, header, rows)
        self.stderr.write(f"Wrote {out}")
