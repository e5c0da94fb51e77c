from django.core.management.base import BaseCommand

from performance.services import recompute_scores


class Command(BaseCommand):
    help = "Recompute every score (or one year's) and publish them as a new score run."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only this year (others are carried over)")

    def handle(self, *args, year=None, **options):
        run = recompute_scores(year=year)
        counts = ", ".join(f"{k}={v}" for k, v in run.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Published score run {run.pk}: {counts}"))
