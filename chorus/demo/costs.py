"""Demo acquisition costs: what the demo program spent per month on the referral program and on
the channels its imported prospects came through (the prospects' `channel` column), so the
metrics page shows CAC for both."""

from datetime import date, datetime

from chorus.analytics.costs import add_cost

OTHER_CHANNELS = ("Google Ads", "Trade show", "Webinar")
MONTHLY = (("referral program", "software", 250_00), ("referral program", "rewards", 400_00),
           ("Google Ads", "advertising", 1_800_00), ("Trade show", "events", 2_500_00), ("Webinar", "staff", 600_00))


def _month_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def seed_costs(program, owner, now: datetime, months: int = 6) -> int:
    """The last `months` months' costs (this month included); how many were added."""
    added = 0
    for back in range(months):
        month = _month_back(now.date(), back)
        for channel, category, amount in MONTHLY:
            add_cost(program, month=month, channel=channel, category=category, amount=amount + back * 10_00,
                     note="demo", user=owner)
            added += 1
    return added
