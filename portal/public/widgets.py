"""Form widgets of the public pages."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class PlainSelect(forms.Select):
    """A single `<select>` of plain options (no groups), drawn with `format_html` instead of
    Django's widget templates, which render a template per option: the period form cost a
    twelfth of a scorecard's render that way (docs/performance.md). The HTML is Django's
    `Select` but for the whitespace between tags and the order of the attributes
    (`tests/agencies/test_widgets.py` compares them parsed); choices with groups are left
    to it."""

    def render(
        self, name: str, value: object, attrs: dict | None = None, renderer: object = None
    ) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        rows, chosen = [], False
        for option, label in choices:
            selected = not chosen and str(option) in wanted  # the first match only, as Select
            chosen = chosen or selected
            rows.append((option, " selected" if selected else "", label))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            format_html_join("", '<option value="{}"{}>{}</option>', rows),
        )
