"""Formatting of the public pages (template tags) and the small pure helpers behind them."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from performance import scoring
from performance.queries import Ikm, ikm_of, indicator_status
from performance.scoring import previous_period
from portal.common.templatetags.kinerja import num, trend_chart


def render(source: str, **context) -> str:
    return Template("{% load kinerja %}" + source).render(Context(context))


@pytest.mark.parametrize(("language", "expected"), [("id", "1.234,50"), ("en", "1,234.50")])
def test_numbers_use_the_decimal_separator_of_the_language(language, expected):
    with translation.override(language):
        assert num(Decimal("1234.5")) == expected


def test_missing_figure_is_marked_for_screen_readers_too():
    with translation.override("en"):
        html = render("{{ value|num }}", value=None)
    assert "–" in html
    assert 'class="vh"' in html
    assert "no data" in html


@pytest.mark.parametrize("predikat", scoring.PREDIKAT_ORDER)
def test_predikat_badge_has_word_shape_and_colour(predikat):
    html = render("{% predikat_badge p %}", p=predikat)
    assert predikat in html
    assert 'aria-hidden="true"' in html  # the shape, beside the word
    assert "predikat--" in html  # the colour


def test_predikat_shapes_differ_so_colour_is_not_the_only_cue():
    shapes = {
        render("{% predikat_badge p %}", p=p).split("</span>")[0] for p in scoring.PREDIKAT_ORDER
    }
    assert len(shapes) == len(scoring.PREDIKAT_ORDER)


def test_ikm_below_minimum_says_data_belum_cukup_with_n_and_no_grade():
    html = render("{% ikm_badge v g n %}", v=Decimal("80"), g=None, n=7)
    assert "data belum cukup" in html
    assert "n = 7" in html
    assert "abbr" not in html


@pytest.mark.parametrize(("grade", "low", "high"), scoring.IKM_GRADES)
def test_grade_bands_shown_agree_with_mutu_pelayanan(grade, low, high):
    assert scoring.mutu_pelayanan(low) == grade
    assert scoring.mutu_pelayanan(high) == grade
    if grade != "A":
        assert scoring.mutu_pelayanan(high + Decimal("0.01")) != grade


def test_ikm_of_uses_the_scoring_formula_and_the_minimum():
    row = {"respondents": 10, **{f"sum_u{i}": 30 for i in range(1, 10)}}
    ikm = ikm_of(row, 10)
    assert ikm == Ikm(10, scoring.ikm_from_sums([30] * 9, 10), "C", (Decimal(3),) * 9)
    assert ikm_of(row, 11).grade is None
    assert ikm_of({"respondents": 0}, 10).value is None


@pytest.mark.parametrize(
    ("year", "period", "expected"),
    [(2025, "Y", (2024, "Y")), (2025, "Q1", (2024, "Q4")), (2025, "Q3", (2025, "Q2"))],
)
def test_previous_period(year, period, expected):
    assert previous_period(year, period) == expected


@pytest.mark.parametrize(
    ("achievement", "overdue", "status"),
    [
        (None, True, "overdue"),
        (Decimal("0"), True, "overdue"),
        (None, None, "pending"),
        (Decimal("100"), False, "met"),
        (Decimal("90"), False, "near"),
        (Decimal("89.99"), False, "below"),
    ],
)
def test_indicator_status(achievement, overdue, status):
    assert indicator_status(achievement, overdue, scoring.DEFAULT_SCHEME) == status


def test_status_badge_has_words_and_shape():
    with translation.override("en"):
        html = render('{% status_badge "overdue" %}')
    assert "Overdue" in html and "⚠" in html and "status--overdue" in html


def test_trend_chart_places_points_and_breaks_the_line_at_gaps():
    points = [
        (2025, "Q1", Decimal("60"), True),
        (2025, "Q2", None, True),
        (2025, "Q3", Decimal("120"), True),
    ]
    chart = trend_chart(points, scoring.DEFAULT_SCHEME, "t")
    assert chart["segments"] == []  # no line across the gap
    first, gap, last = chart["points"]
    assert gap.y is None
    assert last.y < first.y  # higher score, higher on the chart
    assert chart["lowest"].value == 60 and chart["highest"].value == 120


def test_trend_chart_svg_uses_dots_in_coordinates_in_indonesian():
    points = [(2025, "Q1", Decimal("60.5"), True), (2025, "Q2", Decimal("70.25"), False)]
    with translation.override("id"):
        html = Template("{% load kinerja %}{% trend_chart p s t %}").render(
            Context({"p": points, "s": scoring.DEFAULT_SCHEME, "t": "Skor"})
        )
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    for attr in ("cx", "cy", "x1", "y1"):
        for value in html.split(f'{attr}="')[1:]:
            assert "," not in value.split('"')[0]


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1.235"), 2, "1,24"),  # number_format alone gives 1,23
        (Decimal("2.675"), 2, "2,68"),
        (Decimal("1.2349"), 2, "1,23"),
        (Decimal("99.995"), 2, "100,00"),
        (Decimal("-0.005"), 2, "-0,01"),
        (Decimal("1234.5"), 0, "1.235"),
        (1.005, 2, "1,01"),  # a float is rounded as it reads, not as it is stored
        (7, 2, "7,00"),
    ],
)
def test_figures_are_rounded_half_up_not_cut_off(value, places, expected):
    with translation.override("id"):
        assert num(value, places) == expected


def _svg_texts(html: str) -> list[tuple[float, float, str, str]]:
    """(x, y, anchor, text) of each <text> of an SVG."""
    import re

    out = []
    for attrs, text in re.findall(r"<text([^>]*)>([^<]*)</text>", html):
        found = dict(re.findall(r'([a-z-]+)="([^"]*)"', attrs))
        out.append((float(found["x"]), float(found["y"]), found.get("text-anchor", "start"), text))
    return out


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_label_of_the_trend_chart_is_inside_its_box(language):
    """No label is cut at the chart's edges (the last quarter read "TW I" for "TW IV"):
    each text's extent, at a generous 0.62 of the font size a character, lies inside the
    viewBox."""
    import re

    points = [
        (year, f"Q{q}", Decimal(40 + 10 * q), (year, q) != (2026, 4))
        for year in (2025, 2026)
        for q in (1, 2, 3, 4)
    ]
    with translation.override(language):
        html = render("{% trend_chart p s t %}", p=points, s=scoring.DEFAULT_SCHEME, t="Skor")
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', html).groups())
    texts = _svg_texts(html)
    names = " ".join(t for *_, t in texts)
    for band in ("Istimewa", "Baik", "Butuh", "Perbaikan", "Kurang", "Sangat"):
        assert band in names
    assert "IV" in {t for *_, t in texts}
    font = 12
    for x, y, anchor, text in texts:
        extent = 0.62 * font * len(text)
        left = {"start": x, "middle": x - extent / 2, "end": x - extent}[anchor]
        assert left >= 0 and left + extent <= width, (text, x, anchor)
        assert font / 2 <= y <= height - 2, (text, y)
    # The provisional quarter is drawn apart: hollow, the line to it dashed.
    assert html.count("chart-point--provisional") == 1
    assert "chart-line--provisional" in html
