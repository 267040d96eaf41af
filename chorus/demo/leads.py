"""B2B leads in the demo: colleagues that advocates of B2B accounts referred, in every stage,
and deals from other channels, so the console's referred-versus-other report has something to
compare. Submitted and moved through the real services (won referred leads earn the program's
lead_won reward through the conversion machinery)."""

import random
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Subquery

from chorus.advocates.models import Advocate, Customer
from chorus.referrals.models import Conversion, Lead, Referral
from chorus.referrals.services.leads import LeadInput, create_lead, update_lead
from chorus.rewards.models import Reward, RewardRule
from chorus.testing.factories import make_rule

CONTACTS = ["Sam Lee", "Ana Ruiz", "Bo Chan", "Kim Novak", "Lars Berg", "Mia Sato", "Omar Haddad", "Zofia Kowal",
            "Tom Weber", "Nina Rossi", "Ravi Iyer", "Ella Stone", "Jonas Vogel", "Hana Mori", "Yusuf Kaya"]
COMPANIES = ["Globex", "Initech", "Umbrella Labs", "Hooli", "Vandelay Industries", "Stark Logistics", "Wayne Data",
             "Soylent Foods", "Tyrell Systems", "Cyberdyne Health", "Wonka Retail", "Oscorp Energy"]
CHANNELS = ["Outbound", "Paid search", "Trade show", "Partner", "Inbound demo request"]
REFERRED_PLAN = ["won"] * 9 + ["lost"] * 4 + ["qualified"] * 5 + ["submitted"] * 6
OTHER_PLAN = ["won"] * 7 + ["lost"] * 13 + ["qualified"] * 4 + ["submitted"] * 6
LOST_REASONS = ["Chose a competitor", "No budget this year", "Went quiet", "Too early for them"]


def seed_leads(program, owner, now: datetime, rng: random.Random, history_days: int = 90) -> int:
    """Referred leads (faster and more often won) and other-channel deals; returns how many."""
    make_rule(program, name="Advocate: 2,000 points per won B2B deal", event=RewardRule.Event.LEAD_WON,
              kind=RewardRule.Kind.POINTS, amount=2000)
    referrers = list(Advocate.objects.filter(program=program, account__isnull=False,
                                             status=Advocate.Status.ACTIVE).order_by("pk")[:8])
    count = 0
    for number, stage in enumerate(REFERRED_PLAN):
        advocate = referrers[number % len(referrers)] if referrers else None
        if advocate is None:
            break
        _deal(program, owner, now, rng, number, stage, history_days, advocate=advocate, days_to_close=(18, 45),
              value=(300_000, 1_500_000))
        count += 1
    for number, stage in enumerate(OTHER_PLAN, start=len(REFERRED_PLAN)):
        _deal(program, owner, now, rng, number, stage, history_days, advocate=None, days_to_close=(35, 80),
              value=(200_000, 1_200_000))
        count += 1
    _backdate(program)
    return count


def _backdate(program) -> None:
    """Like the rest of the history: the won deals' rows carry the time they were won, not the
    seed's (ledger entries keep theirs: append-only)."""
    won = Conversion.objects.filter(program=program, type=Conversion.Type.LEAD_WON)
    occurred = Conversion.objects.filter(pk=OuterRef("conversion_id")).values("occurred_at")[:1]
    won.update(created_at=F("occurred_at"))
    Customer.objects.filter(conversions__in=won).update(created_at=F("first_seen_at"))
    Referral.objects.filter(program=program, reason=Referral.Reason.LEAD).update(
        created_at=Subquery(Conversion.objects.filter(referral=OuterRef("pk")).order_by("occurred_at").values("occurred_at")[:1]))
    Reward.objects.filter(conversion__in=won).update(created_at=Subquery(occurred), approved_at=Subquery(occurred),
                                                   issued_at=Subquery(occurred))
    Lead.objects.filter(program=program).update(created_at=F("submitted_at"))


def _deal(program, owner, now, rng, number, stage, history_days, *, advocate, days_to_close, value):
    contact = CONTACTS[number % len(CONTACTS)]
    company = COMPANIES[number % len(COMPANIES)]
    domain = company.lower().replace(" ", "-")
    email = f"{contact.split()[0].lower()}.{number}@{domain}.example"
    close_in = timedelta(days=rng.randint(*days_to_close), hours=rng.randint(0, 8))
    latest_start = history_days * 86400 - (close_in.total_seconds() if stage in ("won", "lost") else 86400 * 3)
    submitted_at = now - timedelta(days=history_days) + timedelta(seconds=rng.randint(0, max(int(latest_start), 1)))
    data = LeadInput(name=contact, company=company, email=email, consent=advocate is not None, advocate=advocate,
                     source=Lead.Source.REFERRAL if advocate else Lead.Source.OTHER,
                     channel="" if advocate else CHANNELS[number % len(CHANNELS)],
                     note="Met at our user group; their analytics team is growing." if advocate else "",
                     submitted_at=submitted_at, deal_value=rng.randrange(value[0], value[1], 10_000))
    lead = create_lead(program, data, entered_via=Lead.EnteredVia.HUB if advocate else Lead.EnteredVia.CONSOLE,
                       user=None if advocate else owner)
    if stage == "submitted":
        return lead
    qualified_at = min(submitted_at + close_in / 3, now - timedelta(hours=1))
    update_lead(lead, stage="qualified", at=qualified_at, user=owner)
    if stage == "won":
        update_lead(lead, stage="won", at=min(submitted_at + close_in, now), user=owner)
    elif stage == "lost":
        update_lead(lead, stage="lost", lost_reason=rng.choice(LOST_REASONS), at=min(submitted_at + close_in, now),
                    user=owner)
    return lead
