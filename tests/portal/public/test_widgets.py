"""`agencies.widgets.PlainSelect`: Django's `Select`, drawn without its templates."""

import pytest
from django import forms
from django.test.html import parse_html

from portal.public.widgets import PlainSelect

CHOICES = [("", "Latest"), (1, "TW I"), (2, 'TW <II> & "more"'), ("2", "again two")]


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (None, None),
        ("", {"id": "id_q"}),
        (1, {"id": "id_q", "required": True}),
        ("2", {"id": "id_q", "aria-invalid": "true", "aria-describedby": "id_q_error"}),
        ("9", {"disabled": False, "class": "a b"}),
    ],
)
def test_the_same_html_as_djangos_select(value, attrs):
    plain = PlainSelect(choices=CHOICES).render("quarter", value, attrs)
    django = forms.Select(choices=CHOICES).render("quarter", value, attrs)
    assert parse_html(plain) == parse_html(django)
    assert plain.count(" selected") == (value in (None, "", 1, "2"))  # one at most, as Select


def test_grouped_choices_are_left_to_djangos_templates():
    grouped = [("Years", [(2025, "2025"), (2026, "2026")])]
    html = PlainSelect(choices=grouped).render("year", 2026)
    assert "<optgroup" in html and '<option value="2026" selected>' in html
