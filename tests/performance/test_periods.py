"""When a quarter is closed (DESIGN.md, Periods): the newest closed quarter on a given day."""

import datetime

import pytest

from performance import scoring


@pytest.mark.parametrize(
    ("today", "grace", "expected"),
    [
        (datetime.date(2026, 10, 15), 15, (2026, 2)),  # Q3 open up to and including 15 Oct
        (datetime.date(2026, 10, 16), 15, (2026, 3)),
        (datetime.date(2026, 1, 15), 15, (2025, 3)),
        (datetime.date(2026, 1, 16), 15, (2025, 4)),
        (datetime.date(2026, 4, 1), 0, (2026, 1)),
        (datetime.date(2026, 3, 31), 0, (2025, 4)),
    ],
)
def test_the_last_closed_quarter(today, grace, expected):
    assert scoring.last_closed_quarter(today, grace) == expected
