import argparse
import time

from django.core.management.base import BaseCommand

from portal.demo.editions import publish_past_editions
from portal.demo.seed import seed_demo
from portal.demo.tables import DEFAULT_EMPLOYEES


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1")
    return value


class Command(BaseCommand):
    help = (
        "Fill the database with sample data for Nusa Tenggara Barat: the province, its ten "
        "regencies and cities, 37 real agencies and their services, employees with valid "
        "NIPs, two years (2025, 2026) of contracts with quarterly realisations, survey "
        "responses and service metrics. Deterministic and idempotent (a second run changes "
        "nothing); pages say the data are samples while it is present. A smaller size than "
        "an earlier run leaves that run's extra employees in place. -v 2 reports each import. "
        "In a database with no published run yet, it publishes the runs of the days the sample's "
        "quarters closed (the dated editions of ?edition=; --no-editions skips them). Run "
        "recompute_scores (or apply_rules --recompute) afterwards for today's scores."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=_at_least_one,
            default=1,
            metavar="N",
            help="multiply the number of employees by N, for benchmarks (default 1; "
            "three small agencies keep their size so the privacy rule still shows)",
        )
        parser.add_argument(
            "--employees",
            type=_at_least_one,
            default=DEFAULT_EMPLOYEES,
            metavar="N",
            help=f"base number of employees before --scale (default {DEFAULT_EMPLOYEES}); "
            "a small number such as 150 builds a quick data set for tests",
        )

        parser.add_argument(
            "--no-editions",
            dest="editions",
            action="store_false",
            help="do not publish the runs of the days the sample's quarters closed (faster)",
        )

    def handle(
        self,
        *args,
        scale: int,
        employees: int,
        editions: bool = True,
        verbosity: int = 1,
        **options,
    ):
        started = time.monotonic()
        log = self.stdout.write if verbosity >= 2 else None
        counts = seed_demo(scale=scale, employees=employees, log=log)
        if editions:
            runs = publish_past_editions(log=log)
            counts["editions published"] = len(runs)
        seconds = time.monotonic() - started
        summary = ", ".join(f"{what} {n}" for what, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Sample data in place (scale {scale}, {seconds:.1f} s): {summary}.")
        )
