"""Demo data for invitations and onboarding: three channels with targets, the invitations of
the last weeks in every state (sent, clicked, joined, not sent because the address is
suppressed, never sent at all), and people who came in through the channels' links.

The past is recorded as history, like the seeded clicks: invitation rows and link visits are
written directly and no email goes out for them. Every join goes through the real services
(`accept_invitation` creates the advocate from the customer; link sign-ups are enrolled with
`upsert_advocate`), so advocates, links and enrolments are what production would hold."""

import random
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from chorus.advocates.models import Advocate, Customer
from chorus.advocates.services import upsert_advocate
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


def _invitation(program, customer: Customer, channel, sent_at: datetime, owner) -> tuple[Invitation, str]:
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        program=program, customer=customer, channel=channel, email=customer.email,
        email_normalized=customer.email_normalized, name=customer.name, language=customer.language,
        token_hash=hash_secret(raw), expires_at=sent_at + timedelta(days=VALID_DAYS), last_sent_at=sent_at,
        invited_by=owner)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=sent_at)
    return invitation, raw


def _seed_invitations(program, channel, stages, rng, now, owner, counter) -> None:
    joined, clicked, sent, suppressed = stages
    start = datetime.combine(period_containing(Channel.Period.MONTH, now.date()).start, datetime.min.time(),
                             tzinfo=now.tzinfo)
    for index in range(joined + clicked + sent + suppressed):
        customer = _customer(program, rng, next(counter), now)
        sent_at = start + (now - start) * rng.uniform(0.05, 0.6)
        invitation, raw = _invitation(program, customer, channel, sent_at, owner)
        if index < joined:
            advocate = accept_invitation(program, raw)
            joined_at = min(now, sent_at + timedelta(hours=rng.randint(1, 48)))
            Advocate.objects.filter(pk=advocate.pk).update(joined_at=joined_at)
            Invitation.objects.filter(pk=invitation.pk).update(joined_at=joined_at, clicked_at=joined_at)
        elif index < joined + clicked:
            Invitation.objects.filter(pk=invitation.pk).update(
                clicked_at=min(now, sent_at + timedelta(hours=rng.randint(1, 72))))
        elif index >= joined + clicked + sent:
            consent.suppress(program, customer.email, reason="bounce", source="demo")
            Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.SUPPRESSED)


def _seed_link(program, channel, visits: int, joins: int, rng, now, counter) -> None:
    for number in range(visits):
        day = (now - timedelta(days=rng.randint(0, 20))).date()
        ChannelVisit.objects.create(channel=channel, visitor=f"demo-visitor-{channel.pk}-{number}", day=day)
    for _index in range(joins):
        language = rng.choices(list(people.LANGUAGE_WEIGHTS), weights=list(people.LANGUAGE_WEIGHTS.values()))[0]
        name, local = _name(rng, language)
        email = f"{local}.joined{next(counter)}@{rng.choice(people.EMAIL_DOMAINS[language])}"
        advocate, _created = upsert_advocate(program, email=email, name=name, language=language)
        Advocate.objects.filter(pk=advocate.pk).update(joined_at=now - timedelta(days=rng.randint(0, 12),
                                                                                  hours=rng.randint(0, 23)))
        Enrolment.objects.create(advocate=advocate, channel=channel)


def seed_invitations(program, owner, rng: random.Random, now: datetime | None = None) -> list[Channel]:
    now = now or timezone.now()
    counter = iter(range(1, 10_000))
    channels = []
    for name, target, period, stages, visits, joins in CHANNELS:
        channel = create_channel(program, name=name, target_joined=target, target_period=period)
        channel.program = program
        _seed_invitations(program, channel, stages, rng, now, owner, counter)
        _seed_link(program, channel, visits, joins, rng, now, counter)
        channels.append(channel)
    _seed_invitations(program, None, WITHOUT_CHANNEL, rng, now, owner, counter)
    for _index in range(8):  # candidates still waiting for an invitation
        _customer(program, rng, next(counter), now)
    return channels
