"""Small-group suppression of counts of people (DESIGN.md, "Privacy and openness").

Pure: counts in, a publishable row out. No Django, no database.

Primary suppression: a count below the minimum group size is hidden and shown as "< 10".
Hiding is not enough when the row's total is published: with a single hidden cell, the total
minus the visible cells gives it back. So, while any hidden cell's exact value can still be
worked out from what is published, the smallest visible cell is hidden as well
(complementary suppression, shown as hidden but not as "< 10", which would be untrue); when
no visible cell is left, the total is hidden instead (and the other cells shown again).

"Worked out" assumes a reader who knows this procedure: a primary cell lies in
[0, minimum - 1]; a complementary cell lies in [minimum, the smallest cell still shown].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class CellKind(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # primary suppression: the count is below the minimum
    HIDDEN = "hidden"  # complementary suppression: hidden so no small count can be derived


@dataclass(frozen=True)
class Cell:
    key: str
    value: int | None  # None unless kind is SHOWN
    kind: CellKind

    @property
    def suppressed(self) -> bool:
        return self.kind != CellKind.SHOWN


@dataclass(frozen=True)
class SuppressedRow:
    """A row of counts safe to publish. `total` is None when it is suppressed too
    (`total_cell` says how)."""

    cells: tuple[Cell, ...]
    total: int | None
    min_group_size: int
    total_kind: CellKind = CellKind.SHOWN

    @property
    def total_cell(self) -> Cell:
        return Cell("total", self.total, self.total_kind)

    @property
    def any_suppressed(self) -> bool:
        return self.total is None or any(c.suppressed for c in self.cells)

    @property
    def any_hidden(self) -> bool:
        """Whether some cell is a complementary suppression (needs its own footnote)."""
        return any(c.kind == CellKind.HIDDEN for c in self.cells)


def _some_cell_derivable(bounds: dict[str, tuple[float, float]], remainder: int) -> bool:
    """Whether the hidden cells, each known to lie in [low, high] and summing to `remainder`,
    include one whose value is pinned to a single number."""
    for key, (low, high) in bounds.items():
        others_low = sum(lo for k, (lo, _) in bounds.items() if k != key)
        others_high = sum(hi for k, (_, hi) in bounds.items() if k != key)
        pinned_low = max(low, remainder - others_high)
        pinned_high = min(high, remainder - others_low)
        if pinned_low == pinned_high:
            return True
    return False


def suppress(counts: Mapping[str, int], min_group_size: int) -> SuppressedRow:
    """Publishable version of a row of counts of people (e.g. staff per predikat).

    Guarantees: every published cell and the published total are >= `min_group_size`; every
    count below it is shown as SMALL or HIDDEN, never as a number; and no hidden cell's exact
    value follows from the published cells and total. Cells keep the order of `counts`.
    """
    if min_group_size < 1:
        raise ValueError("min_group_size must be at least 1")
    if any(v < 0 for v in counts.values()):
        raise ValueError("counts cannot be negative")
    total = sum(counts.values())
    if total < min_group_size:
        cells = tuple(Cell(k, None, CellKind.SMALL) for k in counts)
        return SuppressedRow(cells, None, min_group_size, CellKind.SMALL)

    small = {k for k, v in counts.items() if v < min_group_size}
    complementary: list[str] = []
    visible = {k: v for k, v in counts.items() if k not in small}
    show_total = True

    def bounds() -> dict[str, tuple[float, float]]:
        ceiling = min(visible.values()) if visible else math.inf
        out: dict[str, tuple[float, float]] = dict.fromkeys(small, (0, min_group_size - 1))
        out.update(dict.fromkeys(complementary, (min_group_size, ceiling)))
        return out

    while small and _some_cell_derivable(bounds(), total - sum(visible.values())):
        if not visible:
            # Hide the total instead: without it the cells are not linked, so the
            # complementary cells can be shown again.
            show_total = False
            complementary.clear()
            break
        key = min(visible, key=lambda k: visible[k])  # first in row order among equals
        visible.pop(key)
        complementary.append(key)

    def cell(key: str, value: int) -> Cell:
        if key in small:
            return Cell(key, None, CellKind.SMALL)
        if key in complementary:
            return Cell(key, None, CellKind.HIDDEN)
        return Cell(key, value, CellKind.SHOWN)

    return SuppressedRow(
        tuple(cell(k, v) for k, v in counts.items()),
        total if show_total else None,
        min_group_size,
        CellKind.SHOWN if show_total else CellKind.HIDDEN,
    )
