"""The advocate score (I3): an explainable weighted sum of seven factors, each from 0 to 1.

score = 100 × Σ weightᵢ × factorᵢ / Σ weightᵢ, rounded to one decimal; each candidate
shows every factor's value, its raw input and its contribution (in score points), so the
contributions add up to the score.

| factor      | input                                              | factor value                          |
|-------------|----------------------------------------------------|---------------------------------------|
| nps         | the latest NPS answer                              | score / 10 (no answer: 0)             |
| health      | `Customer.health_score` (0–100)                    | health / 100 (none: 0)                |
| tenure      | months since `signed_up_at` (else first seen / joined) | min(months / 24, 1)               |
| referrals   | referrals made as an advocate (not denied)         | min(log(1+n) / log(1+10), 1)          |
| reach       | attribute `followers`, plus any `followers_<network>` | min(log10(1+f) / 5, 1) (100k → 1)  |
| consistency | attributes `posts_per_month`, `active_weeks` (of 12) | mean of min(posts/8, 1) and weeks/12 |
| authority   | attributes `authority` (0–100), `verified`, `expert` | max(authority/100, ½·verified + ½·expert) |

Attribute columns come from `Customer.attributes` (the imported profile columns); numbers
may be text ("1,200"); yes/true/1/x count as true for the flags.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.errors import InvalidInput

from .models import ScoreWeights

FACTOR_LABELS = {
    "nps": gettext_lazy("NPS"), "health": gettext_lazy("Health"), "tenure": gettext_lazy("Tenure"),
    "referrals": gettext_lazy("Past referrals"), "reach": gettext_lazy("Social reach"),
    "consistency": gettext_lazy("Consistency"), "authority": gettext_lazy("Authority"),
}
TENURE_FULL_MONTHS = 24
REFERRALS_FULL = 10
REACH_FULL_FOLLOWERS_LOG10 = 5  # 100,000 followers
POSTS_FULL_PER_MONTH = 8
WEEKS_WINDOW = 12
MAX_WEIGHT = 1000
TRUE_WORDS = {"1", "true", "yes", "y", "x", "on", "verified", "expert"}


def weights_for(program) -> ScoreWeights:
    weights, _created = ScoreWeights.objects.get_or_create(program=program)
    return weights


def update_weights(program, values: dict, *, user=None) -> ScoreWeights:
    """Set the weights: whole numbers from 0 to 1000, at least one above zero; else 422, nothing changed."""
    errors, cleaned = {}, {}
    for factor in ScoreWeights.FACTORS:
        raw = values.get(factor, 0)
        try:
            number = int(str(raw).strip() or 0) if not isinstance(raw, bool) else -1
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= MAX_WEIGHT:
            errors[factor] = [_("Give a whole number from 0 to %(max)s.") % {"max": MAX_WEIGHT}]
        cleaned[factor] = number
    if not errors and sum(cleaned.values()) <= 0:
        errors["__all__"] = [_("At least one weight must be above zero.")]
    if errors:
        raise InvalidInput(_("Please correct the weights."), field_errors=errors)
    with transaction.atomic():
        weights = ScoreWeights.objects.select_for_update().filter(program=program).first() or weights_for(program)
        for factor, number in cleaned.items():
            setattr(weights, factor, number)
        weights.save()
        from chorus.core.models import audit

        audit(action="score_weights.updated", target=weights, actor=user, workspace=program.workspace, **cleaned)
    return weights


# --- reading profile columns -------------------------------------------------------------------

def number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip().replace(",", "").replace("_", "").replace(" ", "").lower()
    multiplier = 1
    if text.endswith("k"):
        text, multiplier = text[:-1], 1_000
    elif text.endswith("m"):
        text, multiplier = text[:-1], 1_000_000
    try:
        parsed = float(text) * multiplier
    except ValueError:
        return None
    return parsed if math.isfinite(parsed) and parsed >= 0 else None


def flag(value) -> bool:
    return value is True or (isinstance(value, (int, float)) and value > 0) or (
        isinstance(value, str) and value.strip().lower() in TRUE_WORDS)


def followers(attributes: dict) -> float | None:
    values = [number(v) for k, v in attributes.items() if k == "followers" or k.startswith("followers_")]
    values = [v for v in values if v is not None]
    return sum(values) if values else None


# --- the factors -------------------------------------------------------------------------------

@dataclass
class Inputs:
    """What the score of one person is computed from (loaded in bulk by the candidate list)."""

    latest_nps: int | None = None
    health: float | None = None
    since: datetime | None = None
    referrals: int = 0
    attributes: dict = field(default_factory=dict)


@dataclass
class Factor:
    key: str
    value: float  # 0..1
    raw: object
    weight: int
    contribution: float  # score points

    @property
    def label(self) -> str:
        return str(FACTOR_LABELS[self.key])

    @property
    def percent(self) -> int:
        return round(self.value * 100)


@dataclass
class Score:
    total: float
    factors: list[Factor]


def factor_values(inputs: Inputs, now: datetime) -> dict[str, tuple[float, object]]:
    """Each factor's value (0..1) and the raw input it came from."""
    attributes = inputs.attributes or {}
    values: dict[str, tuple[float, object]] = {}
    values["nps"] = (inputs.latest_nps / 10 if inputs.latest_nps is not None else 0.0, inputs.latest_nps)
    health = inputs.health
    values["health"] = (min(max(health, 0), 100) / 100 if health is not None else 0.0, health)
    months = None
    if inputs.since is not None:
        months = max((now - inputs.since).days, 0) / 30.4375
    values["tenure"] = (min(months / TENURE_FULL_MONTHS, 1.0) if months is not None else 0.0,
                        round(months, 1) if months is not None else None)
    values["referrals"] = (min(math.log1p(inputs.referrals) / math.log1p(REFERRALS_FULL), 1.0), inputs.referrals)
    reach = followers(attributes)
    values["reach"] = (min(math.log10(1 + reach) / REACH_FULL_FOLLOWERS_LOG10, 1.0) if reach is not None else 0.0,
                       int(reach) if reach is not None else None)
    values["consistency"] = _consistency(attributes)
    values["authority"] = _authority(attributes)
    return values


def _consistency(attributes: dict) -> tuple[float, object]:
    posts, weeks = number(attributes.get("posts_per_month")), number(attributes.get("active_weeks"))
    parts = []
    if posts is not None:
        parts.append(min(posts / POSTS_FULL_PER_MONTH, 1.0))
    if weeks is not None:
        parts.append(min(weeks / WEEKS_WINDOW, 1.0))
    raw = {key: value for key, value in (("posts_per_month", posts), ("active_weeks", weeks)) if value is not None}
    return (sum(parts) / len(parts) if parts else 0.0, raw or None)


def _authority(attributes: dict) -> tuple[float, object]:
    rating = number(attributes.get("authority"))
    verified, expert = flag(attributes.get("verified")), flag(attributes.get("expert"))
    value = max(min(rating, 100) / 100 if rating is not None else 0.0, 0.5 * verified + 0.5 * expert)
    raw = {"authority": rating, "verified": verified, "expert": expert}
    return value, raw if (rating is not None or verified or expert) else None


def score(inputs: Inputs, weights: dict[str, int], now: datetime | None = None) -> Score:
    now = now or timezone.now()
    total_weight = sum(weights.values()) or 1
    factors = []
    for key, (value, raw) in factor_values(inputs, now).items():
        weight = weights.get(key, 0)
        factors.append(Factor(key, value, raw, weight, round(100 * weight * value / total_weight, 1)))
    return Score(total=round(sum(100 * f.weight * f.value / total_weight for f in factors), 1), factors=factors)
