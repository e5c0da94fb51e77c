"""The reasons the system writes into decisions' and objections' history, in one place.

A history row keeps its reason as text, in the language that was active when it was written
(the nightly job's, an approver's). `in_words` gives a stored system reason back in the
reader's language, whichever language it was stored in; a reason a person typed is shown as
they typed it."""

from __future__ import annotations

import re
from functools import cache

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

RECOMMENDED = gettext_noop("Recommended by score run %(run)s.")
HOLDS_AGAIN = gettext_noop("The condition holds again (score run %(run)s).")
EVIDENCE_UPDATED = gettext_noop("Evidence updated by score run %(run)s.")
WITHDRAWN_CONDITION = gettext_noop("Withdrawn: the condition no longer holds (score run %(run)s).")
WITHDRAWN_RULE = gettext_noop("Withdrawn: the rule is no longer active (score run %(run)s).")
APPROVED = gettext_noop("Approved.")
REJECTED = gettext_noop("Rejected.")
REVERSED = gettext_noop("Reversed (was %(status)s): %(reason)s")
OBJECTION_LODGED = gettext_noop("Objection lodged.")
OBJECTION_ANSWERED = gettext_noop("Objection answered.")
PREDIKAT_OBJECTION_LODGED = gettext_noop("Objection to the predikat lodged.")
SYSTEM_REASONS = (
    RECOMMENDED,
    HOLDS_AGAIN,
    EVIDENCE_UPDATED,
    WITHDRAWN_CONDITION,
    WITHDRAWN_RULE,
    APPROVED,
    REJECTED,
    REVERSED,
    OBJECTION_LODGED,
    OBJECTION_ANSWERED,
    PREDIKAT_OBJECTION_LODGED,
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(text: str) -> re.Pattern:
    parts = _PLACEHOLDER.split(text)  # literal, name, literal, name, ...
    regex = "".join(
        re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)" for n, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$", re.S)


@cache
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    out = []
    for template in SYSTEM_REASONS:
        for lang in ("id", "en"):
            with translation.override(lang):
                out.append((_pattern(gettext(template)), template))
    return tuple(out)


def in_words(stored: str | None) -> str:
    """`stored` in the active language when it is one of the system's reasons; else as is."""
    if not stored:
        return ""
    for pattern, template in _patterns():
        match = pattern.match(stored)
        if match:
            return gettext(template) % match.groupdict()
    return stored
