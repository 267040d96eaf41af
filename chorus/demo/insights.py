"""Demo NPS answers, profile columns and nominations, so the NPS page and the candidate list
have something to show: a spring survey answered over the last 90 days (comments in five
languages), social columns on some customers, and teammates' nominations.

Rows are written directly (no emails, no automations: the history is in the past). The
starter pack's survey ask marks its 0–10 question as the NPS question, so hub answers add
to these."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from chorus.advocates.models import Advocate, Customer
from chorus.core.emails import normalize_email
from chorus.insights.models import Nomination, NpsResponse, NpsSend, NpsSurvey, category_for
from chorus.insights.surveys import ensure_template
from chorus.programs.models import Membership

COMMENTS = {
    "promoter": {
        "en": ["The referral links just work, and support answers within the hour.", "Saved our analysts a day a week.",
               "Best onboarding I have seen in years."],
        "de": ["Die Berichte sparen uns jede Woche Stunden.", "Sehr freundlicher Support, schnelle Antworten."],
        "pl": ["Świetne raporty i bardzo pomocny zespół.", "Polecam każdemu, kto pracuje z danymi."],
        "ja": ["レポートが分かりやすく、チーム全員が使っています。", "サポートの対応がとても早いです。"],
        "ar": ["التقارير ممتازة والدعم سريع جدًا.", "أنصح به كل فريق تسويق."],
    },
    "passive": {
        "en": ["Good product, but the export could be faster.", "Does what we need; pricing is a bit high."],
        "de": ["Gut, aber die mobile Ansicht fehlt noch."],
        "pl": ["Dobre narzędzie, brakuje kilku integracji."],
        "ja": ["便利ですが、もう少し安いと嬉しいです。"],
        "ar": ["جيد، لكن نحتاج مزيدًا من التكاملات."],
    },
    "detractor": {
        "en": ["Dashboards are slow on large accounts.", "We waited three days for an answer to a billing question."],
        "de": ["Zu teuer für kleine Teams."],
        "pl": ["Import danych często się zawiesza."],
        "ja": ["日本語の請求書が必要です。"],
        "ar": ["الواجهة غير واضحة في البداية."],
    },
}
NOMINATIONS = [
    ("demo.sales", "Sam (Sales)", "Asked me on the renewal call how they could refer a partner agency."),
    ("demo.success", "Carla (Customer success)", "Runs a user group in their city and loves showing our dashboards."),
    ("demo.support", "Tariq (Support)", "Wrote us a three-page thank-you after the migration; would make a great case study."),
]


def _score(rng: random.Random) -> int:
    return rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 8, 10, 14, 14])[0]


def _comment(rng: random.Random, score: int, language: str) -> str:
    if rng.random() > 0.65:
        return ""
    texts = COMMENTS[category_for(score)]
    return rng.choice(texts.get(language) or texts["en"])


def _profile_columns(customers: list, rng: random.Random) -> None:
    """Social columns and a health score for customers the import did not describe."""
    for customer in customers:
        changed = []
        if not customer.attributes:
            customer.attributes = {"followers": rng.choice([0, 120, 800, 2400, 15000, 64000]),
                                   "posts_per_month": rng.choice([0, 1, 2, 4, 8, 12]),
                                   "active_weeks": rng.randint(0, 12),
                                   "verified": rng.random() < 0.15, "expert": rng.random() < 0.1}
            changed.append("attributes")
        if customer.health_score is None:
            customer.health_score = rng.randint(25, 98)
            changed.append("health_score")
        if changed:
            customer.save(update_fields=changed)


def _people(program) -> list[tuple]:
    """(customer, advocate, language, email) for everyone with an address, customers first."""
    advocates = {a.email_normalized: a for a in Advocate.objects.filter(program=program)}
    people, seen = [], set()
    for customer in Customer.objects.filter(program=program).exclude(email_normalized="").order_by("pk"):
        if customer.email_normalized in seen:  # one survey send per address
            continue
        advocate = advocates.get(customer.email_normalized)
        language = customer.language or (advocate.language if advocate else "") or "en"
        people.append((customer, advocate, language, customer.email))
        seen.add(customer.email_normalized)
    for email, advocate in sorted(advocates.items()):
        if email not in seen:
            people.append((None, advocate, advocate.language or "en", advocate.email))
    return people


def _teammates(workspace) -> list:
    users = []
    model = get_user_model()
    for username, full_name, _reason in NOMINATIONS:
        first, _space, last = full_name.partition(" ")
        user = model.objects.filter(username=username).first() or model.objects.create_user(
            username, f"{username}@example.com", password=None, first_name=first, last_name=last)
        Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": Membership.Role.TEAMMATE})
        users.append(user)
    return users


def seed_insights(program, owner, *, rng: random.Random, now: datetime, days: int = 90) -> None:
    ensure_template(program)
    people = _people(program)
    _profile_columns([customer for customer, *_rest in people if customer is not None], rng)
    survey = NpsSurvey.objects.create(program=program, name="Spring NPS", created_by=owner)
    NpsSurvey.objects.filter(pk=survey.pk).update(created_at=now - timedelta(days=days))
    answering = [person for person in people if rng.random() < 0.7]
    NpsSend.objects.bulk_create([
        NpsSend(survey=survey, program=program, customer=customer, advocate=advocate, email=email,
                email_normalized=normalize_email(email), name=(customer or advocate).name, language=language)
        for customer, advocate, language, email in people])
    by_email = {send.email_normalized: send for send in NpsSend.objects.filter(survey=survey)}
    responses = []
    for customer, advocate, language, email in answering:
        score = _score(rng)
        at = now - timedelta(days=rng.uniform(0.5, days - 1))
        responses.append(NpsResponse(
            program=program, send=by_email.get(normalize_email(email)), customer=customer, advocate=advocate,
            email_normalized=normalize_email(email), score=score, category=category_for(score),
            comment=_comment(rng, score, language), source=NpsResponse.Source.EMAIL, responded_at=at,
            promoter_fired_at=at if score >= 9 else None))
    NpsResponse.objects.bulk_create(responses)
    _nominate(program, people, rng)

def _nominate(program, people, rng: random.Random) -> None:
    customers = [customer for customer, advocate, *_rest in people if customer is not None and advocate is None]
    if not customers:
        return
    teammates = _teammates(program.workspace)
    for (_username, _name, reason), user in zip(NOMINATIONS, teammates, strict=True):
        for customer in rng.sample(customers, min(2, len(customers))):
            Nomination.objects.get_or_create(program=program, customer=customer, nominated_by=user,
                                             status=Nomination.Status.OPEN, defaults={"reason": reason})
