"""Formatting for the public pages: numbers per language, predikat and status as word + shape
+ colour (never colour alone), movements, suppressed counts and the inline SVG trend chart."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agencies.models import quarter_name
from agencies.suppression import Cell
from performance import scoring

register = template.Library()

# Word, shape and CSS modifier of each predikat band; shapes differ so the band reads in
# greyscale and for colour-blind readers too.
PREDIKAT_STYLE = {
    "Istimewa": ("★", "istimewa"),
    "Sangat Baik": ("★", "sangat-baik"),
    "Baik": ("▲", "baik"),
    "Butuh Perbaikan": ("■", "butuh-perbaikan"),
    "Kurang": ("▼", "kurang"),
    "Sangat Kurang": ("✖", "sangat-kurang"),
}
STATUS_STYLE = {
    "met": ("✔", gettext_lazy("Target met")),
    "near": ("◐", gettext_lazy("Nearly met")),
    "below": ("▼", gettext_lazy("Below target")),
    "overdue": ("⚠", gettext_lazy("Overdue: no realisation reported")),
    "pending": ("○", gettext_lazy("Not reported yet")),
}
GRADE_WORDS = {
    "A": gettext_lazy("Sangat Baik"),
    "B": gettext_lazy("Baik"),
    "C": gettext_lazy("Kurang Baik"),
    "D": gettext_lazy("Tidak Baik"),
}


def _missing(word: str) -> SafeString:
    return format_html('<span class="na">–<span class="vh"> {}</span></span>', word)


@register.simple_tag
def missing(word: str) -> SafeString:
    """A dash for a figure that is not there, with `word` for screen readers."""
    return _missing(word)


def _no_data() -> SafeString:
    return _missing(_("no data"))


def _rounded(value: Decimal | int | float, places: int) -> Decimal | int:
    """`value` rounded half up to `places` decimals, as DESIGN.md rounds figures: Django's
    number formatting cuts the digits past `places` off (a realisation of 1.235 would show
    as 1,23)."""
    if isinstance(value, int):
        return value
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    try:
        return number.quantize(_quantum(places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal context holds: nothing to round
        return number


@functools.cache
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _grouped(value: Decimal | int | float, places: int) -> str:
    """Django's number formatting in the current language, with thousands grouped, of the
    value rounded half up first (`_rounded`)."""
    return number_format(_rounded(value, places), places, use_l10n=True, force_grouping=True)


@register.filter
def num(value: Decimal | int | float | None, places: int = 2) -> str:
    """A figure in the current language (Indonesian: 1.234,50), or a marked "no data"."""
    if value is None or value == "":
        return _no_data()
    return _grouped(value, int(places))


@register.filter
def figure(value: Decimal | None) -> str:
    """A figure with decimals only when it has them (120 but 4,50)."""
    if value is None:
        return _no_data()
    integral = Decimal(value) == Decimal(value).to_integral_value()
    return num(value, 0 if integral else 2)


@register.filter
def count(value: int | None) -> str:
    """A whole number with the language's thousands separator."""
    if value is None:
        return _no_data()
    return _grouped(value, 0)


@register.filter
def rupiah(value: Decimal | None) -> str:
    if value is None:
        return _no_data()
    if value == 0:
        return _("free of charge")
    return "Rp " + _grouped(value, 0)


@register.filter
def quarter_label(quarter: int) -> str:
    return quarter_name(quarter)


@register.filter
def period_label(period: str) -> str:
    """ "Q1".."Q4" as the quarter's label, "Y" as "Whole year"."""
    if period == "Y":
        return _("Whole year")
    return quarter_label(int(period[1]))


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """`mapping[key]`, or an empty list when it is absent."""
    return mapping.get(key, [])


@register.filter
def get_count(counts: dict, key: str) -> str:
    """A count from a {key: n} dict, 0 when absent, formatted."""
    return count(counts.get(key, 0))


@register.filter
def grade_word(grade: str | None) -> str:
    return str(GRADE_WORDS.get(grade, ""))


@register.simple_tag
def grade_bands() -> tuple[tuple[str, Decimal, Decimal], ...]:
    """(grade, lowest IKM, highest IKM) of each service-quality grade (`scoring.IKM_GRADES`)."""
    return scoring.IKM_GRADES


def _badge(css: str, shape: str, word: object) -> SafeString:
    """A word with a shape hidden from screen readers, in a span styled by `css`."""
    return format_html(
        '<span class="{}"><span class="shape" aria-hidden="true">{}</span> {}</span>',
        css,
        shape,
        word,
    )


@register.simple_tag
def predikat_badge(predikat: str | None) -> SafeString:
    """Predikat as a badge: shape (hidden from screen readers), the word, and a colour."""
    if not predikat:
        return _missing(_("no score"))
    shape, modifier = PREDIKAT_STYLE.get(predikat, ("", ""))
    return _badge(f"predikat predikat--{modifier}", shape, _(predikat))


@register.simple_tag
def provisional_badge() -> SafeString:
    """A figure of a period that is not closed: in words and a shape, never colour alone."""
    return format_html(
        '<span class="provisional" title="{}"><span class="shape" aria-hidden="true">◌</span>'
        " {}</span>",
        _("The period is still open: the figure may change and carries no predikat."),
        _("provisional"),
    )


@register.simple_tag
def score_badge(score: object) -> SafeString:
    """What stands beside a score (a Score, or an agency annotated `with_score`): its
    predikat once the period is closed, "provisional" before, "no score" without one; and
    "incomplete" when a component it needs is missing (it is then not ranked)."""
    if getattr(score, "score", None) is None:
        return _missing(_("no score"))
    badge = predikat_badge(score.predikat) if score.final else provisional_badge()
    if getattr(score, "complete", True) is False:
        badge += format_html(
            ' <span class="incomplete" title="{}"><span class="shape" aria-hidden="true">◇'
            "</span> {}</span>",
            _("A component is missing (K, or S for an agency with public services)."),
            _("incomplete"),
        )
    return badge


@register.filter
def period_title(period: object) -> str:
    """A published period in words: "2026", "Q3 2026", and an open year's year to date with
    the quarters it covers ("2026, Q1-Q3"). Nothing without a period."""
    if period is None:
        return ""
    year, name = period.year, period.period
    if name != "Y":
        return f"{quarter_label(int(name[1]))} {year}"
    if period.final or not period.closed:
        return str(year)
    first, last = quarter_label(period.closed[0]), quarter_label(period.closed[-1])
    if first == last:
        return f"{year}, {first}"
    if " " in first and first.split()[0] == last.split()[0]:  # "TW I–III", not "TW I–TW III"
        last = last.split()[-1]
    return f"{year}, {first}–{last}"


@register.simple_tag
def status_badge(status: str) -> SafeString:
    shape, word = STATUS_STYLE[status]
    return _badge(f"status status--{status}", shape, word)


@register.simple_tag
def ikm_badge(value: Decimal | None, grade: str | None, respondents: int | None) -> SafeString:
    """An IKM with its grade, or "data belum cukup" with n when below the minimum."""
    if value is None:
        return _missing(_("no survey"))
    n = format_html('<span class="n">n = {}</span>', count(respondents or 0))
    if grade:
        word = grade_word(grade)
        return format_html(
            '<span class="grade grade--{}">{} · <abbr title="{}: {}">{}</abbr> '
            '<span class="grade-word">({})</span></span> {}',
            grade.lower(),
            num(value),
            _("Service quality"),
            word,
            grade,
            word,
            n,
        )
    return format_html(
        '<span class="grade grade--none">{} · {}</span> {}', num(value), _("data belum cukup"), n
    )


@register.simple_tag
def score_ikm(score: object, min_responses: int) -> dict:
    """The IKM of an agency score row (the IKM its S came from, and respondents) as
    `ikm_badge` arguments: no grade below the scheme's minimum."""
    s = getattr(score, "ikm", None)
    n = getattr(score, "respondents", None)
    grade = scoring.mutu_pelayanan(s) if s is not None and (n or 0) >= min_responses else None
    return {"value": s, "grade": grade, "respondents": n}


CHANGE_SHAPES = {"up": "▲", "down": "▼", "same": "▶"}


def _change(direction: str, words: str) -> SafeString:
    return format_html(
        '<span class="change change--{}"><span aria-hidden="true">{}</span> {}</span>',
        direction,
        CHANGE_SHAPES[direction],
        words,
    )


@register.simple_tag
def change(current: Decimal | None, previous: Decimal | None) -> SafeString:
    """The change of a score since the period before: arrow + signed number + words."""
    if not isinstance(current, Decimal) or not isinstance(previous, Decimal):
        return delta_badge(None)  # a score missing on either side
    return delta_badge(current - previous)


@register.simple_tag
def delta_badge(delta: Decimal | None) -> SafeString:
    """A change given as a signed number: arrow + number + words."""
    if delta is None:
        return _missing(_("no earlier score"))
    if delta > 0:
        return _change("up", _("up %(delta)s") % {"delta": num(abs(delta))})
    if delta < 0:
        return _change("down", _("down %(delta)s") % {"delta": num(abs(delta))})
    return _change("same", _("unchanged"))


@register.simple_tag
def movement(rank: int | None, prev_rank: int | None, prev_score: Decimal | None) -> SafeString:
    """Places gained or lost in the ranking since the period before."""
    if rank is None or prev_score is None or prev_rank is None:
        return format_html(
            '<span class="change change--new">{}</span>', _("new: no comparable earlier score")
        )
    places = prev_rank - rank
    if places > 0:
        words = ngettext("up %(places)s place", "up %(places)s places", places)
        return _change("up", words % {"places": places})
    if places < 0:
        words = ngettext("down %(places)s place", "down %(places)s places", -places)
        return _change("down", words % {"places": -places})
    return _change("same", _("same place"))


@register.simple_tag
def count_cell(cell: Cell, min_group_size: int) -> SafeString:
    """A suppressed count: the number, "< 10", or hidden (complementary suppression)."""
    kind = str(cell.kind)
    if kind == "shown":
        return count(cell.value)
    if kind == "small":
        return format_html(
            '<span class="suppressed" title="{}">&lt; {}</span>',
            _("Fewer than %(min)s: not published") % {"min": min_group_size},
            min_group_size,
        )
    return format_html(
        '<span class="suppressed suppressed--hidden">*<span class="vh"> {}</span></span>',
        _("hidden so that a small group cannot be worked out"),
    )


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float | None
    label: str  # the quarter's full label, for the point's title
    tick: str  # its short label under the axis (I, II, III, IV)
    sublabel: str  # the year, under the year's first quarter
    value: Decimal | None
    final: bool


@dataclass(frozen=True)
class ChartBand:
    """A predikat's range of scores, shaded behind the line and named at the right."""

    name: str
    modifier: str
    top: float
    bottom: float
    label_y: float
    low: Decimal

    @property
    def height(self) -> float:
        return round(self.bottom - self.top, 1)

    @property
    def lines(self) -> list[tuple[str, float]]:
        """The band's name as (line, y): two words on two lines ("Butuh / Perbaikan")
        where the band is tall enough, so the label fits beside the chart."""
        words = self.name.split()
        if len(words) == 1 or self.height < 28:
            return [(self.name, self.label_y)]
        return [(words[0], self.label_y - 7), (" ".join(words[1:]), self.label_y + 7)]


# The chart's own coordinates: 400 units wide, so that at a 360 px phone's width its 12-unit
# labels still read at about 11 px (they were 7 px on a 640-unit chart).
CHART_W, CHART_H = 400, 250
PAD_L, PAD_R, PAD_T, PAD_B = 30, 84, 8, 40
TICKS = {1: "I", 2: "II", 3: "III", 4: "IV"}


@register.inclusion_tag("includes/_trend_chart.html")
def trend_chart(
    points: list[tuple[int, str, Decimal | None, bool]], scheme: scoring.Scheme, title: str
) -> dict:
    """An inline SVG line chart of scores over quarters, drawn on the server.

    `points` are (year, period, score, final) in time order. The y axis runs from 0 to the
    cap (or the highest score); the organisation scale's predikat ranges are shaded bands,
    named at the right; a provisional point (its quarter still open) is drawn hollow and
    the line to it dashed. The template gives it a text alternative; pages show the same
    figures as a table next to it.
    """
    values = [float(v) for _, _, v, _ in points if v is not None]
    top = max([float(scheme.cap), *values])
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    step = plot_w / max(len(points) - 1, 1)

    def y_of(value: Decimal | float) -> float:
        return round(PAD_T + plot_h * (1 - float(value) / top), 1)

    chart_points = []
    previous_year = None
    for i, (year, period, value, final) in enumerate(points):
        quarter = int(period[1])
        chart_points.append(
            ChartPoint(
                x=round(PAD_L + (i * step if len(points) > 1 else plot_w / 2), 1),
                y=y_of(value) if value is not None else None,
                label=f"{period_label(period)} {year}",
                tick=TICKS[quarter],
                sublabel=str(year) if year != previous_year else "",
                value=value,
                final=final,
            )
        )
        previous_year = year
    # Lines between consecutive points that both have a score; dashed into a provisional one.
    segments = [
        (a.x, a.y, b.x, b.y, not b.final)
        for a, b in zip(chart_points, chart_points[1:], strict=False)
        if a.y is not None and b.y is not None
    ]
    lows = [
        ("Istimewa", scheme.threshold_istimewa),
        ("Baik", scheme.threshold_baik),
        ("Butuh Perbaikan", scheme.threshold_butuh_perbaikan),
        ("Kurang", scheme.threshold_kurang),
        ("Sangat Kurang", Decimal(0)),
    ]
    bands = []
    upper = top
    for name, low in lows:
        band_top, band_bottom = y_of(upper), y_of(low)
        bands.append(
            ChartBand(
                name=name,
                modifier=PREDIKAT_STYLE[name][1],
                top=band_top,
                bottom=band_bottom,
                label_y=round((band_top + band_bottom) / 2, 1),
                low=low,
            )
        )
        upper = float(low)
    scored = [p for p in chart_points if p.value is not None]
    return {
        "title": title,
        "left": PAD_L,
        "right": CHART_W - PAD_R,
        "plot_width": plot_w,
        "band_label_x": CHART_W - PAD_R + 4,
        "baseline": y_of(0),
        "label_y": CHART_H - PAD_B + 16,
        "sublabel_y": CHART_H - PAD_B + 31,
        "width": CHART_W,
        "height": CHART_H,
        "points": chart_points,
        "segments": segments,
        "bands": bands,
        "scored": scored,
        "provisional": any(not p.final for p in scored),
        "lowest": min(scored, key=lambda p: p.value) if scored else None,
        "highest": max(scored, key=lambda p: p.value) if scored else None,
        "latest": scored[-1] if scored else None,
    }


# The province's regencies and cities on a tile grid (no map tiles, no outside request): Lombok
# to the west, Sumbawa to the east, roughly where each lies. (column, row) by BPS code; the
# province's own agencies have a tile of their own above.
MAP_TILES = {
    "5271": (0, 0),  # Kota Mataram
    "5208": (1, 0),  # Lombok Utara
    "5201": (0, 1),  # Lombok Barat
    "5202": (1, 1),  # Lombok Tengah
    "5203": (2, 1),  # Lombok Timur
    "5207": (3, 1),  # Sumbawa Barat
    "5204": (4, 1),  # Sumbawa
    "5205": (5, 1),  # Dompu
    "5206": (6, 1),  # Bima
    "5272": (6, 0),  # Kota Bima
    "52": (3, 0),  # the province's own agencies
}
TILE, GAP = 92, 6


@dataclass(frozen=True)
class MapSegment:
    x: float
    width: float
    modifier: str


@register.inclusion_tag("includes/_province_map.html")
def province_map(regions: list, title: str) -> dict:
    """A tile-grid map of NTB: one square per regency or city (and one for the province's own
    agencies), its bar split by the share of its agencies in each predikat (colour and the
    predikat's order), labelled with its name and counts; the figures are also in a table
    beside it. Server-drawn SVG, no script."""
    tiles = []
    for region in regions:
        if region.code not in MAP_TILES:
            continue
        column, row = MAP_TILES[region.code]
        x, y = column * (TILE + GAP), row * (TILE + GAP)
        segments, left = [], x + 6
        width = TILE - 12
        for name in scoring.ORGANISATION_SCALE:
            n = region.counts.get(name, 0)
            if n and region.graded:
                share = width * n / region.graded
                segments.append(
                    MapSegment(round(left, 1), round(share, 1), PREDIKAT_STYLE[name][1])
                )
                left += share
        short = region.name.replace("Kabupaten ", "")
        if region.code == "52":
            short = _("Province agencies")
        tiles.append(
            {
                "region": region,
                "x": round(x, 1),
                "y": round(y, 1),
                "lines": short.split(" ", 1),
                "segments": segments,
            }
        )
    return {
        "title": title,
        "tiles": tiles,
        "size": TILE,
        "width": 7 * (TILE + GAP),
        "height": TILE + GAP + TILE,
        "scale": [(name, PREDIKAT_STYLE[name][1]) for name in scoring.ORGANISATION_SCALE],
        "regions": regions,
    }


@register.inclusion_tag("includes/_sparkline.html")
def sparkline(points: list, label: str) -> dict:
    """A small line of an agency's last quarterly scores (year, period, score, final) for a
    table row; its numbers are in its accessible name."""
    values = [float(p[2]) for p in points if p[2] is not None]
    if len(values) < 2:
        return {"points": None}
    low, high = min(values + [50.0]), max(values + [120.0])
    width, height = 80, 22
    step = width / (len(points) - 1)
    coords = []
    for i, (_year, _period, value, _final) in enumerate(points):
        y = height - 2 - (float(value) - low) / (high - low) * (height - 4)
        coords.append(f"{round(i * step, 1)},{round(y, 1)}")
    last = points[-1]
    words = ", ".join(f"{period_label(p)} {y}: {num(v)}" for y, p, v, _ in points)
    return {
        "points": " ".join(coords),
        "width": width,
        "height": height,
        "last_x": coords[-1].split(",")[0],
        "last_y": coords[-1].split(",")[1],
        "last_final": last[3],
        "label": f"{label}: {words}",
    }


@register.simple_tag
def components(score: object, scheme: scoring.Scheme) -> dict:
    """How an agency score combines K, E and S with the scheme's weights: each component's
    value (None when absent) and weight, and the sum of the weights of those present."""
    parts = [
        {"code": "K", "value": getattr(score, "k", None), "weight": scheme.weight_contract},
        {"code": "E", "value": getattr(score, "e", None), "weight": scheme.weight_staff},
        {"code": "S", "value": getattr(score, "s", None), "weight": scheme.weight_survey},
    ]
    present = sum((p["weight"] for p in parts if p["value"] is not None), Decimal(0))
    return {"parts": parts, "weight_sum": present}


@register.filter
def distribution_rule(rule: scoring.DistributionRule) -> str:
    """A clause of the staff distribution pattern in words ("at most 70% Sangat Baik")."""
    from portal.common.distribution import rule_text

    return rule_text(rule)


@register.simple_tag
def rating_levels() -> tuple[str, ...]:
    """The three levels of a civil servant's ratings, best first (above, as_expected, below)."""
    return scoring.RATINGS


@register.simple_tag
def core_values() -> tuple[tuple[str, str], ...]:
    """The BerAKHLAK core values of the behaviour rating: (code, name)."""
    return scoring.BERAKHLAK
