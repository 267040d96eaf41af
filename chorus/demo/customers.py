"""Demo customers: the demo program's customers get plans, revenue and social-profile
attributes (followers, posts per month), a few dozen imported prospects join them, some use
the product (usage events over the last 90 days), and their health scores are computed —
all through the real services. `data/customers_sample.csv` is a file to try the import with."""

import random
from datetime import datetime, timedelta

from chorus.advocates.customers import check_values, upsert_customers
from chorus.advocates.health import recompute_program_health, save_health_settings
from chorus.advocates.models import Advocate, Customer
from chorus.advocates.usage import record_usage_event

from .costs import OTHER_CHANNELS

PLANS = [("Free", 0), ("Starter", 29_00), ("Pro", 99_00), ("Business", 299_00), ("Enterprise", 1_200_00)]
PLAN_SCORES = {"Free": 10, "Starter": 35, "Pro": 60, "Business": 80, "Enterprise": 95}
EVENTS = ["dashboard.viewed", "report.created", "report.shared", "integration.connected", "user.invited"]
PROSPECTS = [
    ("Lena Fischer", "de"), ("Hiro Sato", "ja"), ("Zofia Kowalska", "pl"), ("Omar Haddad", "ar"), ("Grace Miller", "en"),
    ("Felix Braun", "de"), ("Yuki Mori", "ja"), ("Piotr Zielinski", "pl"), ("Layla Nasser", "ar"), ("Sam Carter", "en"),
    ("Mia Wagner", "de"), ("Ren Kobayashi", "ja"), ("Kasia Lewandowska", "pl"), ("Karim Saleh", "ar"),
    ("Olivia Brooks", "en"), ("Jonas Keller", "de"), ("Aoi Yamada", "ja"), ("Marta Wozniak", "pl"),
    ("Nour Khalil", "ar"), ("Ethan Reed", "en"), ("Clara Hoffmann", "de"), ("Sora Ito", "ja"), ("Ewa Mazur", "pl"),
    ("Rami Aziz", "ar"), ("Chloe Evans", "en"), ("Paul Schulz", "de"), ("Mei Suzuki", "ja"), ("Adam Nowicki", "pl"),
    ("Hana Farouk", "ar"), ("Noah Turner", "en"),
]


def _profile(rng: random.Random, plan_index: int) -> dict:
    plan, price = PLANS[plan_index]
    followers = int(rng.paretovariate(1.2) * 150)
    return {"plan": plan, "revenue": price * rng.randint(1, 18),
            "attributes": {"followers": followers, "posts_per_month": rng.randint(0, 30),
                           "verified": followers > 5000, "industry": rng.choice(["saas", "retail", "fintech", "media"])}}


def seed_customers(program, rng: random.Random, now: datetime) -> int:
    """Profiles for the program's customers and advocates, prospects, usage, health; how many customers."""
    save_health_settings(program, weights={"activity_30d": 30, "activity_90d": 15, "recency": 20, "revenue": 15,
                                           "plan": 10, "tenure": 10},
                         plan_scores={plan: score for plan, score in PLAN_SCORES.items()})
    rows = []
    for advocate in Advocate.objects.filter(program=program).select_related("account").order_by("pk"):
        rows.append(check_values({
            "external_id": advocate.external_id, "email": advocate.email, "name": advocate.name,
            "language": advocate.language, "account": advocate.account,
            "signed_up_at": (advocate.joined_at or now) - timedelta(days=rng.randint(30, 900)),
            **_profile(rng, rng.choice([1, 2, 2, 3, 3, 4]))}))
    for customer in Customer.objects.filter(program=program).exclude(external_id="", email="").order_by("pk"):
        rows.append(check_values({"external_id": customer.external_id, "email": customer.email,
                                  "signed_up_at": customer.first_seen_at, **_profile(rng, rng.choice([0, 1, 1, 2]))}))
    for number, (name, language) in enumerate(PROSPECTS):
        email = f"{name.lower().replace(' ', '.')}@example.org"
        signed_up_at = now - timedelta(days=rng.randint(20, 1100))
        profile = _profile(rng, rng.choice([0, 1, 2, 2, 3, 4]))
        profile["attributes"]["channel"] = OTHER_CHANNELS[number % len(OTHER_CHANNELS)]  # for CAC per channel
        rows.append(check_values({"external_id": f"crm_{1000 + number}", "email": email, "name": name,
                                  "language": language, "signed_up_at": signed_up_at, **profile}))
    upsert_customers(program, rows)
    _usage(program, rng, now)
    return recompute_program_health(program.pk, now=now)


def _usage(program, rng: random.Random, now: datetime) -> None:
    """Busy customers use the product often and lately; others rarely; some not at all."""
    customers = list(Customer.objects.filter(program=program).order_by("pk"))
    for customer in rng.sample(customers, k=min(len(customers), 160)):
        busy = rng.random() < 0.4
        for _number in range(rng.randint(8, 40) if busy else rng.randint(1, 6)):
            days = rng.uniform(0, 20) if busy else rng.uniform(10, 120)
            record_usage_event(customer, rng.choice(EVENTS), {"source": "demo"},
                               occurred_at=now - timedelta(days=days), now=now)
