"""Demo data for invitations and onboarding: three channels with targets, the invitations of
the last weeks in every state (sent, clicked, joined, not sent because the address is
suppressed, never sent at all), and people who came in through the channels' links.

The past is recorded as history, like the seeded clicks: invitation rows and link visits are
written directly and no email goes out for them. The joins re-use the seeded advocates who
joined most recently (as the content vault re-uses seeded clicks): each is given the customer
record and the invitation that brought them in, and the invitation is accepted through the real
service (`accept_invitation`, which finds the advocate instead of making a second one), or they
are enrolled through a channel's link. Not-yet-joined invitees are new customers."""

import random
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from chorus.advocates.models import Advocate, Customer
from chorus.core.emails import normalize_email
from chorus.core.signing import hash_secret
from chorus.invitations.channels import create_channel, period_containing
from chorus.invitations.models import Channel, ChannelVisit, Enrolment, Invitation
from chorus.invitations.services import VALID_DAYS, accept_invitation
from chorus.notifications import consent

from . import people

CHANNELS = [
    # name, target, period, invitations by stage (joined, clicked, sent, suppressed), link visits, link joins
    ("CSM outreach", 10, Channel.Period.MONTH, (4, 3, 3, 1), 0, 0),
    ("LinkedIn post", 30, Channel.Period.QUARTER, (2, 2, 2, 0), 46, 7),
    ("In-app banner", 15, Channel.Period.MONTH, (0, 0, 0, 0), 31, 5),
]
WITHOUT_CHANNEL = (1, 1, 2, 0)


def _name(rng: random.Random, language: str) -> tuple[str, str]:
    first, first_ascii = rng.choice(people.FIRST_NAMES[language])
    last, last_ascii = rng.choice(people.LAST_NAMES[language])
    name = f"{last}{first}" if language in people.NAME_ORDER_FAMILY_FIRST else f"{first} {last}"
    return name, f"{first_ascii}.{last_ascii}"


def _customer(program, rng: random.Random, number: int, now: datetime) -> Customer:
    language = rng.choices(list(people.LANGUAGE_WEIGHTS), weights=list(people.LANGUAGE_WEIGHTS.values()))[0]
    name, local = _name(rng, language)
    email = f"{local}.invited{number}@{rng.choice(people.EMAIL_DOMAINS[language])}"
    return Customer.objects.create(
        program=program, external_id=f"inv_{number:04d}", email=email, email_normalized=normalize_email(email),
        name=name, language=language, first_seen_at=now - timedelta(days=rng.randint(60, 700)))


def _invitation(program, customer: Customer, channel, sent_at: datetime, owner,
                expires_at: datetime | None = None) -> tuple[Invitation, str]:
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        program=program, customer=customer, channel=channel, email=customer.email,
        email_normalized=customer.email_normalized, name=customer.name, language=customer.language,
        token_hash=hash_secret(raw), expires_at=expires_at or sent_at + timedelta(days=VALID_DAYS), last_sent_at=sent_at,
        invited_by=owner)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=sent_at)
    return invitation, raw


def _customer_of(advocate: Advocate, number: int) -> Customer:
    return Customer.objects.create(
        program=advocate.program, external_id=f"inv_{number:04d}", email=advocate.email,
        email_normalized=advocate.email_normalized, name=advocate.name, language=advocate.language,
        account=advocate.account, first_seen_at=advocate.joined_at - timedelta(days=30))


def _seed_invitations(program, channel, stages, rng, now, owner, counter, newcomers) -> None:
    joined, clicked, sent, suppressed = stages
    for advocate in [next(newcomers) for _index in range(joined)]:
        sent_at = advocate.joined_at - timedelta(hours=rng.randint(2, 72))
        invitation, raw = _invitation(program, _customer_of(advocate, next(counter)), channel, sent_at, owner,
                                      expires_at=timezone.now() + timedelta(days=1))  # open when accepted below
        accept_invitation(program, raw)
        Invitation.objects.filter(pk=invitation.pk).update(joined_at=advocate.joined_at, clicked_at=advocate.joined_at,
                                                           expires_at=sent_at + timedelta(days=VALID_DAYS))
    start = datetime.combine(period_containing(Channel.Period.MONTH, now.date()).start, datetime.min.time(),
                             tzinfo=now.tzinfo)
    for index in range(clicked + sent + suppressed):
        customer = _customer(program, rng, next(counter), now)
        sent_at = start + (now - start) * rng.uniform(0.05, 0.6)
        invitation, _raw = _invitation(program, customer, channel, sent_at, owner)
        if index < clicked:
            Invitation.objects.filter(pk=invitation.pk).update(
                clicked_at=min(now, sent_at + timedelta(hours=rng.randint(1, 72))))
        elif index >= clicked + sent:
            consent.suppress(program, customer.email, reason="bounce", source="demo")
            Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.SUPPRESSED)


def _seed_link(channel, visits: int, joins: int, rng, now, newcomers) -> None:
    for number in range(visits):
        day = (now - timedelta(days=rng.randint(0, 20))).date()
        ChannelVisit.objects.create(channel=channel, visitor=f"demo-visitor-{channel.pk}-{number}", day=day)
    for advocate in [next(newcomers) for _index in range(joins)]:
        Enrolment.objects.create(advocate=advocate, channel=channel)


def seed_invitations(program, owner, rng: random.Random, now: datetime | None = None, *,
                     star=None) -> list[Channel]:
    now = now or timezone.now()
    counter = iter(range(1, 10_000))
    newcomers = iter(Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE, joined_at__isnull=False)
                     .exclude(pk=star.pk if star else None).select_related("program", "account")
                     .order_by("-joined_at", "pk"))
    channels = []
    for name, target, period, stages, visits, joins in CHANNELS:
        channel = create_channel(program, name=name, target_joined=target, target_period=period)
        channel.program = program
        _seed_invitations(program, channel, stages, rng, now, owner, counter, newcomers)
        _seed_link(channel, visits, joins, rng, now, newcomers)
        channels.append(channel)
    _seed_invitations(program, None, WITHOUT_CHANNEL, rng, now, owner, counter, newcomers)
    for _index in range(8):  # candidates still waiting for an invitation
        _customer(program, rng, next(counter), now)
    return channels
