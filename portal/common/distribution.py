"""The distribution pattern of PermenPAN-RB 6/2022 in words, for the leaders' coherence check
(portal/dashboard) and the methodology page (portal/public): one wording of each clause
(`scoring.DistributionRule`) and of a breach."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from performance import scoring


def _staff_words(rule: scoring.DistributionRule) -> str:
    return _(" or ").join(_(p) for p in rule.staff)


def rule_text(rule: scoring.DistributionRule) -> str:
    """A clause in words: "at most 70% Sangat Baik", "some Butuh Perbaikan or Kurang"."""
    staff = _staff_words(rule)
    if rule.bound == "max":
        return _("at most %(percent)s%% %(staff)s") % {"percent": rule.percent, "staff": staff}
    if rule.bound == "min":
        return _("at least %(percent)s%% %(staff)s") % {"percent": rule.percent, "staff": staff}
    return _("some %(staff)s") % {"staff": staff}


def breach_text(rule: scoring.DistributionRule, counts: Mapping[str, int]) -> str:
    """What breaks a clause, in words: the rule, then the share of the rated staff found."""
    if rule.bound == "some":
        found = _("none of the rated staff")
    else:
        share = rule.share(counts)
        found = _("%(share)s%% of the rated staff") % {
            "share": scoring.round2(share) if share is not None else "–"
        }
    return _("%(rule)s: %(found)s") % {"rule": rule_text(rule), "found": found}
