"""The ranked candidate list (I3, I4): every customer (and every advocate without a customer
row), scored with the program's weights, with open nominations beside each score.

Everything is loaded in a handful of bulk queries (customers, advocates, latest NPS answer
per person, referral counts, nominations) and scored in Python.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from chorus.advocates.models import Advocate, Customer
from chorus.referrals.models import Referral

from .models import Nomination, NpsResponse
from .scoring import Inputs, Score, score, weights_for


@dataclass
class Candidate:
    customer: Customer | None
    advocate: Advocate | None
    score: Score
    nominations: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"c{self.customer.pk}" if self.customer is not None else f"a{self.advocate.pk}"

    @property
    def name(self) -> str:
        for who in (self.customer, self.advocate):
            if who is not None and who.name:
                return who.name
        return self.email

    @property
    def email(self) -> str:
        for who in (self.customer, self.advocate):
            if who is not None and who.email:
                return who.email
        return getattr(self.customer, "external_id", "")

    @property
    def is_advocate(self) -> bool:
        return self.advocate is not None

    @property
    def language(self) -> str:
        return (self.customer.language if self.customer else "") or (self.advocate.language if self.advocate else "")

    @property
    def plan(self) -> str:
        return self.customer.plan if self.customer else ""


def _latest_nps(program) -> dict:
    latest: dict = {}
    rows = NpsResponse.objects.filter(program=program).order_by("responded_at", "pk").values_list(
        "customer_id", "advocate_id", "email_normalized", "score")
    for customer_id, advocate_id, email, value in rows:
        for key in (("c", customer_id), ("a", advocate_id), ("e", email)):
            if key[1]:
                latest[key] = value
    return latest


def _first(mapping: dict, *keys):
    for key in keys:
        if key[1] and key in mapping:
            return mapping[key]
    return None


def _nominations(program) -> tuple[dict, dict]:
    by_customer: dict = {}
    by_advocate: dict = {}
    for nomination in Nomination.objects.filter(program=program, status=Nomination.Status.OPEN).select_related(
            "nominated_by").order_by("created_at", "pk"):
        if nomination.customer_id:
            by_customer.setdefault(nomination.customer_id, []).append(nomination)
        else:
            by_advocate.setdefault(nomination.advocate_id, []).append(nomination)
    return by_customer, by_advocate


def candidates(program, *, not_advocates: bool = False, nominated_only: bool = False, language: str = "",
               plan: str = "", query: str = "", now: datetime | None = None) -> list[Candidate]:
    """Everyone worth considering, best score first."""
    now = now or timezone.now()
    weights = weights_for(program).as_dict()
    advocates = {a.email_normalized: a for a in Advocate.objects.filter(program=program)}
    latest = _latest_nps(program)
    referrals = dict(Referral.objects.filter(program=program).exclude(review=Referral.Review.DENIED)
                     .values("advocate_id").annotate(count=Count("pk")).values_list("advocate_id", "count"))
    nominated_customers, nominated_advocates = _nominations(program)
    people: list[Candidate] = []
    matched: set[int] = set()
    fields = ("external_id", "email", "email_normalized", "name", "language", "plan", "signed_up_at",
              "first_seen_at", "attributes", "health_score")
    for customer in Customer.objects.filter(program=program).only(*fields).iterator(chunk_size=2000):
        advocate = advocates.get(customer.email_normalized) if customer.email_normalized else None
        if advocate is not None:
            matched.add(advocate.pk)
        inputs = Inputs(
            latest_nps=_first(latest, ("c", customer.pk), ("a", advocate and advocate.pk),
                              ("e", customer.email_normalized)),
            health=customer.health_score, since=customer.signed_up_at or customer.first_seen_at,
            referrals=referrals.get(advocate.pk, 0) if advocate else 0,
            attributes=customer.attributes or {})
        nominations = nominated_customers.get(customer.pk, []) + (
            nominated_advocates.get(advocate.pk, []) if advocate else [])
        people.append(Candidate(customer, advocate, score(inputs, weights, now), nominations))
    for advocate in advocates.values():
        if advocate.pk in matched:
            continue
        inputs = Inputs(latest_nps=_first(latest, ("a", advocate.pk), ("e", advocate.email_normalized)),
                        since=advocate.joined_at or advocate.created_at, referrals=referrals.get(advocate.pk, 0))
        people.append(Candidate(None, advocate, score(inputs, weights, now), nominated_advocates.get(advocate.pk, [])))
    people = [c for c in people if _wanted(c, not_advocates, nominated_only, language, plan, query)]
    people.sort(key=lambda c: (-c.score.total, -len(c.nominations), c.name.casefold(), c.key))
    return people


def _wanted(candidate: Candidate, not_advocates: bool, nominated_only: bool, language: str, plan: str,
            query: str) -> bool:
    if not_advocates and candidate.is_advocate:
        return False
    if nominated_only and not candidate.nominations:
        return False
    if language and candidate.language != language:
        return False
    if plan and candidate.plan != plan:
        return False
    if query:
        needle = query.casefold()
        return needle in candidate.name.casefold() or needle in candidate.email.casefold()
    return True
