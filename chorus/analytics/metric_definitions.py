"""The metrics of the catalogue (see `catalogue.py` for the contract).

Each group lives in its own module under `chorus.analytics.metrics` (advocates, referrals
and leads, outcomes, retention, rewards and email, costs); importing them registers them.
The keys `referred_signups`, `referred_revenue` and `advocates_joined` are relied on by goals.
"""

from . import metrics  # noqa: F401  (registers on import)
