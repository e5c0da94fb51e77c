"""Decision status and outcome as word + shape (colour is never the only signal)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from performance.models import Expectation
from rewards import reasons
from rewards.models import Decision, Outcome

register = template.Library()
Status = Decision.Status

STATUS_SHAPES = {
    Status.RECOMMENDED: "○",
    Status.APPROVED: "✔",
    Status.REJECTED: "✖",
    Status.WITHDRAWN: "↩",
}
OUTCOME_SHAPES = {
    Outcome.REWARD: "★",
    Outcome.COACHING: "◆",
    Outcome.PENALTY: "▼",
    Outcome.REVIEW: "⚑",
}


@register.inclusion_tag("includes/_status.html")
def decision_status(status: str) -> dict:
    return {
        "status": f"decision-{status}",
        "shape": STATUS_SHAPES.get(status, ""),
        "word": Status(status).label if status in Status.values else status,
    }


@register.inclusion_tag("includes/_status.html")
def outcome_badge(outcome: str) -> dict:
    return {
        "status": f"outcome-{outcome}",
        "shape": OUTCOME_SHAPES.get(outcome, ""),
        "word": Outcome(outcome).label if outcome in Outcome.values else outcome,
    }


@register.filter
def evidence_scores(decision: Decision) -> list[dict]:
    """The evidence's scores with the score as a Decimal (stored as text in the JSON)."""
    out = []
    for row in (decision.evidence or {}).get("scores", []):
        try:
            value = Decimal(row.get("score"))
        except (InvalidOperation, TypeError):
            value = None
        out.append({**row, "score": value})
    return out


@register.filter
def rating_label(value: str | None) -> str:
    """A results or behaviour rating in words (above expectation, as expected, below
    expectation); a dash when there is none."""
    if value in Expectation.values:
        return str(Expectation(value).label)
    return "–"


@register.filter
def reason(stored: str | None) -> str:
    """A history row's reason in the reader's language when the system wrote it."""
    return reasons.in_words(stored)
