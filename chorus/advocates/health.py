"""Customer and account health (I1): a 0–100 score from usage and outcomes, with the factors
that made it stored beside it so the console can explain every score.

Each factor scores 0–100:

* activity_30d / activity_90d — usage events in the last 30 / 90 days, on a log scale that
  reaches 100 at ACTIVE_30D / ACTIVE_90D events;
* recency — 100 for an event today, falling linearly to 0 at RECENCY_DAYS days (0 without events);
* revenue — the customer's revenue as a percentile of the program's paying customers;
* plan — the score the program gives the plan (unlisted plans UNLISTED_PLAN, no plan 0);
* tenure — days since signup (else since first seen), reaching 100 at a year.

The score is the weighted mean: each factor adds `score × weight / Σ weights` points. The
weights (0–100 each) are set per program. An account's score is the revenue-weighted mean of
its customers' scores (a plain mean when none has revenue).
"""

import math
from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connections, router, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.errors import InvalidInput

from .models import Account, Customer, HealthSettings, UsageEvent

FACTORS = {
    "activity_30d": gettext_lazy("Usage in the last 30 days"),
    "activity_90d": gettext_lazy("Usage in the last 90 days"),
    "recency": gettext_lazy("Days since the last usage"),
    "revenue": gettext_lazy("Revenue (percentile in the program)"),
    "plan": gettext_lazy("Plan"),
    "tenure": gettext_lazy("Days as a customer"),
}
DEFAULT_WEIGHTS = {"activity_30d": 30, "activity_90d": 15, "recency": 20, "revenue": 15, "plan": 10, "tenure": 10}
ACTIVE_30D = 20
ACTIVE_90D = 60
RECENCY_DAYS = 90
TENURE_DAYS = 365
UNLISTED_PLAN = 50
RECOMPUTE_EVERY = timedelta(hours=24)
BATCH = 1000


def settings_for(program) -> HealthSettings:
    health, _created = HealthSettings.objects.get_or_create(program=program)
    return health


def weights_of(health: HealthSettings) -> dict[str, int]:
    return {name: int(health.weights.get(name, default)) for name, default in DEFAULT_WEIGHTS.items()}


@transaction.atomic
def save_health_settings(program, *, weights: dict, plan_scores: dict) -> HealthSettings:
    """Store the program's weights (0–100 each, not all 0) and plan scores (0–100), then
    recompute its scores in the background."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name in DEFAULT_WEIGHTS:
        value = weights.get(name)
        if type(value) is not int or not 0 <= value <= 100:
            errors[name] = [_("Use a whole number from 0 to 100.")]
        else:
            cleaned[name] = value
    if not errors and not any(cleaned.values()):
        errors["weights"] = [_("Give at least one factor a weight above 0.")]
    plans = {}
    for plan, value in plan_scores.items():
        if type(value) is not int or not 0 <= value <= 100:
            errors[f"plan:{plan}"] = [_("Use a whole number from 0 to 100.")]
        else:
            plans[str(plan).strip().lower()[:100]] = value
    if errors:
        raise InvalidInput(_("The health settings need a fix."), field_errors=errors)
    health = HealthSettings.objects.select_for_update().get_or_create(program=program)[0]
    health.weights, health.plan_scores = cleaned, plans
    health.save(update_fields=["weights", "plan_scores", "updated_at"])
    schedule_health(program)
    return health


# --- the computation ---------------------------------------------------------------------------

def _log_share(count: int, target: int) -> int:
    return min(100, round(100 * math.log1p(count) / math.log1p(target)))


def factor_scores(*, events_30d: int, events_90d: int, last_event_at, revenue: int, revenues: list[int], plan: str,
                  plan_scores: dict, since: datetime, now: datetime) -> dict[str, tuple]:
    """Each factor as (value shown, score 0–100)."""
    days_idle = (now - last_event_at).days if last_event_at else None
    paying = len(revenues)
    percentile = round(100 * bisect_right(revenues, revenue) / paying) if revenue > 0 and paying else 0
    tenure = max((now - since).days, 0)
    plan_score = plan_scores.get(plan.lower(), UNLISTED_PLAN) if plan else 0
    return {
        "activity_30d": (events_30d, _log_share(events_30d, ACTIVE_30D)),
        "activity_90d": (events_90d, _log_share(events_90d, ACTIVE_90D)),
        "recency": (days_idle, 0 if days_idle is None else max(0, round(100 * (1 - days_idle / RECENCY_DAYS)))),
        "revenue": (percentile, percentile),
        "plan": (plan, plan_score),
        "tenure": (tenure, min(100, round(100 * tenure / TENURE_DAYS))),
    }


def combine(factors: dict[str, tuple], weights: dict[str, int]) -> tuple[int, dict]:
    """The score and the stored explanation: per factor its value, score, weight and points."""
    total = sum(weights.values()) or 1
    explained = {}
    for name, (value, score) in factors.items():
        explained[name] = {"value": value, "score": score, "weight": weights[name],
                           "points": round(score * weights[name] / total, 1)}
    score = round(sum(score * weights[name] for name, (_value, score) in factors.items()) / total)
    return max(0, min(100, score)), explained


def recompute_program_health(program_id: int, now: datetime | None = None) -> int:
    """Score every customer and account of the program; how many customers were scored."""
    now = now or timezone.now()
    health = HealthSettings.objects.select_related("program").get_or_create(program_id=program_id)[0]
    weights = weights_of(health)
    customers = Customer.objects.filter(program_id=program_id)
    revenues = sorted(customers.filter(revenue__gt=0).values_list("revenue", flat=True))
    counts = {row["customer_id"]: (row["recent"], row["total"]) for row in UsageEvent.objects.filter(
        program_id=program_id, occurred_at__gte=now - timedelta(days=90), occurred_at__lte=now,
    ).values("customer_id").annotate(recent=Count("pk", filter=Q(occurred_at__gte=now - timedelta(days=30))),
                                     total=Count("pk")).order_by()}
    accounts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    batch, scored = [], 0
    fields = ("pk", "plan", "revenue", "signed_up_at", "first_seen_at", "last_event_at", "account_id")
    for pk, plan, revenue, signed_up_at, first_seen_at, last_event_at, account_id in \
            customers.order_by("pk").values_list(*fields).iterator(chunk_size=BATCH):
        events_30d, events_90d = counts.get(pk, (0, 0))
        score, explained = combine(factor_scores(
            events_30d=events_30d, events_90d=events_90d, last_event_at=last_event_at, revenue=revenue,
            revenues=revenues, plan=plan, plan_scores=health.plan_scores, since=signed_up_at or first_seen_at, now=now,
        ), weights)
        batch.append((pk, score, explained, now))
        if account_id:
            accounts[account_id].append((score, revenue))
        if len(batch) >= BATCH:
            scored += _save_scores(batch)
            batch = []
    scored += _save_scores(batch)
    _save_account_scores(program_id, accounts)
    HealthSettings.objects.filter(pk=health.pk).update(computed_at=now)
    return scored


def _save_scores(batch: list[tuple]) -> int:
    """(pk, score, factors, computed_at) rows written with `_update_rows`."""
    _update_rows(Customer, ("health_score", "health_factors", "health_computed_at"), batch)
    return len(batch)


def _update_rows(model, names: tuple[str, ...], rows: list[tuple]) -> None:
    """`UPDATE … SET names… WHERE pk = …` for each (pk, *values), sent with executemany: far
    quicker than bulk_update's CASE expressions for JSON values on SQLite; pipelined by psycopg."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [[field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)] + [pk]
              for pk, *values in rows]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def account_score(members: list[tuple[int, int]]) -> tuple[int, dict]:
    scores = [score for score, _revenue in members]
    revenue = sum(max(rev, 0) for _score, rev in members)
    average = sum(scores) / len(scores)
    weighted = sum(score * max(rev, 0) for score, rev in members) / revenue if revenue else average
    return round(weighted), {"customers": len(scores), "average": round(average, 1), "revenue_weighted": revenue > 0,
                             "lowest": min(scores), "highest": max(scores)}


def _save_account_scores(program_id: int, accounts: dict) -> None:
    rows = []
    for pk in Account.objects.filter(program_id=program_id).order_by("pk").values_list("pk", flat=True):
        members = accounts.get(pk)
        rows.append((pk, *(account_score(members) if members else (None, {}))))
    _update_rows(Account, ("health_score", "health_factors"), rows)


# --- scheduling -------------------------------------------------------------------------------------

def schedule_health(program) -> None:
    """Recompute the program's scores in the background once the current transaction commits."""
    from .tasks import recompute_health_task

    transaction.on_commit(lambda: recompute_health_task.enqueue(program.pk))


def recompute_due_health(now: datetime | None = None) -> int:
    """For `chorus maintenance`: enqueue a recomputation for each program with customers whose
    scores are older than RECOMPUTE_EVERY (claimed by a conditional update, so two maintenance
    runs enqueue it once). How many programs were enqueued."""
    from .tasks import recompute_health_task

    now = now or timezone.now()
    due_before = now - RECOMPUTE_EVERY
    enqueued = 0
    program_ids = Customer.objects.values_list("program_id", flat=True).distinct().order_by("program_id")
    for program_id in program_ids:
        health = HealthSettings.objects.get_or_create(program_id=program_id)[0]
        claimed = HealthSettings.objects.filter(pk=health.pk).filter(
            Q(computed_at__isnull=True) | Q(computed_at__lt=due_before)).update(computed_at=now)
        if claimed:
            recompute_health_task.enqueue(program_id)
            enqueued += 1
    return enqueued


def plans_with_scores(program, limit: int = 30) -> list[tuple[str, int]]:
    """The plans the program's customers have (most common first) with the score each is given."""
    health = settings_for(program)
    plans = (Customer.objects.filter(program=program).exclude(plan="").values("plan").annotate(n=Count("pk"))
             .order_by("-n", "plan")[:limit])
    return [(row["plan"], health.plan_scores.get(row["plan"].lower(), UNLISTED_PLAN)) for row in plans]


def explain(factors: dict) -> list[dict]:
    """The stored factors in display order, with their labels."""
    return [{"name": name, "label": label, **factors[name]} for name, label in FACTORS.items() if name in factors]
