"""Small datasets for the plan tests, each number worked out by hand where it is asserted.

`joined_dataset`: 21 advocates joined 2026-01-01 .. 2026-02-19 (one a day from 1 Jan to 21 Jan),
plus one on 2025-12-31 and one on 2026-02-20 (both outside a goal window that starts on 1 Jan
and is measured on 19 Feb).

`referral_dataset`: Ann (joined 10 Jan 2026) gets, in each of March, April and May 2026, four
clicks by distinct visitors and one referred signup (referral code) with a purchase of 50.00
(5000). So over the trailing months Mar–May: 1 advocate, 12 invites, 3 signups, 15000 revenue.
"""

from datetime import UTC, date, datetime

from chorus.advocates.models import Advocate
from chorus.analytics import catalogue
from chorus.core.signing import new_click_id
from chorus.referrals.models import Click
from chorus.referrals.services.conversions import ConversionInput, record_conversions
from chorus.testing import factories


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def joined_dataset(program) -> None:
    days = [date(2026, 1, n) for n in range(1, 22)] + [date(2025, 12, 31), date(2026, 2, 20)]
    for index, day in enumerate(days):
        advocate = factories.make_advocate(program, email=f"joined{index}@example.com", name=f"Joined {index}")
        Advocate.objects.filter(pk=advocate.pk).update(joined_at=noon(day))


def referral_dataset(program) -> Advocate:
    ann = factories.make_advocate(program, email="ann@example.com", name="Ann")
    Advocate.objects.filter(pk=ann.pk).update(joined_at=noon(date(2026, 1, 10)))
    events = []
    for month in (3, 4, 5):
        for visitor in range(4):
            when = noon(date(2026, month, 2 + visitor))
            token = new_click_id(ann.link.pk, program.pk, clicked_at=when.timestamp()).token
            Click.objects.create(program=program, link=ann.link, token=token, created_at=when,
                                 visitor_hash=f"v{month}-{visitor}")
        when = noon(date(2026, month, 10))
        events += [
            ConversionInput(type="signup", customer_external_id=f"f{month}", email=f"f{month}@example.org",
                            occurred_at=when, referral_code=ann.link.code),
            ConversionInput(type="purchase", customer_external_id=f"f{month}", email=f"f{month}@example.org",
                            occurred_at=when, amount=5000, order_id=f"o{month}"),
        ]
    results = record_conversions(program, events)
    assert all(not isinstance(result, Exception) for result in results), results
    return ann


class share_metric:
    """A percentage metric (not cumulative) registered for the duration of a test: its value is
    whatever `share_metric.value` holds, so any registered metric works with goals."""

    key = "test_share"
    value: float | None = 40.0

    def __enter__(self):
        catalogue.metrics()  # load the real catalogue first
        catalogue.register(catalogue.Metric(
            key=self.key, label="Share (test)", formula="A test share.", unit="percent", group="test",
            compute=lambda program, start, end: share_metric.value, cumulative=False))
        return self

    def __exit__(self, *exc):
        catalogue.CATALOGUE.pop(self.key, None)
        share_metric.value = 40.0
