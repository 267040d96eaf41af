"""The hand-computed dataset of `fixture.py`, grown with what the metric catalogue needs.

On top of `fixture.build` (Ann, Ben, Cat, Dan; friends f1–f9; completions of the first two
starter asks, "news" and "refer a friend"), all UTC, noon unless said:

Advocates and languages: Ann de, Ben de, Cat ja (enrolled through the channel "LinkedIn post"),
  Dan none (joins 1 Jun), Eve pl (invited 2 May through "CSM outreach", joins 3 May), Hal none
  (invited 21 May without a channel, joins 22 May).
Invitations: i1 Eve (CSM, 2 May, joined), i2 Fay (CSM, 5 May), i3 Gus (LinkedIn, 20 May, clicked
  only), i4 Hal (no channel, 21 May, joined), i5 Jo (CSM, 6 May, suppressed: never sent).
Clicks: friend 1's click on Ann's link came from facebook.com (the others have no Referer).
Friends: f5 (Cat's promo code) buys 7.00 on 25 Mar and 3.00 on 15 May; f10 signs up with Ann's
  code on 28 May and buys nothing.
Completions (approved unless said): Eve the review ask 20 May; Cat the review ask 30 Apr; Ben the
  review ask pending; Ann the UGC ask 18 May; Ben the social-share ask 16 May; Cat the
  social-mention ask 17 May, and again (rejected) 18 May; Ben the forum-answer ask 19 May.
Redemptions: Eve 24 May (fulfilled); Ann 26 May (rejected).
Unsubscribes: Ben from all email 28 May; Hal from marketing only 28 May; Dan from all 10 May.
Leads (referred): L1 Ann submitted 3 May, won 20 May, 500.00; L2 Ben submitted 20 Apr, won 10 May,
  300.00; L3 Cat submitted 5 May, lost 25 May; L4 Eve submitted 30 May, open. L5 from another
  channel, won 12 May, 999.99 (never counted).
Customers who are advocates: Ann (first seen 1 Jan; buys 10.00 on 5 Mar and 15.00 on 12 May,
  "subscription.renewed" on 9 May); Ben (first seen 1 Feb; buys 8.00 on 20 May, "plan.upgraded"
  21 May). Referred f6 sends "renewal" on 3 May.
Imported customers (everyone else): O1 signed up 1 Dec 2025, channel "Google Ads", buys 20.00 on
  10 Dec 2025 and 30.00 on 8 May, "subscription.renewed" 9 May and "upsell" 10 May; O2 signed up
  4 May, channel "google ads", buys 40.00 on 6 May; O3 signed up 10 May, channel "Trade show";
  O4 first seen 11 May 00:00, no channel, buys 10.00 on 11 May; O5 signed up 15 Apr, nothing else.
Entered costs: referral program May 200.00 and June 50.00; "Google Ads" May 300.00 and
  "google ads " May 60.00; "Trade show" April 100.00 and May 80.00; "Podcast" May 40.00.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from chorus.advocates.models import Advocate, Customer, UsageEvent
from chorus.analytics import costs
from chorus.campaigns.models import Ask, Completion
from chorus.invitations.models import Channel, Enrolment, Invitation
from chorus.notifications.models import Consent
from chorus.referrals.models import Click, Lead
from chorus.referrals.services.conversions import ConversionInput, record_conversions
from chorus.rewards.models import CatalogItem, Redemption
from chorus.testing import factories

from .fixture import Dataset, at, build


@dataclass
class MetricsDataset(Dataset):
    eve: Advocate = None
    hal: Advocate = None
    csm: Channel = None
    linkedin: Channel = None


def _invite(program, email, when, channel=None, *, joined=None, advocate=None, status=Invitation.Status.SENT,
            clicked=None):
    invitation = Invitation.objects.create(
        program=program, channel=channel, email=email, email_normalized=email, status=status,
        token_hash=hashlib.sha256(email.encode()).hexdigest(), expires_at=at(12, 31), last_sent_at=when,
        clicked_at=clicked, joined_at=joined, advocate=advocate)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=when)
    return invitation


def _convert(program, *events):
    results = record_conversions(program, [ConversionInput(**event) for event in events])
    assert all(not isinstance(result, Exception) for result in results), results


def _customer(program, key, *, seen, signed_up=None, channel=None, email=None):
    return Customer.objects.create(program=program, external_id=key, email=email or f"{key}@example.org",
                                   email_normalized=email or f"{key}@example.org", first_seen_at=seen,
                                   signed_up_at=signed_up, attributes={"channel": channel} if channel else {})


def _complete(ask, advocate, when, status=Completion.Status.APPROVED):
    Completion.objects.create(ask=ask, advocate=advocate, status=status,
                              decided_at=None if status == Completion.Status.PENDING else when)


def build_metrics(workspace, owner=None) -> MetricsDataset:
    base = build(workspace)
    program, ann, ben, cat, dan = base.program, base.ann, base.ben, base.cat, base.dan
    for advocate, language in ((ann, "de"), (ben, "de"), (cat, "ja"), (dan, "")):
        Advocate.objects.filter(pk=advocate.pk).update(language=language)
    eve = factories.make_advocate(program, email="eve@example.com", name="Eve", language="pl")
    hal = factories.make_advocate(program, email="hal@example.com", name="Hal")
    Advocate.objects.filter(pk=eve.pk).update(joined_at=at(5, 3))
    Advocate.objects.filter(pk=hal.pk).update(joined_at=at(5, 22))

    csm = Channel.objects.create(program=program, name="CSM outreach", slug="csm")
    linkedin = Channel.objects.create(program=program, name="LinkedIn post", slug="linkedin")
    i1 = _invite(program, "eve@example.com", at(5, 2), csm, joined=at(5, 3), advocate=eve)
    _invite(program, "fay@example.com", at(5, 5), csm)
    _invite(program, "gus@example.com", at(5, 20), linkedin, clicked=at(5, 20))
    i4 = _invite(program, "hal@example.com", at(5, 21), joined=at(5, 22), advocate=hal)
    _invite(program, "jo@example.com", at(5, 6), csm, status=Invitation.Status.SUPPRESSED)
    Enrolment.objects.create(advocate=eve, channel=csm, invitation=i1)
    Enrolment.objects.create(advocate=hal, invitation=i4)
    Enrolment.objects.create(advocate=cat, channel=linkedin)

    Click.objects.filter(link=ann.link, visitor_hash="v1").update(referrer="https://www.facebook.com/")

    _convert(program,
             {"type": "purchase", "customer_external_id": "f5", "occurred_at": at(3, 25), "amount": 700,
              "order_id": "o5a"},
             {"type": "purchase", "customer_external_id": "f5", "occurred_at": at(5, 15), "amount": 300,
              "order_id": "o5b"},
             {"type": "signup", "customer_external_id": "f10", "email": "f10@example.org", "occurred_at": at(5, 28),
              "referral_code": ann.link.code})

    asks = {kind: Ask.objects.filter(program=program, type=kind).order_by("pk").first()
            for kind in (Ask.Type.REVIEW, Ask.Type.UGC, Ask.Type.SOCIAL_SHARE, Ask.Type.SOCIAL_MENTION,
                         Ask.Type.FORUM_ANSWER)}
    _complete(asks[Ask.Type.REVIEW], eve, at(5, 20))
    _complete(asks[Ask.Type.REVIEW], cat, at(4, 30))
    _complete(asks[Ask.Type.REVIEW], ben, None, Completion.Status.PENDING)
    _complete(asks[Ask.Type.UGC], ann, at(5, 18))
    _complete(asks[Ask.Type.SOCIAL_SHARE], ben, at(5, 16))
    _complete(asks[Ask.Type.SOCIAL_MENTION], cat, at(5, 17))
    _complete(asks[Ask.Type.SOCIAL_MENTION], cat, at(5, 18), Completion.Status.REJECTED)
    _complete(asks[Ask.Type.FORUM_ANSWER], ben, at(5, 19))

    item = CatalogItem.objects.filter(program=program).order_by("pk").first()
    for advocate, when, status in ((eve, at(5, 24), Redemption.Status.FULFILLED),
                                   (ann, at(5, 26), Redemption.Status.REJECTED)):
        redemption = Redemption.objects.create(program=program, item=item, advocate=advocate, cost_points=100,
                                               status=status)
        Redemption.objects.filter(pk=redemption.pk).update(created_at=when)

    for email, category, when in (("ben@example.com", "all", at(5, 28)), ("hal@example.com", "marketing", at(5, 28)),
                                  ("dan@example.com", "all", at(5, 10))):
        consent = Consent.objects.create(program=program, email_normalized=email, category=category, granted=False,
                                         source=Consent.Source.ONE_CLICK)
        Consent.objects.filter(pk=consent.pk).update(at=when)

    def lead(name, advocate, submitted, stage=Lead.Stage.SUBMITTED, closed=None, value=0, source=Lead.Source.REFERRAL):
        Lead.objects.create(program=program, source=source, advocate=advocate, name=name, company=f"{name} Ltd",
                            stage=stage, submitted_at=submitted, closed_at=closed, deal_value=value,
                            entered_via=Lead.EnteredVia.CONSOLE)

    lead("L1", ann, at(5, 3), Lead.Stage.WON, at(5, 20), 50000)
    lead("L2", ben, at(4, 20), Lead.Stage.WON, at(5, 10), 30000)
    lead("L3", cat, at(5, 5), Lead.Stage.LOST, at(5, 25))
    lead("L4", eve, at(5, 30))
    lead("L5", None, at(5, 1), Lead.Stage.WON, at(5, 12), 99999, source=Lead.Source.OTHER)

    _customer(program, "cus_ann", seen=at(1, 1), email="ann@example.com")
    _customer(program, "cus_ben", seen=at(2, 1), email="ben@example.com")
    _customer(program, "o1", seen=datetime(2025, 12, 1, 12, tzinfo=at(1, 1).tzinfo),
              signed_up=datetime(2025, 12, 1, 12, tzinfo=at(1, 1).tzinfo), channel="Google Ads")
    _customer(program, "o2", seen=at(5, 4), signed_up=at(5, 4), channel="google ads")
    _customer(program, "o3", seen=at(5, 10), signed_up=at(5, 10), channel="Trade show")
    _customer(program, "o4", seen=at(5, 11, 0))
    _customer(program, "o5", seen=at(4, 15), signed_up=at(4, 15))
    _convert(program,
             {"type": "purchase", "customer_external_id": "cus_ann", "occurred_at": at(3, 5), "amount": 1000,
              "order_id": "a1"},
             {"type": "purchase", "customer_external_id": "cus_ann", "occurred_at": at(5, 12), "amount": 1500,
              "order_id": "a2"},
             {"type": "purchase", "customer_external_id": "cus_ben", "occurred_at": at(5, 20), "amount": 800,
              "order_id": "b1"},
             {"type": "purchase", "customer_external_id": "o1",
              "occurred_at": datetime(2025, 12, 10, 12, tzinfo=at(1, 1).tzinfo), "amount": 2000, "order_id": "p1"},
             {"type": "purchase", "customer_external_id": "o1", "occurred_at": at(5, 8), "amount": 3000,
              "order_id": "p2"},
             {"type": "purchase", "customer_external_id": "o2", "occurred_at": at(5, 6), "amount": 4000,
              "order_id": "p3"},
             {"type": "purchase", "customer_external_id": "o4", "occurred_at": at(5, 11), "amount": 1000,
              "order_id": "p4"})
    customers = {customer.external_id: customer for customer in Customer.objects.filter(program=program)}
    for key, name, when in (("cus_ann", "subscription.renewed", at(5, 9)), ("cus_ben", "plan.upgraded", at(5, 21)),
                            ("f6", "renewal", at(5, 3)), ("o1", "subscription.renewed", at(5, 9)),
                            ("o1", "upsell", at(5, 10))):
        UsageEvent.objects.create(program=program, customer=customers[key], name=name, occurred_at=when)

    for month, channel, amount in ((5, "referral program", 20000), (6, "Referral Program", 5000),
                                   (5, "Google Ads", 30000), (5, "google ads ", 6000), (4, "Trade show", 10000),
                                   (5, "Trade show", 8000), (5, "Podcast", 4000)):
        costs.add_cost(program, month=date(2026, month, 1), channel=channel, category="advertising", amount=amount,
                       user=owner)
    return MetricsDataset(program=program, ann=ann, ben=ben, cat=cat, dan=dan, eve=eve, hal=hal, csm=csm,
                          linkedin=linkedin)
