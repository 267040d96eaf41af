"""The demo data: Acme Analytics' customer referral program with 90 days of history.

Everything with business meaning goes through the real services — advocates through
`upsert_advocate`, every signup, purchase and refund through `record_conversion` with its
historical time and a click id signed for the historical click — so attribution, flags,
rewards and the ledger are what production would have produced. Only the clicks are
bulk-inserted: thousands of rows with no business logic on the way in.

The events are replayed in time order with the hold sweep (`release_due_rewards`) run as
the simulated days pass, so rewards older than the hold are issued, refunds inside the
hold deny their rewards and later refunds claw them back.

Deterministic: one seeded generator picks every name, time and amount (link codes, promo
codes and click-id nonces come from `secrets`, as in production).
"""

import base64
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from chorus.advocates.models import Account, Advocate, Customer
from chorus.advocates.services import remember_visitor, upsert_advocate
from chorus.analytics.rollups import rebuild as rebuild_rollups
from chorus.core.signing import new_click_id
from chorus.notifications.recognition import quiet_recognition
from chorus.programs.models import Program
from chorus.programs.services import create_program, create_workspace
from chorus.referrals.models import Click, Conversion, Referral, ReferralLink
from chorus.referrals.services.conversions import ConversionInput, record_conversion
from chorus.rewards.models import Reward, RewardRule, Side
from chorus.rewards.services import release_due_rewards, review_referral
from chorus.testing.factories import make_rule, make_standard_rules

from . import people
from .asks import seed_asks
from .catalog import seed_catalog
from .community import point_content_at, seed_community
from .costs import seed_costs
from .customers import seed_customers
from .insights import seed_insights
from .invitations import seed_invitations
from .leads import seed_leads
from .plan import seed_plan
from .recognition import seed_recognition

DEMO_SLUG = "acme-analytics"
TEAM_SLUG = "acme-team"
DEMO_USERNAME = "demo"
STAR_EMAIL = "maya.chen@example.com"
HISTORY_DAYS = 90
SEED_HOLD_DAYS = 14  # the history is recorded with a hold, so recent rewards are still pending
DEMO_HOLD_DAYS = 0  # then live purchases are rewarded at once: the visitor watches it happen
RANDOM_SEED = 2026


@dataclass(frozen=True)
class Volume:
    advocates: int
    accounts: int
    clicks: int  # ordinary clicks; the flagged cases add a few of their own
    click_signups: int
    promo_signups: int
    first_purchases: int
    renewals: int
    refunds: int
    flagged_each: int  # self-referrals, existing customers and duplicate friends, each
    organic_customers: int  # customers who came without a referral


CUSTOMER_VOLUME = Volume(advocates=200, accounts=10, clicks=4800, click_signups=480, promo_signups=20,
                         first_purchases=118, renewals=24, refunds=9, flagged_each=4, organic_customers=12)
TEAM_VOLUME = Volume(advocates=14, accounts=0, clicks=200, click_signups=18, promo_signups=2,
                     first_purchases=6, renewals=0, refunds=0, flagged_each=0, organic_customers=0)


@dataclass
class DemoData:
    program: Program
    team_program: Program
    owner: object
    star: Advocate
    created: bool


@dataclass
class _Enrolled:
    advocate: Advocate
    link: ReferralLink
    weight: float
    joined_at: datetime


@dataclass
class _Event:
    at: datetime
    order: int
    data: ConversionInput


# --- entry points ------------------------------------------------------------------------

def find_demo() -> DemoData | None:
    program = Program.objects.filter(slug=DEMO_SLUG).select_related("workspace").first()
    team_program = Program.objects.filter(slug=TEAM_SLUG).first()
    if program is None or team_program is None:
        return None
    star = Advocate.objects.get(program=program, email_normalized=STAR_EMAIL)
    owner = get_user_model().objects.get(username=DEMO_USERNAME)
    return DemoData(program=program, team_program=team_program, owner=owner, star=star, created=False)


def seed_demo(*, base_url: str | None = None, now: datetime | None = None) -> DemoData:
    """Create the demo workspace, programs and history once; later calls return it as is."""
    existing = find_demo()
    if existing is not None:
        return existing
    base_url = (base_url or settings.CHORUS_BASE_URL).rstrip("/")
    now = (now or timezone.now()).replace(microsecond=0)
    rng = random.Random(RANDOM_SEED)
    with transaction.atomic(), quiet_recognition():  # the history's badges and levels email nobody
        owner = ensure_demo_user()
        workspace = create_workspace("Acme Analytics", owner)
        program, team_program = create_demo_programs(workspace, base_url, hold_days=SEED_HOLD_DAYS)
        star = _History(program, CUSTOMER_VOLUME, rng, now, with_star=True).run(owner)
        seed_community(program, owner, star, base_url=base_url, rng=random.Random(RANDOM_SEED + 1), now=now)
        _History(team_program, TEAM_VOLUME, rng, now, email_domain="acme-analytics.example").run(owner)
        seed_asks(program, owner, star, now, HISTORY_DAYS)
        seed_leads(program, owner, now, random.Random(RANDOM_SEED + 5), HISTORY_DAYS)  # before recognition: its points count
        seed_recognition([program, team_program], rng, now, star=star)
        seed_catalog(program, owner, star)
        seed_invitations(program, owner, random.Random(RANDOM_SEED + 4), now, star=star)
        seed_customers(program, random.Random(RANDOM_SEED + 6), now)  # after invitations: health for every customer
        seed_costs(program, owner, now)
        seed_insights(program, owner, rng=random.Random(RANDOM_SEED + 5), now=now)
        seed_plan(program, team_program, owner, now, HISTORY_DAYS)  # last: its targets follow the history
        Program.objects.filter(pk__in=[program.pk, team_program.pk]).update(hold_days=DEMO_HOLD_DAYS)
        for seeded in (program, team_program):  # the history bypasses the writers (bulk clicks, backdated rows)
            rebuild_rollups(seeded)
    program.refresh_from_db()
    team_program.refresh_from_db()
    return DemoData(program=program, team_program=team_program, owner=owner, star=star, created=True)


def ensure_demo_user():
    """The console user `demo`: a superuser who owns the demo workspace."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user = user_model.objects.create_superuser(DEMO_USERNAME, "demo@example.com", password=None)
    return user


def point_demo_at(base_url: str) -> None:
    """Send the demo programs' links to this run's shop (the port may change between runs)."""
    base_url = base_url.rstrip("/")
    for program in Program.objects.filter(slug__in=[DEMO_SLUG, TEAM_SLUG]):
        program.default_destination = f"{base_url}/demo/shop/"
        program.allowed_destinations = [f"{base_url}/demo/"]
        program.save(update_fields=["default_destination", "allowed_destinations", "updated_at"])
        point_content_at(program, base_url)


# --- programs ----------------------------------------------------------------------------

def create_demo_programs(workspace, base_url: str, *, hold_days: int = DEMO_HOLD_DAYS) -> tuple[Program, Program]:
    """The customer program and the employee program, with their reward rules (no history)."""
    base_url = base_url.rstrip("/")
    return _create_customer_program(workspace, base_url, hold_days), _create_team_program(workspace, base_url, hold_days)


def _create_customer_program(workspace, base_url: str, hold_days: int) -> Program:
    program = create_program(
        workspace, name="Acme Analytics Customers", slug=DEMO_SLUG, kind=Program.Kind.CUSTOMER,
        landing_title="Love Acme Analytics? Share it and get rewarded",
        landing_body=(
            "Acme Analytics turns your product data into dashboards your whole team reads.\n\n"
            "Share your personal link with a colleague or a friend at another company. They get "
            "$20 off their first month; when they become a paying customer you earn 500 points "
            "plus 10% of their first three payments as account credit.\n\n"
            "Points buy swag, gift cards and a seat at our customer advisory board."
        ),
        friend_offer="$20 off your first month of Acme Analytics",
        advocate_offer="500 points per new customer, plus 10% of their first three payments",
        default_destination=f"{base_url}/demo/shop/", allowed_destinations=[f"{base_url}/demo/"],
        hold_days=hold_days, currency="USD",
    )
    make_standard_rules(program)
    return program


def _create_team_program(workspace, base_url: str, hold_days: int) -> Program:
    program = create_program(
        workspace, name="Acme Analytics Team", slug=TEAM_SLUG, kind=Program.Kind.EMPLOYEE,
        landing_title="Bring a customer to Acme",
        landing_body="Every Acme employee has a personal link. Share it with companies that should use Acme Analytics.",
        friend_offer="$30 off your first month, from someone on the Acme team",
        advocate_offer="1,000 points per new customer",
        default_destination=f"{base_url}/demo/shop/", allowed_destinations=[f"{base_url}/demo/"],
        hold_days=hold_days, currency="USD",
    )
    make_rule(program, name="Employee: 1,000 points per new customer", event=RewardRule.Event.FIRST_PURCHASE,
              kind=RewardRule.Kind.POINTS, amount=1000)
    make_rule(program, name="Friend: $30 welcome discount", side=Side.FRIEND, event=RewardRule.Event.SIGNUP,
              kind=RewardRule.Kind.COUPON, amount=3000)
    return program


# --- the history -------------------------------------------------------------------------

class _History:
    """Simulates one program's last 90 days, then replays them through the services."""

    def __init__(self, program: Program, volume: Volume, rng: random.Random, now: datetime, *,
                 with_star: bool = False, email_domain: str = ""):
        self.program, self.volume, self.rng, self.now = program, volume, rng, now
        self.start = now - timedelta(days=HISTORY_DAYS)
        self.with_star, self.email_domain = with_star, email_domain
        self.clicks: list[Click] = []
        self.events: list[_Event] = []
        self.emails: set[str] = set()
        self.customers = 0
        self.orders = 0
        self.day_weights = list(accumulate(self._day_weight(day) for day in range(HISTORY_DAYS)))
        self.device_names, self.device_weights = zip(*people.DEVICES, strict=True)
        self.referrer_urls, self.referrer_weights = zip(*people.REFERRERS, strict=True)

    def run(self, reviewer) -> Advocate | None:
        cast = self._enrol()
        self._ordinary_clicks(cast)
        signups = self._signups(cast)
        purchases = self._purchases(signups)
        self._refunds(purchases)
        self._flagged_cases(cast, signups, purchases)
        self._organic_customers()
        Click.objects.bulk_create(self.clicks, batch_size=1000)
        self._replay()
        self._backdate()
        self._review_some_flags(reviewer)
        return cast[0].advocate if self.with_star else None

    # people

    def _day_weight(self, day: int) -> float:
        """Growing traffic, quieter weekends."""
        weekday = (self.start + timedelta(days=day)).weekday()
        return (0.6 + 0.8 * day / HISTORY_DAYS) * (0.6 if weekday >= 5 else 1.0)

    def _language(self) -> str:
        languages, weights = zip(*people.LANGUAGE_WEIGHTS.items(), strict=True)
        return self.rng.choices(languages, weights)[0]

    def _person(self, language: str, domain: str = "") -> tuple[str, str]:
        """A (name, email) pair, the email unique within this program."""
        first, first_roman = self.rng.choice(people.FIRST_NAMES[language])
        last, last_roman = self.rng.choice(people.LAST_NAMES[language])
        name = f"{last}{first}" if language in people.NAME_ORDER_FAMILY_FIRST else f"{first} {last}"
        domain = domain or self.rng.choice(people.EMAIL_DOMAINS[language])
        local, email, number = f"{first_roman}.{last_roman}", "", 1
        while not email or email in self.emails:
            email = f"{local}{number if number > 1 else ''}@{domain}"
            number += 1
        self.emails.add(email)
        return name, email

    def _accounts(self) -> list[tuple[Account, str]]:
        return [
            (Account.objects.create(program=self.program, name=name, domain=domain, external_id=f"acct_{index:03d}"), language)
            for index, (name, domain, language) in enumerate(people.ACCOUNTS[: self.volume.accounts], start=1)
        ]

    def _enrol(self) -> list[_Enrolled]:
        accounts = self._accounts()
        cast = []
        for index in range(self.volume.advocates):
            account, language = (None, self._language())
            if accounts and self.rng.random() < 0.22:
                account, language = self.rng.choice(accounts)
            if self.with_star and index == 0:
                name, email, language = "Maya Chen", STAR_EMAIL, "en"
                self.emails.add(email)
            else:
                name, email = self._person(language, account.domain if account else self.email_domain)
            advocate, _created = upsert_advocate(self.program, email=email, name=name, language=language,
                                                 external_id=f"cus_a{index + 1:04d}", account=account)
            joined_at = self._joined_at()
            Advocate.objects.filter(pk=advocate.pk).update(joined_at=joined_at, created_at=joined_at)
            weight = 14.0 if (self.with_star and index == 0) else self.rng.paretovariate(1.3) - 0.8
            cast.append(_Enrolled(advocate, advocate.link, max(weight, 0.05), joined_at))
        return cast

    def _joined_at(self) -> datetime:
        if self.rng.random() < 0.7:
            return self.start - timedelta(days=self.rng.uniform(1, 400))
        return self.start + timedelta(days=self.rng.uniform(0, HISTORY_DAYS - 10))

    # clicks

    def _moment(self, not_before: datetime) -> datetime:
        """A time in the window, following the traffic curve, after `not_before`."""
        latest = self.now - timedelta(minutes=10)
        for _attempt in range(30):
            day = self.rng.choices(range(HISTORY_DAYS), cum_weights=self.day_weights)[0]
            moment = self.start + timedelta(days=day, seconds=self.rng.randrange(86_400))
            if not_before <= moment <= latest:
                return moment
        return max(not_before, self.start) + (latest - max(not_before, self.start)) * self.rng.random()

    def _visitor(self) -> str:
        return base64.urlsafe_b64encode(self.rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode()

    def _click(self, link: ReferralLink, at: datetime, *, visitor: str = "", unique: bool = True,
               bot: bool = False) -> Click:
        seconds = int(at.timestamp())
        click = Click(
            program=self.program, link=link, created_at=datetime.fromtimestamp(seconds, UTC),
            token=new_click_id(link.pk, self.program.pk, clicked_at=seconds).token,
            visitor_hash=visitor or self._visitor(), is_bot=bot, is_unique=unique and not bot,
            device=Click.Device.BOT if bot else self.rng.choices(self.device_names, self.device_weights)[0],
            referrer="" if bot else self.rng.choices(self.referrer_urls, self.referrer_weights)[0],
        )
        self.clicks.append(click)
        return click

    def _ordinary_clicks(self, cast: list[_Enrolled]) -> None:
        weights = list(accumulate(member.weight for member in cast))
        last_human = None
        while len(self.clicks) < self.volume.clicks:
            roll = self.rng.random()
            if last_human is not None and roll < 0.09:  # the same person again, within the hour
                again = last_human.created_at + timedelta(minutes=self.rng.randint(1, 50))
                self._click(last_human.link, min(again, self.now), visitor=last_human.visitor_hash, unique=False)
                continue
            member = self.rng.choices(cast, cum_weights=weights)[0]
            moment = self._moment(member.joined_at)
            if roll < 0.13:
                self._click(member.link, moment, bot=True)
            else:
                last_human = self._click(member.link, moment)

    # conversions

    def _new_customer(self, prefix: str = "f") -> tuple[str, str, str]:
        self.customers += 1
        name, email = self._person(self._language())
        return f"cus_{prefix}{self.customers:05d}", email, name

    def _event(self, at: datetime, **fields) -> ConversionInput:
        data = ConversionInput(occurred_at=min(at, self.now - timedelta(minutes=1)), **fields)
        self.events.append(_Event(data.occurred_at, len(self.events), data))
        return data

    def _signup_lag(self) -> timedelta:
        if self.rng.random() < 0.6:
            return timedelta(minutes=self.rng.randint(2, 50))
        return timedelta(hours=self.rng.uniform(1, 96))

    def _signups(self, cast: list[_Enrolled]) -> list[ConversionInput]:
        latest = self.now - timedelta(minutes=30)
        eligible = [click for click in self.clicks if click.is_unique and click.created_at <= latest]
        signups = []
        for click in sorted(self.rng.sample(eligible, self.volume.click_signups), key=lambda click: click.token):
            external_id, email, name = self._new_customer()
            signups.append(self._event(click.created_at + self._signup_lag(), type="signup", click_id=click.token,
                                       customer_external_id=external_id, email=email, name=name))
        weights = list(accumulate(member.weight for member in cast))
        for _index in range(self.volume.promo_signups):
            member = self.rng.choices(cast, cum_weights=weights)[0]
            external_id, email, name = self._new_customer()
            signups.append(self._event(self._moment(member.joined_at), type="signup", promo_code=member.link.promo_code,
                                       customer_external_id=external_id, email=email, name=name))
        return signups

    def _purchase(self, customer_external_id: str, at: datetime, amount: int = 0, **fields) -> ConversionInput:
        self.orders += 1
        plan_amount = self.rng.choices([price for _plan, price in people.PLANS], people.PLAN_WEIGHTS)[0]
        return self._event(at, type="purchase", customer_external_id=customer_external_id, amount=amount or plan_amount,
                           currency="USD", order_id=f"ord_{self.program.pk}_{self.orders:06d}", **fields)

    def _purchases(self, signups: list[ConversionInput]) -> list[ConversionInput]:
        ready = [signup for signup in signups if signup.occurred_at <= self.now - timedelta(hours=2)]
        purchases = []
        for signup in self.rng.sample(ready, min(self.volume.first_purchases, len(ready))):
            lag = timedelta(hours=self.rng.uniform(0.2, 8)) if self.rng.random() < 0.4 else timedelta(days=self.rng.uniform(1, 21))
            purchases.append(self._purchase(signup.customer_external_id, signup.occurred_at + lag))
        renewable = [purchase for purchase in purchases if purchase.occurred_at + timedelta(days=30) < self.now]
        for first in self.rng.sample(renewable, min(self.volume.renewals, len(renewable))):
            self._purchase(first.customer_external_id, first.occurred_at + timedelta(days=30), amount=first.amount)
        return purchases

    def _refunds(self, purchases: list[ConversionInput]) -> None:
        for number, purchase in enumerate(self.rng.sample(purchases, min(self.volume.refunds, len(purchases)))):
            days = self.rng.uniform(1, 10) if number % 2 else self.rng.uniform(16, 28)  # in the hold, or after issue
            self._event(purchase.occurred_at + timedelta(days=days), type="refund", order_id=purchase.order_id)

    def _flagged_cases(self, cast: list[_Enrolled], signups: list[ConversionInput], purchases: list[ConversionInput]) -> None:
        others = cast[1:] if self.with_star else cast
        for member in self.rng.sample(others, self.volume.flagged_each):  # self-referrals
            visitor = self._visitor()
            remember_visitor(member.advocate, visitor)
            click = self._click(member.link, self._moment(member.joined_at), visitor=visitor)
            self._event(click.created_at + timedelta(minutes=6), type="signup", click_id=click.token,
                        customer_external_id=member.advocate.external_id, email=member.advocate.email,
                        name=member.advocate.name)
        for member in self.rng.sample(others, self.volume.flagged_each):  # customers before the click
            external_id, email, name = self._new_customer("o")
            known_since = self.start + timedelta(days=self.rng.uniform(0, 20))
            self._event(known_since, type="signup", customer_external_id=external_id, email=email, name=name)
            self._purchase(external_id, known_since + timedelta(hours=3))
            click = self._click(member.link, known_since + timedelta(days=self.rng.uniform(25, 60)))
            self._purchase(external_id, click.created_at + timedelta(hours=2), click_id=click.token)
        self._duplicate_friends(others, signups, purchases)

    def _duplicate_friends(self, others, signups, purchases) -> None:
        """Friends referred by one advocate who later buy through another one's link."""
        buyers = {purchase.customer_external_id for purchase in purchases}
        candidates = [signup for signup in signups if signup.click_id and signup.customer_external_id not in buyers
                      and signup.occurred_at < self.now - timedelta(days=10)]
        for signup in self.rng.sample(candidates, self.volume.flagged_each):
            first_link = next(click.link_id for click in self.clicks if click.token == signup.click_id)
            member = self.rng.choice([member for member in others if member.link.pk != first_link])
            click = self._click(member.link, signup.occurred_at + timedelta(days=self.rng.uniform(2, 8)))
            self._purchase(signup.customer_external_id, click.created_at + timedelta(hours=1), click_id=click.token)

    def _organic_customers(self) -> None:
        for _index in range(self.volume.organic_customers):
            external_id, email, name = self._new_customer("o")
            joined = self._moment(self.start)
            self._event(joined, type="signup", customer_external_id=external_id, email=email, name=name)
            if self.rng.random() < 0.5:
                self._purchase(external_id, joined + timedelta(days=self.rng.uniform(0.1, 5)))

    # replay

    def _replay(self) -> None:
        swept_on = None
        for event in sorted(self.events, key=lambda event: (event.at, event.order)):
            if event.at.date() != swept_on:  # the daily hold sweep, as the worker would run it
                release_due_rewards(event.at)
                swept_on = event.at.date()
            record_conversion(self.program, event.data)
        release_due_rewards(self.now)

    def _backdate(self) -> None:
        """The services stamp rows with the wall clock; the history's rows get their event's time.

        Ledger entries keep theirs: they are append-only, and honest about when they were written.
        """
        occurred = Conversion.objects.filter(pk=OuterRef("conversion_id")).values("occurred_at")[:1]
        first_conversion = Conversion.objects.filter(referral=OuterRef("pk")).order_by("occurred_at").values("occurred_at")[:1]
        Conversion.objects.filter(program=self.program).update(created_at=F("occurred_at"))
        Customer.objects.filter(program=self.program).update(created_at=F("first_seen_at"))
        Referral.objects.filter(program=self.program).update(created_at=Subquery(first_conversion))
        Reward.objects.filter(program=self.program).update(created_at=Subquery(occurred))
        Reward.objects.filter(program=self.program, hold_until__isnull=True, issued_at__isnull=False).update(
            approved_at=Subquery(occurred), issued_at=Subquery(occurred))

    def _review_some_flags(self, reviewer) -> None:
        """Two flags already decided, so the review queue shows history as well as work."""
        flagged = list(Referral.objects.filter(program=self.program, review=Referral.Review.FLAGGED).order_by("pk"))
        decisions = {
            Referral.Flag.EXISTING_CUSTOMER: (True, "Lapsed customer who came back through the link; worth rewarding."),
            Referral.Flag.SELF_REFERRAL: (False, "Advocate signed up a second account with their own email."),
        }
        for referral in flagged:
            if referral.flag in decisions:
                approve, note = decisions.pop(referral.flag)
                review_referral(referral.pk, approve=approve, user=reviewer, note=note, workspace=self.program.workspace)
