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

from agencies.models import QUARTERS
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
QUARTER_LABELS = dict(QUARTERS)


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
    return str(QUARTER_LABELS.get(quarter, quarter))


@register.filter
def period_label(period: str) -> str:
    """ "Q1".."Q4" as the quarter's label, "Y" as "Whole year"."""
    if period == "Y":
        return _("Whole year")
    return quarter_label(int(period[1]))


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
        return format_html('<span class="change change--new">{}</span>', _("new: no earlier score"))
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
    label: str
    sublabel: str
    value: Decimal | None


CHART_W, CHART_H = 400, 220
PAD_L, PAD_R, PAD_T, PAD_B = 34, 10, 10, 40


@register.inclusion_tag("includes/_trend_chart.html")
def trend_chart(
    points: list[tuple[int, str, Decimal | None]], scheme: scoring.Scheme, title: str
) -> dict:
    """An inline SVG line chart of scores over periods, drawn on the server.

    `points` are (year, period, score) in time order; the y axis runs from 0 to the cap with
    the predikat thresholds as labelled lines. The template gives it a text alternative;
    pages show the same figures as a table next to it.
    """
    top = max([float(scheme.cap), *[float(v) for _, _, v in points if v is not None]])
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    step = plot_w / max(len(points) - 1, 1)

    def y_of(value: Decimal | float) -> float:
        return round(PAD_T + plot_h * (1 - float(value) / top), 1)

    chart_points = []
    previous_year = None
    for i, (year, period, value) in enumerate(points):
        x = round(PAD_L + (i * step if len(points) > 1 else plot_w / 2), 1)
        chart_points.append(
            ChartPoint(
                x=x,
                y=y_of(value) if value is not None else None,
                label=period_label(period),
                sublabel=str(year) if year != previous_year else "",
                value=value,
            )
        )
        previous_year = year
    # Lines between consecutive points that both have a score.
    segments = [
        (a.x, a.y, b.x, b.y)
        for a, b in zip(chart_points, chart_points[1:], strict=False)
        if a.y is not None and b.y is not None
    ]
    thresholds = [
        (y_of(scheme.threshold_istimewa), "Istimewa", scheme.threshold_istimewa),
        (y_of(scheme.threshold_baik), "Baik", scheme.threshold_baik),
        (
            y_of(scheme.threshold_butuh_perbaikan),
            "Butuh Perbaikan",
            scheme.threshold_butuh_perbaikan,
        ),
        (y_of(scheme.threshold_kurang), "Kurang", scheme.threshold_kurang),
    ]
    scored = [p for p in chart_points if p.value is not None]
    return {
        "title": title,
        "left": PAD_L,
        "right": CHART_W - PAD_R,
        "baseline": y_of(0),
        "label_y": CHART_H - PAD_B + 16,
        "sublabel_y": CHART_H - PAD_B + 30,
        "width": CHART_W,
        "height": CHART_H,
        "points": chart_points,
        "segments": segments,
        "thresholds": thresholds,
        "scored": scored,
        "lowest": min(scored, key=lambda p: p.value) if scored else None,
        "highest": max(scored, key=lambda p: p.value) if scored else None,
        "latest": scored[-1] if scored else None,
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
