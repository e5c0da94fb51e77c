"""Every page of the workspace and the dashboard speaks one language (issue 23): rendered in
Bahasa Indonesia, no English sentence of the catalogue is on it, nor a number in the English
format; rendered in English, no Indonesian sentence, nor a number in the Indonesian format.

The pages are every GET of the authorization table under /workspace/ and /dashboard/ that
the HR officer (workspace) or the leader (dashboard) may open, with the security world's
data (tests/security/conftest.py): contracts in every status, decisions, objections, late
changes, ratings, services. What is compared is the visible text (no markup, scripts or
styles), against the catalogue's sentences of at least three words that the translation
changes, so a name or a code that is the same in both languages never counts."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.security import policy as authz
from tests.security.policy import ALLOW

from .test_authorization_matrix import url_of

pytestmark = pytest.mark.django_db
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{[^}]*\}\}|\{[^}]*\}")
# A decimal in the other language's format: "11.5" on an Indonesian page, "11,5" on an
# English one. A thousands group has three digits, so "1.234" and "1,234" do not match.
OTHER_DECIMAL = {
    "id": re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.,])"),
    "en": re.compile(r"(?<![\d.,])\d+,\d{1,2}(?![\d.,])"),
}
# Not decimals: a time after a date ("6 Des. 2026, 16.14" is Indonesian for 16:14), the
# licence's version, and the help text that shows both ways a decimal may be typed.
NOT_DECIMALS = re.compile(
    r"\d{4}, \d{1,2}[.:]\d{2}|\(\d{1,2}[.:]\d{2}\)|(?:CC BY|Attribution) \d\.\d"
    r"|\d,\d (?:or|atau) \d\.\d"
)


class _Text(HTMLParser):
    """The text a reader sees (and a screen reader reads): no tags, scripts or styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@cache
def sentences() -> dict[str, list[str]]:
    """Per language, the catalogue's sentences that must not appear on its pages: on the
    Indonesian pages the English msgids, on the English pages the Indonesian msgstrs, of the
    entries the translation changes, as their longest run of words between placeholders."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    out: dict[str, list[str]] = {"id": [], "en": []}
    # An Indonesian term the English text itself uses as the domain's word ("follow-up plan
    # (rencana tindak lanjut)"), and the reverse, is no mistake.
    both = {"id": " ".join(e.msgstr for e in po), "en": " ".join(e.msgid for e in po)}
    for entry in po.translated_entries():
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0])]
        for english, indonesian in pairs:
            if english.strip() == indonesian.strip():
                continue
            for lang, text in (("id", english), ("en", indonesian)):
                run = max(PLACEHOLDER.split(text), key=len).strip(" .,:;()")
                run = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", run)).strip()
                if len(run.split()) >= 3 and run not in both[lang]:
                    out[lang].append(run)
    return out


def pages() -> list[tuple[str, str]]:
    """(URL name, role) of every workspace and dashboard page a role opens."""
    out = []
    for (name, method), rule in sorted(authz.table().items()):
        if method != "GET":
            continue
        for role in ("anonymous", "officer", "leader", "civil_servant"):
            if rule.outcome(role) == ALLOW:
                out.append((name, role))
                break
    return out


def _portal_pages(world) -> list[tuple[str, str, str]]:
    found = []
    for name, role in pages():
        url = url_of(name, world)
        if not url.startswith("/admin/") and not url.endswith((".csv", ".xlsx", ".json")):
            found.append((name, role, url))
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
def test_workspace_and_dashboard_pages_speak_one_language(in_world, lang):
    wrong: list[str] = []
    seen = 0
    for name, role, url in _portal_pages(in_world):
        client = in_world.client(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        text = visible_text(response.content.decode())
        numbers = NOT_DECIMALS.sub(" ", text)
        for sentence in sentences()[lang]:
            if sentence in text:
                wrong.append(f"{name} ({lang}): {sentence!r}")
        for m in OTHER_DECIMAL[lang].finditer(numbers):
            wrong.append(f"{name} ({lang}): {numbers[m.start() - 40 : m.end() + 20]!r}")
    assert seen >= 50, f"only {seen} pages rendered"
    assert wrong == [], "\n".join(wrong)
