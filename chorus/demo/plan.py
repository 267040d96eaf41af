"""The demo's plan (P1–P3): outcome types, a strategic revenue goal with operational goals under
it, a stand-alone advocates goal, stages, and a few personas.

Targets are set from the history the seed just wrote (the last `HISTORY_DAYS`), so the page shows
a spread of statuses however the history falls: revenue stretched 20 % above its pace (at risk),
signups a little under theirs (on track), new advocates well above theirs (behind)."""

import math
from datetime import datetime, timedelta

from chorus.analytics import catalogue
from chorus.programs.goals import StageInput, save_goal, save_outcome_types
from chorus.programs.models import OutcomeType, Program
from chorus.programs.personas import save_persona


def _pace(program: Program, metric: str, start, today, days: int, factor: float, step: int) -> int:
    """What the metric would reach over `days` at its pace since `start`, times `factor`, rounded up to `step`."""
    so_far = catalogue.value(program, metric, start, today) or 0
    elapsed = (today - start).days + 1
    return max(step, math.ceil(so_far / elapsed * days * factor / step) * step)


def seed_plan(program: Program, team_program: Program, owner, now: datetime, history_days: int) -> None:
    today = now.date()
    start = today - timedelta(days=history_days - 1)
    year_end = start + timedelta(days=364)
    save_outcome_types(program, [OutcomeType.REFERRALS, OutcomeType.REVIEWS, OutcomeType.SOCIAL_SHARES,
                                 OutcomeType.TESTIMONIALS, OutcomeType.CASE_STUDIES], user=owner)
    save_outcome_types(team_program, [OutcomeType.REFERRALS, OutcomeType.REFERENCES], user=owner)

    revenue = save_goal(program, kind="strategic", name="Referred revenue up 20% this year", metric="referred_revenue",
                        target=_pace(program, "referred_revenue", start, today, 365, 1.2, 100_000),
                        start_date=start, deadline=year_end, user=owner,
                        notes="Last year's referred revenue plus 20%, as agreed in the annual plan.")
    signups = _pace(program, "referred_signups", start, today, 365, 0.9, 10)
    quarters = [StageInput(start + timedelta(days=91 * n), math.ceil(signups * n / 4)) for n in (1, 2, 3)]
    save_goal(program, kind="operational", name=f"{signups} referred customers this year", metric="referred_signups",
              target=signups, start_date=start, deadline=year_end, parent=revenue, stages=quarters, user=owner)
    quarter_end = today + timedelta(days=30)
    joined = _pace(program, "advocates_joined", start, today, (quarter_end - start).days + 1, 1.6, 5)
    save_goal(program, kind="operational", name=f"{joined} advocates in the program by the end of the quarter",
              metric="advocates_joined", target=joined, start_date=start, deadline=quarter_end, user=owner,
              notes="Invite the accounts customer success names in the Q3 review.")

    save_persona(program, user=owner, name="Champions", min_referrals=3, active_within_days=30,
                 description="Refer again and again, and are active right now: ask them for case studies.")
    save_persona(program, user=owner, name="German-speaking customers", languages=["de"],
                 description="For the DACH launch campaign.")
    save_persona(program, user=owner, name="Promoters", nps_promoter=True,
                 description="Scored us 9 or 10 in their latest NPS answer: ask for a review.")
    save_persona(program, user=owner, name="Company accounts", account="with_account", min_points_earned=500,
                 description="B2B advocates with some history: candidates for references.")
