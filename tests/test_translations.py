"""The committed translations are complete and compiled: `make run` needs no gettext, so the
.mo files in git must say what the .po files say."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALES = ["id", "en"]


def _po(lang: str) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / lang / "LC_MESSAGES" / "django.po")
    )


@pytest.mark.parametrize("lang", LOCALES)
def test_compiled_catalog_matches_the_po_file(lang):
    mo_path = Path(settings.BASE_DIR) / "locale" / lang / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in _po(lang).translated_entries():
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_every_indonesian_string_is_translated():
    po = _po("id")
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == []
