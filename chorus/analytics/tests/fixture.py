"""A small dataset whose every number is worked out by hand in `test_hand_computed.py`.

Advocates (created in this order, so ids ascend): Ann (joined 10 Jan 2026), Ben (1 Feb), Cat
(1 Mar), Dan (1 Jun, does nothing). All times UTC (the project's time zone), noon unless said.

Friend 1 (visitor v1): clicks Cat 6 May (with a content item), Ben 13 May, Ann 20 May; signs up
  with Ann's click id and buys for 100.00 (10000) on 20 May — touches 14, 7 and 0 days before.
Friend 2 (visitor v2): clicks Ann 15 Apr (40 days before: outside the 30-day window), Ben 4 May
  (with a content item), Cat 18 May, Ben again 25 May 11:59 (a repeat within the hour: not
  unique), a bot on Cat's link 24 May; signs up with Ben's click id of 25 May 12:00 and buys for
  9.99 (999) at 12:00 — touches 21, 7 and 0 days before.
Friend 3: Cat's promo code, signup and purchase of 5000 on 10 May, 2000 of it refunded 12 May.
Friend 4: Ann's referral code, signup and purchase of 2000 on 22 May.
Friends 5, 6: Cat's promo code, signups 20 and 21 Mar. Friends 7, 8, 9: Ben's referral code,
  signups 10, 11, 12 Apr. Visitor v5 clicks Cat's link with the content item on 6 May, nothing more.
Completions approved in May: Ben two, Cat one; Ann one still pending.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from chorus.advocates.models import Advocate
from chorus.campaigns.models import Ask, Completion, ContentItem
from chorus.core.signing import new_click_id
from chorus.referrals.models import Click
from chorus.referrals.services.conversions import ConversionInput, record_conversions
from chorus.testing import factories


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Dataset:
    program: object
    ann: Advocate
    ben: Advocate
    cat: Advocate
    dan: Advocate


def click(advocate, when: datetime, visitor: str, *, content=None, unique=True, bot=False) -> str:
    click_id = new_click_id(advocate.link.pk, advocate.program_id, clicked_at=when.timestamp())
    Click.objects.create(program_id=advocate.program_id, link=advocate.link, token=click_id.token,
                         created_at=when, visitor_hash=visitor, content=content, is_unique=unique, is_bot=bot)
    return click_id.token


def build(workspace, **program_fields) -> Dataset:
    program = factories.make_program(workspace, name="Hand computed", slug="hand", **program_fields)
    ann, ben, cat, dan = (factories.make_advocate(program, email=f"{name.lower()}@example.com", name=name)
                          for name in ("Ann", "Ben", "Cat", "Dan"))
    for advocate, joined in ((ann, at(1, 10, 0)), (ben, at(2, 1, 0)), (cat, at(3, 1, 0)), (dan, at(6, 1, 0))):
        Advocate.objects.filter(pk=advocate.pk).update(joined_at=joined)
    item = ContentItem.objects.create(program=program, title="Our story", destination_url="https://shop.example.com/")

    click(cat, at(5, 6), "v1", content=item)
    click(ben, at(5, 13), "v1")
    friend1_token = click(ann, at(5, 20), "v1")
    click(ann, at(4, 15), "v2")
    click(ben, at(5, 4), "v2", content=item)
    click(cat, at(5, 18), "v2")
    click(ben, at(5, 25, 11, 59), "v2", unique=False)
    click(cat, at(5, 24), "v2", bot=True)
    friend2_token = new_click_id(ben.link.pk, program.pk, clicked_at=at(5, 25).timestamp()).token
    Click.objects.create(program=program, link=ben.link, token=friend2_token, created_at=at(5, 25),
                         visitor_hash="v2")
    click(cat, at(5, 6), "v5", content=item)

    def event(kind, customer, when, **fields):
        return ConversionInput(type=kind, customer_external_id=customer, email=f"{customer}@example.org",
                               occurred_at=when, **fields)

    events = [
        event("signup", "f1", at(5, 20), click_id=friend1_token),
        event("purchase", "f1", at(5, 20), amount=10000, order_id="o1"),
        event("signup", "f2", at(5, 25), click_id=friend2_token),
        event("purchase", "f2", at(5, 25), amount=999, order_id="o2"),
        event("signup", "f3", at(5, 10), promo_code=cat.link.promo_code),
        event("purchase", "f3", at(5, 10), amount=5000, order_id="o3"),
        event("signup", "f4", at(5, 22), referral_code=ann.link.code),
        event("purchase", "f4", at(5, 22), amount=2000, order_id="o4"),
        event("signup", "f5", at(3, 20), promo_code=cat.link.promo_code),
        event("signup", "f6", at(3, 21), promo_code=cat.link.promo_code),
        event("signup", "f7", at(4, 10), referral_code=ben.link.code),
        event("signup", "f8", at(4, 11), referral_code=ben.link.code),
        event("signup", "f9", at(4, 12), referral_code=ben.link.code),
    ]
    results = record_conversions(program, events)
    assert all(not isinstance(result, Exception) for result in results), results
    refund = record_conversions(program, [ConversionInput(type="refund", order_id="o3", amount=2000,
                                                          occurred_at=at(5, 12))])
    assert not isinstance(refund[0], Exception), refund

    asks = list(Ask.objects.filter(program=program).order_by("pk")[:2])
    decided = at(5, 15)
    for advocate, ask in ((ben, asks[0]), (ben, asks[1]), (cat, asks[0])):
        Completion.objects.create(ask=ask, advocate=advocate, status=Completion.Status.APPROVED, decided_at=decided)
    Completion.objects.create(ask=asks[0], advocate=ann)
    return Dataset(program=program, ann=ann, ben=ben, cat=cat, dan=dan)


def today() -> datetime:
    return timezone.localdate()


__all__ = ["Dataset", "at", "build", "timedelta"]
