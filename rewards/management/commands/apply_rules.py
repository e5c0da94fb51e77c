from django.core.management.base import BaseCommand, CommandError

from performance.models import ScoreRun
from rewards.rules import apply_rules
from rewards.services import recompute_and_apply


class Command(BaseCommand):
    help = (
        "Apply the reward and punishment rules to the latest published score run, creating "
        "recommended decisions and withdrawing those whose condition no longer holds. With "
        "--recompute, first recompute the scores: the whole nightly job."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--recompute", action="store_true", help="recompute the scores first (nightly job)"
        )
        parser.add_argument(
            "--year", type=int, help="with --recompute: only this year (others carried over)"
        )

    def handle(self, *args, recompute=False, year=None, **options):
        if recompute:
            run, summary = recompute_and_apply(year=year)
        else:
            if year is not None:
                raise CommandError("--year needs --recompute")
            run = ScoreRun.objects.latest_published()
            if run is None:
                raise CommandError("No published score run yet: run recompute_scores first.")
            summary = apply_rules(run=run)
        self.stdout.write(self.style.SUCCESS(f"Rules applied: {summary}"))
