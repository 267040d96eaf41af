from datetime import date

from ninja import Schema


class AdvocateRevenueOut(Schema):
    advocate_id: int
    name: str
    email: str
    amount: int


class AttributionOut(Schema):
    start: date
    end: date
    model: str
    half_life_days: int
    currency: str
    total: int
    advocates: list[AdvocateRevenueOut]

    model_config = {"json_schema_extra": {"example": {
        "start": "2026-05-01", "end": "2026-05-31", "model": "time_decay", "half_life_days": 7, "currency": "USD",
        "total": 15999, "advocates": [{"advocate_id": 3, "name": "Ann", "email": "ann@example.com", "amount": 7714}],
    }}}


class PartOut(Schema):
    value: int
    scaled: float
    points: float


class InfluenceRowOut(Schema):
    rank: int
    advocate_id: int
    name: str
    email: str
    score: float
    parts: dict[str, PartOut]


class InfluenceOut(Schema):
    start: date
    end: date
    currency: str
    weights: dict[str, int]
    advocates: list[InfluenceRowOut]


class MonthOut(Schema):
    month: str
    advocates: int
    sharing_advocates: int
    invites: int
    signups: int
    invites_per_advocate: float | None
    conversion_rate: float | None
    k_factor: float | None
    cycle_time_days: float | None


class ForecastMonthOut(Schema):
    month: str
    from_advocates: float
    from_compounding: float
    new_customers: float


class ForecastOut(Schema):
    baseline: float
    growth: float
    k_factor: float
    invites_per_advocate: float
    conversion_rate: float
    active_advocates: int
    months: list[ForecastMonthOut]
    total: float


class ViralityOut(Schema):
    start: date
    end: date
    months: list[MonthOut]
    forecast: ForecastOut


class MetricRowOut(Schema):
    key: str
    label: str
    value: int | float | None


class MetricOut(Schema):
    key: str
    label: str
    group: str
    unit: str
    formula: str
    cumulative: bool
    higher_is_better: bool
    breakdowns: list[str]
    value: int | float | None
    rows: list[MetricRowOut] | None


class MetricsOut(Schema):
    start: date
    end: date
    currency: str
    by: str | None
    metrics: list[MetricOut]

    model_config = {"json_schema_extra": {"example": {
        "start": "2026-05-01", "end": "2026-05-31", "currency": "USD", "by": "channel",
        "metrics": [{"key": "referred_signups", "label": "Referred signups", "group": "referrals", "unit": "count",
                     "formula": "Signups attributed to an advocate's link or code in the period (referrals denied "
                                "after review left out).",
                     "cumulative": True, "higher_is_better": True,
                     "breakdowns": ["program", "channel", "segment", "month"], "value": 5,
                     "rows": [{"key": "facebook", "label": "Facebook", "value": 1}]}],
    }}}
