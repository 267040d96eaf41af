"""The full metric catalogue, one module per group; importing this package registers them all
(in the order the console's metrics page and glossary show them)."""

from . import advocates, referrals, outcomes, retention, rewards, costs  # noqa: F401,I001  (registers on import)
