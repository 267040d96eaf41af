"""The two-proportion z-test behind subject-line A/B tests (pure functions, no Django)."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float  # two-sided

    @property
    def confidence(self) -> float:
        return 1.0 - self.p_value


def two_proportion_z_test(successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> ZTest:
    """Is B's rate different from A's? z > 0 when B is higher; the p-value is two-sided.

    Uses the pooled proportion for the standard error (the textbook test). With no trials,
    or no variation at all (0 % or 100 % everywhere), there is no evidence: z = 0, p = 1."""
    if trials_a <= 0 or trials_b <= 0:
        return ZTest(0.0, 1.0)
    rate_a, rate_b = successes_a / trials_a, successes_b / trials_b
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    variance = pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b)
    if variance <= 0:
        return ZTest(0.0, 1.0)
    z = (rate_b - rate_a) / math.sqrt(variance)
    return ZTest(z, math.erfc(abs(z) / math.sqrt(2)))
