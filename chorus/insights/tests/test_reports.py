"""Promoters, passives, detractors and NPS: the bucket maths, over time."""

from datetime import UTC, datetime

import pytest

from chorus.insights import reports
from chorus.insights.models import NpsResponse, category_for


def _answer(program, score, at, **fields):
    return NpsResponse.objects.create(program=program, score=score, category=category_for(score), source="api",
                                      responded_at=at, **fields)


@pytest.mark.parametrize(("score", "category"), [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"),
                                                 (9, "promoter"), (10, "promoter")])
def test_buckets(score, category):
    assert category_for(score) == category


def test_nps_is_promoter_share_minus_detractor_share(program):
    at = datetime(2026, 3, 4, 12, tzinfo=UTC)
    for score in (10, 9, 9, 8, 7, 6, 0):  # 3 promoters, 2 passives, 2 detractors
        _answer(program, score, at)

    summary = reports.summary(program)

    assert (summary.promoters, summary.passives, summary.detractors, summary.total) == (3, 2, 2, 7)
    assert summary.nps == 14.3  # 100 × (3 − 2) / 7
    assert summary.distribution == [1, 0, 0, 0, 0, 0, 1, 1, 1, 2, 1]
    assert (summary.promoter_share, summary.passive_share, summary.detractor_share) == (42.9, 28.6, 28.6)
    assert reports.nps_value(0, 0, 0) is None
    assert reports.nps_value(0, 4, 4) == -100.0


def test_nps_per_week_and_month_with_empty_periods(program, settings):
    settings.TIME_ZONE = "UTC"
    _answer(program, 10, datetime(2026, 3, 2, 9, tzinfo=UTC))   # Monday, week of 2 March
    _answer(program, 3, datetime(2026, 3, 8, 23, tzinfo=UTC))   # Sunday, same week
    _answer(program, 9, datetime(2026, 3, 9, 1, tzinfo=UTC))    # next Monday
    _answer(program, 9, datetime(2026, 4, 1, 1, tzinfo=UTC))    # April
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 2, tzinfo=UTC)

    weeks = reports.over_time(program, period="week", start=start, end=end)
    months = reports.over_time(program, period="month", start=start, end=end)

    assert [(w.start.isoformat(), w.promoters, w.passives, w.detractors, w.nps) for w in weeks] == [
        ("2026-02-23", 0, 0, 0, None), ("2026-03-02", 1, 0, 1, 0.0), ("2026-03-09", 1, 0, 0, 100.0),
        ("2026-03-16", 0, 0, 0, None), ("2026-03-23", 0, 0, 0, None), ("2026-03-30", 1, 0, 0, 100.0)]
    assert [(m.start.isoformat(), m.total, m.nps) for m in months] == [("2026-03-01", 3, 33.3), ("2026-04-01", 1, 100.0)]
    chart = reports.chart(weeks)
    assert chart["labels"] == ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]
    assert chart["datasets"][0]["data"] == [None, 0.0, 100.0, None, None, 100.0]  # gaps where nobody answered
    assert (chart["min"], chart["max"]) == (-100, 100)


def test_comments_filter_by_category_and_search(program):
    at = datetime(2026, 3, 4, 12, tzinfo=UTC)
    _answer(program, 10, at, comment="Love the reports")
    _answer(program, 2, at, comment="Reports are slow")
    _answer(program, 8, at, comment="")

    assert [r.comment for r in reports.comments(program, category="detractor")] == ["Reports are slow"]
    assert sorted(r.comment for r in reports.comments(program, query="reports")) == ["Love the reports", "Reports are slow"]
    assert [r.comment for r in reports.comments(program, query="love")] == ["Love the reports"]
