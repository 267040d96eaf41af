"""The `data` of each event, from objects the caller already holds (no query).

Ids are the ones the API uses; times are ISO 8601 in UTC; amounts are integers in minor units."""


def _time(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def advocate(obj) -> dict:
    return {"id": obj.pk, "email": obj.email, "name": obj.name, "external_id": obj.external_id,
            "joined_at": _time(obj.joined_at)}


def referral(obj) -> dict:
    customer = obj.customer
    return {"id": obj.pk, "advocate_id": obj.advocate_id, "customer_id": obj.customer_id,
            "customer_external_id": customer.external_id, "reason": obj.reason, "is_primary": obj.is_primary,
            "review": obj.review, "created_at": _time(obj.created_at)}


def conversion(obj) -> dict:
    customer = obj.customer
    return {"id": obj.pk, "type": obj.type, "customer_id": obj.customer_id,
            "customer_external_id": customer.external_id, "order_id": obj.order_id, "amount": obj.amount,
            "currency": obj.currency, "occurred_at": _time(obj.occurred_at), "referral_id": obj.referral_id,
            "advocate_id": obj.referral.advocate_id if obj.referral_id else None}


def reward(obj) -> dict:
    return {"id": obj.pk, "side": obj.side, "kind": obj.kind, "amount": obj.amount, "currency": obj.currency,
            "status": obj.status, "advocate_id": obj.advocate_id, "customer_id": obj.customer_id,
            "conversion_id": obj.conversion_id, "referral_id": obj.referral_id, "rule_id": obj.rule_id}


def completion(obj) -> dict:
    return {"id": obj.pk, "ask_id": obj.ask_id, "advocate_id": obj.advocate_id, "points": obj.points,
            "status": obj.status, "decided_at": _time(obj.decided_at)}


def redemption(obj) -> dict:
    return {"id": obj.pk, "item_id": obj.item_id, "advocate_id": obj.advocate_id, "cost_points": obj.cost_points,
            "status": obj.status, "created_at": _time(obj.created_at), "fulfilled_at": _time(obj.fulfilled_at)}


def level_reached(obj) -> dict:
    return {"level_id": obj.level_id, "level": obj.level.name, "advocate_id": obj.advocate_id,
            "points_earned": obj.points_earned, "reached_at": _time(obj.reached_at)}


def badge_awarded(obj) -> dict:
    return {"badge_id": obj.badge_id, "badge": obj.badge.name, "advocate_id": obj.advocate_id,
            "awarded_at": _time(obj.awarded_at)}
