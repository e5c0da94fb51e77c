"""What the SKM results of a service are measured against: the sample the regulation expects
(Krejcie and Morgan's table, PermenPAN-RB 14/2017 annex) and the service figures computed from
the quarterly metrics. Numbers in, numbers out: no Django, no database.
"""

from __future__ import annotations

import bisect
from decimal import ROUND_HALF_UP, Decimal

# Krejcie & Morgan (1970), "Determining sample size for research activities": population N ->
# sample S at 95 % confidence and a 5 % margin (P = 0.5), as the regulation's annex reprints it.
KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40),
    (50, 44), (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70),
    (90, 73), (95, 76), (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108),
    (160, 113), (170, 118), (180, 123), (190, 127), (200, 132), (210, 136), (220, 140),
    (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162), (290, 165),
    (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201),
    (440, 205), (460, 210), (480, 214), (500, 217), (550, 226), (600, 234), (650, 242),
    (700, 248), (750, 254), (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278),
    (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306), (1600, 310),
    (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331),
    (2600, 335), (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354),
    (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368), (10000, 370),
    (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381), (75000, 382),
    (1000000, 384),
)  # fmt: skip
_POPULATIONS = [n for n, _ in KREJCIE_MORGAN]
PERCENT = Decimal("0.01")


def required_sample(population: int) -> int:
    """The number of respondents the regulation expects when `population` people used the
    service in the period.

    A population in the table gets its row; one between two rows gets the row above (the
    larger sample: a survey is never asked for less than the table gives); ten people or
    fewer are all asked; more than 1,000,000 need 384, the table's limit.
    """
    if population < 0:
        raise ValueError("a population cannot be negative")
    if population <= KREJCIE_MORGAN[0][0]:
        return population
    i = bisect.bisect_left(_POPULATIONS, population)
    return KREJCIE_MORGAN[min(i, len(KREJCIE_MORGAN) - 1)][1]


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """100 x part / whole, rounded half up to two decimals; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(PERCENT, ROUND_HALF_UP)


def on_time_rate(on_time: Decimal | None, late: Decimal | None) -> Decimal | None:
    """Share of completed applications finished within the service standard, in percent:
    on time / (on time + late). None unless both figures were reported and one is above 0."""
    if on_time is None or late is None:
        return None
    return percent(on_time, on_time + late)


def resolution_rate(resolved: Decimal | None, received: Decimal | None) -> Decimal | None:
    """Complaints resolved / complaints received in the quarter, in percent. It can pass 100
    when complaints of earlier quarters were resolved too. None without both figures, or with
    no complaint received."""
    if resolved is None or received is None:
        return None
    return percent(resolved, received)


def complaints_contradict_time(
    complaints: Decimal | None,
    previous_complaints: Decimal | None,
    avg_days: Decimal | None,
    standard_days: int | None,
) -> bool:
    """True when complaints rose against the quarter before while the time indicator stayed
    on target (average processing days within the service standard): the two figures tell
    different stories and one of them deserves a closer look. False when a figure is missing."""
    if None in (complaints, previous_complaints, avg_days, standard_days):
        return False
    return complaints > previous_complaints and avg_days <= standard_days
