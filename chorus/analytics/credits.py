"""Revenue credit: a referred purchase's revenue split among the advocates who touched the friend.

Rewards keep following the one advocate of the conversion's referral
(`chorus.referrals.services.attribution`); revenue credit is for measuring.

Touches — which advocates' links the friend clicked:
  * the friend's browser is the visitor (`Click.visitor_hash`) of the click that made the
    conversion's referral (`Referral.click_token`);
  * the touches are that visitor's human clicks (bots left out) in the same program that are
    unique (the first click on a link within an hour; repeats are not new touches), made
    within the program's attribution window before the conversion (up to 5 minutes after, for
    clock skew); a refund uses the time of the purchase it reverses;
  * no such click (a promo code, a referral code, a name on the friend page, a click not
    recorded yet): one touch, for the referral's advocate.

Models, over the touches t₁ … tₙ in time order:
  * last touch: everything to the advocate of tₙ; first touch: everything to t₁'s;
  * linear: each touch weighs 1 (an advocate clicked twice gets two shares);
  * time decay: a touch d days before the conversion weighs 2^(−d / half-life).
An advocate's share is the sum of their touches' weights over the sum of all weights.

Amounts are integers in minor units that add up exactly to the conversion's amount: each
advocate gets the whole part of amount × share, and the units left over go one by one to the
largest fractional parts (ties: the lower advocate id first) — the largest remainder method.
A refund's rows are negative. `weight_ppm` is the share in parts per million, split the same way.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from chorus.core import bulk
from chorus.core.errors import InvalidInput
from chorus.programs.models import Program
from chorus.referrals.models import Click, Conversion, Referral

from .models import RevenueCredit

CLOCK_SKEW = timedelta(minutes=5)
MILLION = 1_000_000
DECAY_UNIT = 1 << 40
RECOMPUTE_CHUNK = 2000
MAX_RANGE_DAYS = 3660


def largest_remainder(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` split in proportion to `weights` as integers adding up exactly to `total`.

    Integer arithmetic only: each key gets ⌊total × weight ÷ Σweights⌋, and the units left over go
    to the largest remainders (ties: the lowest key first)."""
    if len(weights) == 1:  # one advocate: the common case, no arithmetic
        return dict.fromkeys(weights, total)
    if total < 0:
        return {key: -value for key, value in largest_remainder(-total, weights).items()}
    whole = sum(weights.values())
    parts, remainders = {}, {}
    for key, weight in weights.items():
        parts[key], remainders[key] = divmod(total * weight, whole)
    left = total - sum(parts.values())
    for key in sorted(remainders, key=lambda key: (-remainders[key], key))[:left]:
        parts[key] += 1
    return parts


def touch_weights(model: str, touches: list[tuple[datetime, int]], at: datetime,
                  half_life_days: int) -> dict[int, int]:
    """Each advocate's summed weight under `model`, as integers; `touches` are (clicked_at,
    advocate id) in time order. Time decay weights are in units of 2^−40 (at least one unit per
    touch): exact for whole multiples of the half-life, within 10^−12 otherwise."""
    if model == Program.CreditModel.FIRST_TOUCH:
        return {touches[0][1]: 1}
    if model == Program.CreditModel.LAST_TOUCH:
        return {touches[-1][1]: 1}
    weights: dict[int, int] = defaultdict(int)
    half_life = half_life_days * 86400
    for clicked_at, advocate_id in touches:
        if model == Program.CreditModel.LINEAR:
            weights[advocate_id] += 1
        else:
            seconds = max((at - clicked_at).total_seconds(), 0)
            weights[advocate_id] += max(round(DECAY_UNIT * 0.5 ** (seconds / half_life)), 1)
    return dict(weights)


def check_model(model: str, half_life_days: int) -> None:
    errors = {}
    if model not in Program.CreditModel.values:
        errors["model"] = [_("Use last_touch, first_touch, linear or time_decay.")]
    if not isinstance(half_life_days, int) or half_life_days < 1:
        errors["half_life_days"] = [_("The half-life is a whole number of days, at least 1.")]
    if errors:
        raise InvalidInput(_("Unknown credit model settings."), field_errors=errors)


def _reference(conversion: Conversion) -> Conversion:
    """The conversion whose time decides the touches: a refund's purchase, else itself."""
    if conversion.type == Conversion.Type.REFUND and conversion.refunded_conversion is not None:
        return conversion.refunded_conversion
    return conversion


def _touches_by_visitor(program, conversions: list[Conversion]) -> tuple[dict, dict]:
    """Two queries: the visitor of each referral's click, then those visitors' clicks in the window."""
    tokens = {conversion.referral.click_token for conversion in conversions if conversion.referral.click_token}
    if not tokens:
        return {}, {}
    visitors = dict(Click.objects.filter(token__in=tokens).values_list("token", "visitor_hash"))
    if not visitors:
        return {}, {}
    times = [_reference(conversion).occurred_at for conversion in conversions]
    clicks = defaultdict(list)
    for visitor, created_at, advocate_id in Click.objects.filter(
            program=program, visitor_hash__in=set(visitors.values()), is_bot=False, is_unique=True,
            created_at__gte=min(times) - timedelta(days=program.attribution_window_days),
            created_at__lte=max(times) + CLOCK_SKEW,
    ).values_list("visitor_hash", "created_at", "link__advocate_id").order_by("created_at", "pk"):
        clicks[visitor].append((created_at, advocate_id))
    return visitors, clicks


def touches_of(program, conversion: Conversion, visitors: dict, clicks: dict) -> list[tuple[datetime, int]]:
    at = _reference(conversion).occurred_at
    since, until = at - timedelta(days=program.attribution_window_days), at + CLOCK_SKEW
    visitor = visitors.get(conversion.referral.click_token)
    touches = [touch for touch in clicks[visitor] if since <= touch[0] <= until] if visitor in clicks else []
    return touches or [(at, conversion.referral.advocate_id)]


def _creditable(conversions) -> list[Conversion]:
    return [conversion for conversion in conversions
            if conversion.type in (Conversion.Type.PURCHASE, Conversion.Type.REFUND)
            and conversion.referral_id is not None and conversion.amount]


def build_credits(program, conversions, model: str | None = None,
                  half_life_days: int | None = None) -> list[RevenueCredit]:
    """Unsaved credit rows of these conversions (those with revenue and a referral)."""
    model = model or program.credit_model
    half_life_days = half_life_days or program.credit_half_life_days
    conversions = _creditable(conversions)
    if not conversions:
        return []
    visitors, clicks = _touches_by_visitor(program, conversions)
    credits = []
    for conversion in conversions:
        touches = touches_of(program, conversion, visitors, clicks)
        weights = touch_weights(model, touches, _reference(conversion).occurred_at, half_life_days)
        amounts, ppm = largest_remainder(conversion.amount, weights), largest_remainder(MILLION, weights)
        sign = -1 if conversion.type == Conversion.Type.REFUND else 1
        counted = defaultdict(int)
        for _at, advocate_id in touches:
            counted[advocate_id] += 1
        credits.extend(
            _row(program.pk, conversion.pk, advocate_id, model, sign * amounts[advocate_id], ppm[advocate_id],
                 min(counted[advocate_id], 32767), conversion.occurred_at)
            for advocate_id in sorted(weights)
        )
    return credits


def _row(program_id, conversion_id, advocate_id, model, amount, weight_ppm, touches, occurred_at) -> RevenueCredit:
    """A new row built from positional values in field order: Django's fast path (ingest builds
    thousands of these per batch; keyword construction costs several times more)."""
    return RevenueCredit(None, program_id, conversion_id, advocate_id, model, amount, weight_ppm, touches, occurred_at)


def record_credits(program, conversions) -> int:
    """Write the credit rows of newly recorded conversions: two reads and one bulk INSERT.

    Called by the conversion batch when it flushes (`ConversionBatch.flush`)."""
    credits = build_credits(program, conversions)
    if credits:
        bulk.insert(credits)
    return len(credits)


def conversions_in_range(program, start: datetime, end: datetime):
    return (Conversion.objects.filter(program=program, occurred_at__gte=start, occurred_at__lt=end,
                                      referral__isnull=False, type__in=[Conversion.Type.PURCHASE,
                                                                        Conversion.Type.REFUND])
            .exclude(amount=0).select_related("referral", "refunded_conversion").order_by("pk"))


def recompute_credits(program, start_date: date, end_date: date) -> int:
    """Rewrite the credit rows of the conversions in the date range with the program's current model.

    Both days included, in the current time zone. Returns the number of rows written."""
    from .services import _bounds

    check_range(start_date, end_date, MAX_RANGE_DAYS)
    start, end = _bounds(start_date, end_date)
    written = 0
    with transaction.atomic():
        RevenueCredit.objects.filter(program=program, occurred_at__gte=start, occurred_at__lt=end).delete()
        conversions = conversions_in_range(program, start, end)
        last_pk = 0
        while True:
            chunk = list(conversions.filter(pk__gt=last_pk)[:RECOMPUTE_CHUNK])
            if not chunk:
                break
            written += record_credits(program, chunk)
            last_pk = chunk[-1].pk
    return written


def check_range(start_date: date, end_date: date, max_days: int) -> None:
    if end_date < start_date:
        raise InvalidInput(_("The start date must be on or before the end date."),
                           field_errors={"from": [_("After the end date.")]})
    if (end_date - start_date).days + 1 > max_days:
        raise InvalidInput(_("Choose at most %(days)d days.") % {"days": max_days},
                           field_errors={"from": [_("The range is too long.")]})


def revenue_per_advocate(program, start_date: date, end_date: date, model: str | None = None,
                         half_life_days: int | None = None) -> dict[int, int]:
    """Credited revenue per advocate id in the range (referrals denied after review left out).

    The program's own model is read from the stored rows; another model is computed on the fly."""
    from .services import _bounds

    check_model(model or program.credit_model, half_life_days or program.credit_half_life_days)
    check_range(start_date, end_date, MAX_RANGE_DAYS)
    start, end = _bounds(start_date, end_date)
    stored = (model in (None, program.credit_model)
              and half_life_days in (None, program.credit_half_life_days))
    totals: dict[int, int] = defaultdict(int)
    if stored:
        rows = (RevenueCredit.objects.filter(program=program, occurred_at__gte=start, occurred_at__lt=end)
                .exclude(conversion__referral__review=Referral.Review.DENIED)
                .values("advocate_id").annotate(total=Sum("amount")).order_by())
        return {row["advocate_id"]: row["total"] for row in rows}
    conversions = conversions_in_range(program, start, end).exclude(referral__review=Referral.Review.DENIED)
    last_pk = 0
    while True:
        chunk = list(conversions.filter(pk__gt=last_pk)[:RECOMPUTE_CHUNK])
        if not chunk:
            break
        for credit in build_credits(program, chunk, model, half_life_days):
            totals[credit.advocate_id] += credit.amount
        last_pk = chunk[-1].pk
    return dict(totals)
