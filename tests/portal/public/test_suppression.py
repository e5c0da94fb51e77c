"""Small-group suppression of staff counts (agencies.suppression): a pure function, tested
with a table and with an exhaustive check that no hidden count can be worked out."""

import itertools
import random

import pytest

from agencies.suppression import CellKind, suppress

SHOWN, SMALL, HIDDEN = CellKind.SHOWN, CellKind.SMALL, CellKind.HIDDEN


def kinds(row):
    return [c.kind for c in row.cells]


@pytest.mark.parametrize(
    ("counts", "expected_kinds", "total"),
    [
        # Nothing small: everything shown.
        ([40, 20, 15, 12, 11], [SHOWN] * 5, 98),
        # One small cell and a shown total: the next smallest cell is hidden too.
        ([50, 12, 3], [SHOWN, HIDDEN, SMALL], 65),
        # Two small cells whose sum does not pin either: no more hiding.
        ([40, 5, 7], [SHOWN, SMALL, SMALL], 52),
        # Small cells that must all be 0 (total minus shown is 0): one more cell hidden.
        ([50, 30, 0, 0, 0], [SHOWN, HIDDEN, SMALL, SMALL, SMALL], 80),
        # Small cells that must both be 9 (the maximum): one more cell hidden.
        ([20, 9, 9], [HIDDEN, SMALL, SMALL], 38),
        # A total below the minimum: every cell and the total are "< 10".
        ([5, 3], [SMALL, SMALL], None),
        ([0, 0, 0, 0, 0], [SMALL] * 5, None),
        # Hiding the only shown cell would still pin it: the total is hidden instead and
        # the cell is shown again (without a total nothing links the cells).
        ([10, 0], [SHOWN, SMALL], None),
    ],
)
def test_suppression_table(counts, expected_kinds, total):
    row = suppress(dict(zip("abcde", counts, strict=False)), 10)
    assert kinds(row) == expected_kinds
    assert row.total == total
    assert [c.value for c in row.cells] == [
        v if k == SHOWN else None for v, k in zip(counts, expected_kinds, strict=True)
    ]


def test_total_below_minimum_is_shown_as_small_and_hidden_total_otherwise():
    assert suppress({"a": 5, "b": 3}, 10).total_cell.kind == SMALL
    assert suppress({"a": 10, "b": 0}, 10).total_cell.kind == HIDDEN
    assert suppress({"a": 30, "b": 30}, 10).total_cell.kind == SHOWN


def test_suppression_refuses_nonsense():
    with pytest.raises(ValueError):
        suppress({"a": 1}, 0)
    with pytest.raises(ValueError):
        suppress({"a": -1}, 10)


def _possible_values(row, published_max):
    """Every count vector a reader who knows the procedure finds consistent with `row`:
    shown cells exact, "small" cells below the minimum, complementary cells from the
    minimum up to the smallest shown cell, and the total when it is published."""
    m = row.min_group_size
    shown = [c.value for c in row.cells if c.kind == SHOWN]
    ceiling = min(shown) if shown else published_max
    ranges = [
        [c.value] if c.kind == SHOWN else range(m) if c.kind == SMALL else range(m, ceiling + 1)
        for c in row.cells
    ]
    if row.total is None:
        yield from itertools.product(*ranges)
        return
    # With a total, the last cell follows from the others.
    for head in itertools.product(*ranges[:-1]):
        last = row.total - sum(head)
        if last in ranges[-1]:
            yield (*head, last)


def _assert_safe(counts, m, published_max):
    row = suppress({str(i): v for i, v in enumerate(counts)}, m)
    for cell, value in zip(row.cells, counts, strict=True):
        if value < m:
            assert cell.suppressed, (counts, row)
        if cell.kind == SHOWN:
            assert cell.value == value >= m
    if row.total is not None:
        assert row.total == sum(counts) >= m
    suppressed = [i for i, c in enumerate(row.cells) if c.suppressed]
    if not suppressed or row.total is None:
        # Without a total, each suppressed cell ranges freely over at least two values.
        assert all(m > 1 for _ in suppressed)
        return
    seen = {i: set() for i in suppressed}
    for candidate in _possible_values(row, published_max):
        for i in suppressed:
            seen[i].add(candidate[i])
    for i in suppressed:
        assert counts[i] in seen[i], (counts, row)
        assert len(seen[i]) > 1, f"cell {i} of {counts} can be worked out: {row}"


def test_no_suppressed_count_can_be_worked_out_exhaustive_three_cells():
    for counts in itertools.product(range(16), repeat=3):
        _assert_safe(list(counts), 5, 45)


def test_no_suppressed_count_can_be_worked_out_random_five_cells():
    rng = random.Random(52)
    for _ in range(300):
        counts = [rng.choice([0, 1, 2, 5, 9, 10, 11, 12, 15, 30]) for _ in range(5)]
        _assert_safe(counts, 10, 40)
