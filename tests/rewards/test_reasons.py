"""A reason the system wrote into a decision's history reads in the reader's language,
whichever language it was stored in; a reason a person typed is shown as typed."""

import pytest
from django.utils import translation

from rewards import reasons


@pytest.mark.parametrize("stored_in", ["id", "en"])
@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("en", "Recommended by score run 42."),
        ("id", "Direkomendasikan oleh penghitungan skor 42."),
    ],
)
def test_a_system_reason_is_read_in_the_reader_s_language(stored_in, reader, expected):
    with translation.override(stored_in):
        stored = translation.gettext(reasons.RECOMMENDED) % {"run": 42}
    with translation.override(reader):
        assert reasons.in_words(stored) == expected


def test_a_reason_with_a_person_s_words_keeps_them():
    with translation.override("en"):
        stored = translation.gettext(reasons.REVERSED) % {"status": "approved", "reason": "salah"}
    with translation.override("id"):
        shown = reasons.in_words(stored)
    assert shown.endswith(": salah") and not shown.startswith("Reversed")
    assert reasons.in_words("Ditolak karena data belum lengkap") == (
        "Ditolak karena data belum lengkap"
    )
    assert reasons.in_words(None) == ""
