"""Influence score: who moves the program, in one number per advocate that shows its parts.

Five parts, each counted over the chosen date range (both days included):
  * revenue — revenue credited to the advocate under the program's credit model
    (`chorus.analytics.credits`), refunds subtracted, referrals denied after review left out;
  * referrals — the advocate's referred friends who made a purchase in the range;
  * completions — the advocate's ask completions approved in the range;
  * shares — distinct visitors who clicked content-vault items the advocate shared;
  * engagement — weeks (Monday to Sunday) in which the advocate did something: a human click on
    their link, a referral made, or an ask completion submitted.

Each part is scaled against the best advocate of the range: value ÷ highest value × 100 (so the
best gets 100; a negative value counts as 0). The score is the sum of the scaled parts times
the program's weights (percent, adding up to 100), so it runs from 0 to 100. Advocates with
nothing in the range are left out of the list.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate
from chorus.campaigns.models import Completion
from chorus.core.errors import InvalidInput
from chorus.core.models import audit
from chorus.referrals.models import Click, Conversion, Referral

from .credits import MAX_RANGE_DAYS, check_range, revenue_per_advocate
from .models import InfluenceWeights
from .services import _bounds

PARTS = InfluenceWeights.PARTS


def weights_for(program) -> InfluenceWeights:
    """The program's weights; the defaults (unsaved) until a marketer changes them."""
    found = InfluenceWeights.objects.filter(program=program).first()
    return found or InfluenceWeights(program=program, **InfluenceWeights.DEFAULTS)


def weight_problems(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for part in PARTS:
        value = values.get(part)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[part] = [_("Give a whole number from 0 to 100.")]
        elif not 0 <= value <= 100:
            errors[part] = [_("Between 0 and 100.")]
    unknown = set(values) - set(PARTS)
    if unknown:
        errors["__all__"] = [_("Unknown parts: %(parts)s.") % {"parts": ", ".join(sorted(map(str, unknown)))}]
    if not errors and sum(values[part] for part in PARTS) != 100:
        errors["__all__"] = [_("The weights must add up to 100 (now %(total)d).") % {
            "total": sum(values[part] for part in PARTS)}]
    return errors


@transaction.atomic
def update_weights(program, *, user=None, **values) -> InfluenceWeights:
    """Set the program's weights: whole percentages from 0 to 100 adding up to 100 (else InvalidInput)."""
    errors = weight_problems(values)
    if errors:
        raise InvalidInput(_("The influence weights need attention."), field_errors=errors)
    weights, _created = InfluenceWeights.objects.select_for_update().get_or_create(
        program=program, defaults=values)
    for part in PARTS:
        setattr(weights, part, values[part])
    weights.save()
    audit(action="influence_weights.updated", target=program, actor=user, workspace=program.workspace,
          weights=weights.as_dict())
    return weights


@dataclass
class Part:
    value: int
    scaled: Fraction = Fraction(0)  # 0–100
    points: Fraction = Fraction(0)  # scaled × weight ÷ 100


@dataclass
class AdvocateInfluence:
    advocate: Advocate
    parts: dict[str, Part] = field(default_factory=dict)

    @property
    def score(self) -> Fraction:
        return sum((part.points for part in self.parts.values()), Fraction(0))


@dataclass
class Influence:
    start_date: date
    end_date: date
    currency: str
    weights: dict[str, int]
    rows: list[AdvocateInfluence]


def _counts(queryset, advocate_field: str, **annotation) -> dict[int, int]:
    rows = queryset.values(advocate_field).annotate(**annotation).order_by()
    name = next(iter(annotation))
    return {row[advocate_field]: row[name] for row in rows}


def _active_weeks(program, start, end) -> dict[int, int]:
    zone = timezone.get_current_timezone()
    weeks: dict[int, set] = defaultdict(set)
    sources = (
        (Click.objects.filter(program=program, is_bot=False, created_at__gte=start, created_at__lt=end),
         "link__advocate_id", "created_at"),
        (Referral.objects.filter(program=program, created_at__gte=start, created_at__lt=end), "advocate_id",
         "created_at"),
        (Completion.objects.filter(ask__program=program, created_at__gte=start, created_at__lt=end),
         "advocate_id", "created_at"),
    )
    for queryset, advocate_field, time_field in sources:
        for advocate_id, week in queryset.annotate(week=TruncWeek(time_field, tzinfo=zone)).values_list(
                advocate_field, "week").distinct().order_by():
            weeks[advocate_id].add(week)
    return {advocate_id: len(found) for advocate_id, found in weeks.items()}


def raw_parts(program, start_date: date, end_date: date) -> dict[str, dict[int, int]]:
    start, end = _bounds(start_date, end_date)
    purchases = Conversion.objects.filter(
        program=program, type=Conversion.Type.PURCHASE, occurred_at__gte=start, occurred_at__lt=end,
        referral__isnull=False).exclude(referral__review=Referral.Review.DENIED)
    completions = Completion.objects.filter(ask__program=program, status=Completion.Status.APPROVED,
                                            decided_at__gte=start, decided_at__lt=end)
    shares = Click.objects.filter(program=program, is_bot=False, content__isnull=False,
                                  created_at__gte=start, created_at__lt=end)
    return {
        "revenue": revenue_per_advocate(program, start_date, end_date),
        "referrals": _counts(purchases, "referral__advocate_id", total=Count("referral", distinct=True)),
        "completions": _counts(completions, "advocate_id", total=Count("pk")),
        "shares": _counts(shares, "link__advocate_id", total=Count("visitor_hash", distinct=True)),
        "engagement": _active_weeks(program, start, end),
    }


def influence(program, start_date: date, end_date: date) -> Influence:
    """Every advocate with something in the range, best score first (then name, then id)."""
    check_range(start_date, end_date, MAX_RANGE_DAYS)
    weights = weights_for(program).as_dict()
    values = raw_parts(program, start_date, end_date)
    advocate_ids = {advocate_id for part in values.values() for advocate_id, value in part.items() if value}
    advocates = Advocate.objects.filter(program=program, pk__in=advocate_ids).in_bulk()
    best = {part: max([0, *values[part].values()]) for part in PARTS}
    rows = []
    for advocate_id, advocate in advocates.items():
        row = AdvocateInfluence(advocate=advocate)
        for part in PARTS:
            value = values[part].get(advocate_id, 0)
            scaled = Fraction(max(value, 0) * 100, best[part]) if best[part] else Fraction(0)
            row.parts[part] = Part(value=value, scaled=scaled, points=scaled * weights[part] / 100)
        rows.append(row)
    rows.sort(key=lambda row: (-row.score, row.advocate.name.lower(), row.advocate.pk))
    return Influence(start_date=start_date, end_date=end_date, currency=program.currency, weights=weights, rows=rows)
