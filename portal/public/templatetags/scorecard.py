"""The rows of the scorecard's tables (quarters, trend, PK indicators, services), drawn in
Python.

The scorecard is the portal's heaviest page: its tables were about 450 template nodes a
render, and rendered row by row by the template engine they cost about half of the page's
template time (docs/performance.md). Here each row is one `format_html` call, which escapes
every value it is given; the headers, captions and everything around the rows stay in
`agencies/detail.html`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from agencies.models import Agency, Service
from performance.models import Indicator, Score
from performance.queries import Ikm
from portal.common.templatetags.kinerja import (
    _missing,
    count,
    ikm_badge,
    num,
    period_label,
    predikat_badge,
    quarter_label,
    rupiah,
    status_badge,
)

register = template.Library()


@register.simple_tag
def quarter_rows(quarters: Iterable[tuple[int, Score | None]]) -> SafeString:
    """A row per quarter: its label, score, predikat and the K, E and S components."""
    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td class="num">{}</td><td>{}</td><td class="num">{}</td>'
        '<td class="num">{}</td><td class="num">{}</td></tr>',
        (
            (
                quarter_label(q),
                num(getattr(s, "score", None)),
                predikat_badge(getattr(s, "predikat", None)),
                num(getattr(s, "k", None)),
                num(getattr(s, "e", None)),
                num(getattr(s, "s", None)),
            )
            for q, s in quarters
        ),
    )


@register.simple_tag
def trend_rows(
    trend: Iterable[tuple[int, str, Decimal | None]], annual: Iterable[tuple[int, Score]]
) -> SafeString:
    """The figures of the trend chart, a row per quarter, then a row per year's score."""
    row = '<tr><th scope="row">{} {}</th><td class="num">{}</td></tr>'
    quarters = format_html_join(
        "", row, ((period_label(period), year, num(value)) for year, period, value in trend)
    )
    whole_year = _("Whole year")
    years = format_html_join(
        "",
        '<tr><th scope="row">{} {}</th><td class="num">{} {}</td></tr>',
        ((whole_year, year, num(s.score), predikat_badge(s.predikat)) for year, s in annual),
    )
    return quarters + years


def _updated(indicator: Indicator) -> SafeString:
    """When the realisation was last entered, as a <time>, or "never"."""
    if not indicator.updated_at:
        return _missing(_("never"))
    when = template_localtime(indicator.updated_at)
    return format_html(
        '<time datetime="{}">{}</time>', date(when, "c"), date(when, "SHORT_DATE_FORMAT")
    )


@register.simple_tag
def indicator_rows(indicators: Iterable[Indicator]) -> SafeString:
    """A row per PK indicator (see `queries.indicator_table`): its code, text, unit, direction
    and weight, the quarter's target, realisation, achievement and status, last year's
    realisation, the explanation of variance and when it was entered."""
    lower, higher, weight = _("lower is better"), _("higher is better"), _("weight")
    return format_html_join(
        "",
        '<tr><th scope="row"><span class="code">{}</span> {}<br><span class="muted">{}{}{} · '
        '{} {}</span></th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
        '<td>{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                i.code,
                i.text,
                i.unit,
                " · " if i.unit else "",
                lower if i.direction == "lower" else higher,
                weight,
                num(i.weight),
                num(i.target),
                num(i.realisation),
                num(i.achievement),
                status_badge(i.status),
                num(i.last_year_realisation),
                i.explanation or "",
                _updated(i),
            )
            for i in indicators
        ),
    )


@register.simple_tag
def service_rows(agency: Agency, services: Iterable[tuple[Service, Ikm]]) -> SafeString:
    """A row per service of the agency: its name (a link to its page), standard time, fee
    and IKM badge."""
    return format_html_join(
        "",
        '<tr><th scope="row"><a href="{}">{}</a></th><td class="num">{}</td>'
        '<td class="num">{}</td><td>{}</td></tr>',
        (
            (
                reverse("agencies:service", args=[agency.slug, service.code]),
                service.name,
                count(service.standard_days),
                rupiah(service.fee),
                ikm_badge(ikm.value, ikm.grade, ikm.respondents),
            )
            for service, ikm in services
        ),
    )
