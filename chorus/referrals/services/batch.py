"""The unit of work behind recording conversions: one batch of events of one program.

Everything the events need is read with a fixed number of queries (customers, their
conversions, purchases and referrals, clicks by token and by visitor, links, reward rules
and the rewards their limits count up front; friend claims, and the rewards of conversions
already recorded, on first need, once for the whole batch); each event is then processed in
memory, in order, seeing what the earlier events of the batch created; `flush()` writes
the new rows with one bulk INSERT per table (`chorus.core.bulk.insert`). A single event is
a batch of one.

The database constraints still decide exactly-once: if a bulk INSERT is refused (a
concurrent request recorded the same order, customer or referral meanwhile), the caller
rolls the batch back and records its events one at a time.
"""

from collections import defaultdict
from datetime import datetime

from django.db import connection

from chorus.advocates.models import Customer
from chorus.analytics import rollups
from chorus.analytics.credits import record_credits
from chorus.campaigns.services.referrals import complete_referral_asks
from chorus.core import bulk
from chorus.core.emails import normalize_email
from chorus.core.signing import parse_click_id
from chorus.integrations.webhooks_out import EventType, emit_many, payloads
from chorus.rewards.models import Reward
from chorus.rewards.services import RewardBook

from ..models import Click, Conversion, FriendClaim, Referral, ReferralLink
from .attribution import CLOCK_SKEW, window

CUSTOMER_FIELDS = ("external_id", "email", "email_normalized", "name")


def _datetimes(*moments: datetime) -> list:
    """Aware datetimes as the ORM passes them to the database in a lookup."""
    field = Click._meta.get_field("created_at")
    return [field.get_db_prep_value(moment, connection, prepared=False) for moment in moments]


class _RewardsOf(dict):
    """id(conversion) -> its rewards. The rewards of the conversions the batch read are read,
    all at once, when one of them is first asked for: only repeated events and refunds need
    them, not the usual new signup or purchase (whose customer's signup was read)."""

    def __missing__(self, key: int) -> list:
        pending = getattr(self, "_pending", None)
        if pending and key in pending:
            self._pending = None
            by_pk = {conversion.pk: conversion for conversion in pending.values()}
            where, params = bulk.in_list(by_pk)
            for reward in bulk.select(Reward, f"t.conversion_id IN {where}", params, order_by="t.id"):
                reward.conversion = by_pk[reward.conversion_id]
                self.setdefault(id(reward.conversion), []).append(reward)
            if key in self:
                return self[key]
        value = self[key] = []
        return value

    def read_later(self, conversions: list) -> None:
        self._pending = {id(conversion): conversion for conversion in conversions}


class ConversionBatch:
    def __init__(self, program, items: list, now: datetime, *, advocate_ids=()):
        self.program, self.now = program, now
        self.extra_advocate_ids = set(advocate_ids)  # advocates the items name directly (a won lead's)
        self.customers_by_external_id: dict[str, Customer] = {}
        self.customers_by_email: dict[str, Customer] = {}
        self.new_customers: list[Customer] = []
        self.changed_customers: dict[int, tuple[Customer, set]] = {}
        self.conversions_by_order: dict[tuple[str, str], Conversion] = {}
        self.signups: dict[int, Conversion] = {}  # id(customer) -> signup
        self.purchases: dict[int, list[tuple[datetime, int]]] = defaultdict(list)  # id(customer) -> (time, order)
        self.new_conversions: list[Conversion] = []
        self.changed_conversions: list[Conversion] = []
        self.referrals: dict[int, list[Referral]] = defaultdict(list)  # id(customer) -> referrals
        self.new_referrals: list[Referral] = []
        self.rewards_of: dict[int, list[Reward]] = _RewardsOf()  # id(conversion) -> rewards
        self.click_visitors: dict[str, str] = {}
        self.visitor_clicks: dict[str, list[tuple]] = defaultdict(list)
        self.latest_claims: dict[str, FriendClaim] = {}
        self.links_by_id: dict[int, ReferralLink] = {}
        self.links_by_promo: dict[str, ReferralLink] = {}
        self.links_by_code: dict[str, ReferralLink] = {}
        self.links_by_vanity: dict[str, ReferralLink] = {}
        self.links_by_advocate: dict[int, ReferralLink] = {}
        self._sequence = 0
        self._parsed_clicks: dict[str, object] = {}  # token -> ClickId | None (each HMAC checked once)
        self._load(items)

    # --- reading, once per batch -------------------------------------------------------------

    def _load(self, items: list) -> None:
        self._items, self._claims_loaded = items, False
        customers = self._customers = self._load_customers(items)
        self._conversion_customers = customers
        conversions = self._load_conversions(items, customers)
        self._load_referrals(customers, conversions)
        self._load_clicks(items)
        self.rewards = RewardBook(self.program, self.now)
        if self.rewards.locks_advocates:  # the advocates claims point to are locked with the others
            self._load_claims(items, customers)
        link_ids = {click.link_id for item in items if item.click_id for click in [self.parse_click(item.click_id)] if click}
        link_ids |= {click[3] for clicks in self.visitor_clicks.values() for click in clicks}
        self._load_links(link_ids=link_ids, promos={item.promo_code.strip().upper() for item in items if item.promo_code.strip()},
                         codes={item.referral_code.strip().lower() for item in items if item.referral_code.strip()},
                         advocates={claim.advocate_id for claim in self.latest_claims.values()})
        advocates = {link.advocate_id for link in self.links_by_id.values()}
        advocates |= {referral.advocate_id for referrals in self.referrals.values() for referral in referrals}
        advocates |= self.extra_advocate_ids
        self.rewards.load(customers=customers, advocate_ids=advocates, times=[item.occurred_at for item in items])

    # The reads below are SQL written once (chorus.core.bulk.select/rows) rather than querysets
    # compiled on every call: for a single event, compiling cost more than the database's answers.

    def _load_customers(self, items: list) -> dict[int, Customer]:
        external_ids = {item.customer_external_id for item in items if item.customer_external_id}
        emails = {normalize_email(item.email) for item in items if item.email}
        if not (external_ids or emails):
            return {}
        ids, ids_params = bulk.in_list(external_ids)
        mails, mails_params = bulk.in_list(emails)
        found = bulk.select(Customer, f"t.program_id = %s AND (t.external_id IN {ids} OR t.email_normalized IN {mails})",
                            [self.program.pk, *ids_params, *mails_params], order_by="t.id")
        customers = {customer.pk: customer for customer in found}
        for customer in customers.values():
            self._index_customer(customer)
        return customers

    def _index_customer(self, customer: Customer) -> None:
        if customer.external_id:
            self.customers_by_external_id.setdefault(customer.external_id, customer)
        if customer.email_normalized:
            self.customers_by_email.setdefault(customer.email_normalized, customer)

    def _load_conversions(self, items: list, customers: dict[int, Customer]) -> list[Conversion]:
        """The conversions the events may repeat (same order id; the customers' signups), and
        the customers' purchases (which one is first), in one read. Their rewards are read
        only if an event repeats one of them (see _RewardsOf)."""
        order_ids = {item.order_id for item in items if item.order_id}
        order_ids |= {item.stored_order_id for item in items if getattr(item, "refund_key", "")}
        if not (order_ids or customers):
            return []
        orders, orders_params = bulk.in_list(order_ids)
        owners, owners_params = bulk.in_list(customers)
        read = bulk.select(
            Conversion, f"t.program_id = %s AND (t.order_id IN {orders} OR (t.customer_id IN {owners} "
            "AND t.type IN ('signup', 'purchase')))", [self.program.pk, *orders_params, *owners_params],
            order_by="t.occurred_at DESC")  # Conversion's default ordering, as the queryset read them
        found = []
        for conversion in read:
            if conversion.type == "purchase" and conversion.customer_id in customers:
                self.purchases[id(customers[conversion.customer_id])].append((conversion.occurred_at, conversion.pk))
            if conversion.order_id in order_ids or conversion.type == "signup":
                found.append(conversion)
        missing = {conversion.customer_id for conversion in found} - set(customers)
        if missing:  # e.g. a refund names only the order
            where, params = bulk.in_list(missing)
            customers = {**customers, **{customer.pk: customer for customer in bulk.select(Customer, f"t.id IN {where}", params)}}
        for conversion in found:
            conversion.customer = customers[conversion.customer_id]
            if conversion.order_id:
                self.conversions_by_order[(conversion.type, conversion.order_id)] = conversion
            if conversion.type == "signup":
                self.signups[id(conversion.customer)] = conversion
        self._conversion_customers = customers
        if found:
            self.rewards_of.read_later(found)
        return found

    def _load_referrals(self, customers: dict[int, Customer], conversions: list[Conversion]) -> None:
        owners = self._conversion_customers  # and those of conversions named by their order only
        if not owners:
            return
        by_pk = {}
        where, params = bulk.in_list(owners)
        for referral in bulk.select(Referral, f"t.customer_id IN {where}", params, related=("advocate",),
                                    order_by="t.created_at DESC"):  # Referral's default ordering
            referral.customer = owners[referral.customer_id]
            if referral.customer_id in customers:
                self.referrals[id(referral.customer)].append(referral)
            by_pk[referral.pk] = referral
        missing = {conversion.referral_id for conversion in conversions} - set(by_pk) - {None}
        if missing:
            where, params = bulk.in_list(missing)
            by_pk.update((referral.pk, referral) for referral in bulk.select(Referral, f"t.id IN {where}", params))
        for conversion in conversions:  # one object per row, whichever way it was read
            conversion.referral = by_pk[conversion.referral_id] if conversion.referral_id else None

    def _load_clicks(self, items: list) -> None:
        tokens = {item.click_id for item in items if item.click_id and self.parse_click(item.click_id)}
        if not tokens:
            return
        where, params = bulk.in_list(tokens)
        self.click_visitors = dict(bulk.rows(f"SELECT token, visitor_hash FROM {bulk.table(Click)} WHERE token IN {where}",
                                             params))
        visitors = {visitor for visitor in self.click_visitors.values() if visitor}
        if not visitors:
            return
        times = [item.occurred_at for item in items]
        where, params = bulk.in_list(visitors)
        created_at = Click._meta.get_field("created_at")
        for visitor, clicked_at, pk, token, link_id in bulk.rows(
                f"SELECT visitor_hash, created_at, id, token, link_id FROM {bulk.table(Click)} WHERE program_id = %s "
                f"AND visitor_hash IN {where} AND NOT is_bot AND created_at >= %s AND created_at <= %s",
                [self.program.pk, *params, *_datetimes(min(times) - window(self.program), max(times) + CLOCK_SKEW)],
                fields=(None, created_at)):
            self.visitor_clicks[visitor].append((clicked_at, pk, token, link_id))
        for clicks in self.visitor_clicks.values():
            clicks.sort()

    def _load_claims(self, items: list, customers: dict[int, Customer]) -> None:
        self._claims_loaded = True
        emails = {normalize_email(item.email) for item in items if item.email}
        emails |= {customer.email_normalized for customer in customers.values() if customer.email_normalized}
        if not emails:
            return
        since = min(item.occurred_at for item in items) - window(self.program)
        where, params = bulk.in_list(emails)
        for claim in bulk.select(FriendClaim, f"t.program_id = %s AND t.friend_email_normalized IN {where} "
                                 "AND t.created_at >= %s", [self.program.pk, *params, *_datetimes(since)],
                                 order_by="t.created_at, t.id"):
            self.latest_claims[claim.friend_email_normalized] = claim

    def latest_claim(self, email_normalized: str) -> FriendClaim | None:
        """The friend's latest claim of who referred them; claims (and their advocates' links)
        are read on the first event that needs one: most events carry a code or a referral."""
        if not self._claims_loaded:
            self._load_claims(self._items, self._customers)
            advocates = {claim.advocate_id for claim in self.latest_claims.values()} - set(self.links_by_advocate)
            if advocates:
                self._load_links(advocates=advocates)
        return self.latest_claims.get(email_normalized)

    def _load_links(self, *, link_ids=frozenset(), promos=frozenset(), codes=frozenset(), advocates=frozenset()) -> None:
        if not (link_ids or promos or codes or advocates):
            return
        conditions, params = [], [self.program.pk]
        for column, values in (("id", link_ids), ("promo_code", promos), ("code", codes),
                               ("vanity_code", codes - {""}), ("advocate_id", advocates)):
            if values:
                where, values = bulk.in_list(values)
                conditions.append(f"t.{column} IN {where}")
                params += values
        for link in bulk.select(ReferralLink, f"t.program_id = %s AND ({' OR '.join(conditions)})", params,
                                related=("advocate",)):
            self.links_by_id[link.pk] = link
            self.links_by_promo[link.promo_code] = link
            self.links_by_code[link.code] = link
            if link.vanity_code:
                self.links_by_vanity[link.vanity_code] = link
            self.links_by_advocate[link.advocate_id] = link

    def parse_click(self, token: str):
        if token in self._parsed_clicks:
            return self._parsed_clicks[token]
        click = parse_click_id(token)
        click = self._parsed_clicks[token] = click if click is not None and click.program_id == self.program.pk else None
        return click

    # --- looking up what the batch knows ---------------------------------------------------------

    def link_by_promo_code(self, code: str) -> ReferralLink | None:
        return self.links_by_promo.get((code or "").strip().upper())

    def link_by_referral_code(self, code: str) -> ReferralLink | None:
        code = (code or "").strip().lower()
        return (self.links_by_code.get(code) or self.links_by_vanity.get(code)) if code else None

    def primary_referral(self, customer) -> Referral | None:
        return next((referral for referral in self.referrals[id(customer)] if referral.is_primary), None)

    def referral_for(self, customer, advocate_id: int) -> Referral | None:
        return next((referral for referral in self.referrals[id(customer)] if referral.advocate_id == advocate_id), None)

    def earlier_purchase(self, customer, before: datetime) -> bool:
        return any(occurred_at < before for occurred_at, _order in self.purchases[id(customer)])

    def is_first_purchase(self, conversion: Conversion) -> bool:
        own = (conversion.occurred_at, self._order_of(conversion))
        return not any(purchase < own for purchase in self.purchases[id(conversion.customer)])

    def _order_of(self, conversion: Conversion) -> int:
        """Existing rows sort by pk; rows of this batch after them, in batch order."""
        return conversion.pk if conversion.pk is not None else 1 << 62 | conversion._batch_sequence

    # --- changing things, in memory ---------------------------------------------------------------

    def upsert_customer(self, *, external_id: str, email: str, name: str, seen_at: datetime) -> Customer:
        """The customer a conversion names: found by external id, else by email (the oldest);
        created if new; blank fields filled in, and first_seen_at moved back if earlier."""
        email_normalized = normalize_email(email) if email else ""
        customer = self.customers_by_external_id.get(external_id) if external_id else None
        if customer is None and email_normalized:
            customer = self.customers_by_email.get(email_normalized)
        if customer is None:
            customer = bulk.new(Customer, program=self.program, external_id=external_id, email=email,
                                email_normalized=email_normalized, name=name, first_seen_at=seen_at)
            self.new_customers.append(customer)
            self._index_customer(customer)
            return customer
        changed = set()
        for field, value in zip(CUSTOMER_FIELDS, (external_id, email, email_normalized, name), strict=True):
            if value and not getattr(customer, field):
                setattr(customer, field, value)
                changed.add(field)
        if seen_at < customer.first_seen_at:
            customer.first_seen_at = seen_at
            changed.add("first_seen_at")
        if changed:
            self._index_customer(customer)
            if customer.pk is not None:
                self.changed_customers.setdefault(id(customer), (customer, set()))[1].update(changed)
        return customer

    def existing_conversion(self, data, customer) -> Conversion | None:
        if data.order_id:
            found = self.conversions_by_order.get((data.type, data.order_id))
            if found or data.type != "signup":
                return found
        if data.type == "signup":
            return self.signups.get(id(customer))
        return None

    def add_conversion(self, data, customer, **extra) -> Conversion:
        conversion = bulk.new(
            Conversion, program=self.program, type=data.type, customer=customer, amount=data.amount, currency=data.currency,
            order_id=data.order_id, occurred_at=data.occurred_at, trust=data.trust, metadata=data.metadata or {},
            **{"referral": None, **extra},
        )
        self._sequence += 1
        conversion._batch_sequence = self._sequence
        if conversion.order_id:
            self.conversions_by_order[(conversion.type, conversion.order_id)] = conversion
        if conversion.type == "signup":
            self.signups[id(customer)] = conversion
        if conversion.type == "purchase":
            self.purchases[id(customer)].append((conversion.occurred_at, self._order_of(conversion)))
        self.new_conversions.append(conversion)
        return conversion

    def set_referral(self, conversion: Conversion, referral: Referral) -> None:
        conversion.referral = referral
        if conversion.pk is not None:
            self.changed_conversions.append(conversion)

    def add_referral(self, referral: Referral) -> Referral:
        self.referrals[id(referral.customer)].append(referral)
        self.new_referrals.append(referral)
        return referral

    def create_rewards(self, conversion: Conversion, referral: Referral) -> list[Reward]:
        if conversion.type == "signup":
            events = ["signup"]
        elif conversion.type == "purchase":
            events = ["purchase", "first_purchase"] if self.is_first_purchase(conversion) else ["purchase"]
        elif conversion.type == "lead_won":
            events = ["lead_won"]
        else:
            return []
        created = self.rewards.create(conversion, referral, events, existing=self.rewards_of[id(conversion)])
        self.rewards_of[id(conversion)].extend(created)
        return created

    def replace_rewards(self, conversion: Conversion, changed: list[Reward]) -> None:
        """After a refund reversed rewards in the database: they stop counting against limits,
        and later duplicates of the purchase show them as they are now."""
        by_pk = {reward.pk: reward for reward in changed}
        for reward in self.rewards_of[id(conversion)]:
            if reward.pk in by_pk:
                self.rewards.forget(reward, conversion)
        self.rewards_of[id(conversion)] = [by_pk.get(reward.pk, reward) for reward in self.rewards_of[id(conversion)]]

    # --- writing ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what the batch created, one bulk statement per table (in dependency order)."""
        if self.new_customers:
            bulk.insert(self.new_customers)
        self._update_customers()
        if self.new_referrals:
            bulk.insert(self.new_referrals)
        if self.new_conversions:
            bulk.insert(self.new_conversions)
        if self.changed_conversions:
            Conversion.objects.bulk_update(self.changed_conversions, ["referral"])
        self.rewards.flush()
        _emit_webhooks(self.program, self.new_referrals, self.new_conversions)
        record_credits(self.program, [*self.new_conversions, *self.changed_conversions])
        complete_referral_asks(self.program, [*self.new_conversions, *self.changed_conversions])
        # last: the dashboard's day rows are shared with the click flushes, lock them the shortest time
        rollups.conversions_written(self.program, [*self.new_conversions, *self.changed_conversions])
        self.new_customers, self.new_referrals, self.new_conversions, self.changed_conversions = [], [], [], []

    def _update_customers(self) -> None:
        groups: dict[frozenset, list[Customer]] = defaultdict(list)
        for customer, fields in self.changed_customers.values():
            customer.updated_at = self.now
            groups[frozenset(fields)].append(customer)
        for fields, customers in groups.items():
            Customer.objects.bulk_update(customers, [*sorted(fields), "updated_at"])
        self.changed_customers = {}


def _emit_webhooks(program, referrals: list[Referral], conversions: list[Conversion]) -> None:
    """conversion.recorded and referral.attributed for the batch's new rows: one INSERT each
    when an endpoint takes them, no query when none does."""
    emit_many(program, EventType.REFERRAL_ATTRIBUTED, referrals,
              lambda referral: (f"referral:{referral.pk}", {"referral": payloads.referral(referral)}))
    emit_many(program, EventType.CONVERSION_RECORDED, conversions,
              lambda conversion: (f"conversion:{conversion.pk}", {"conversion": payloads.conversion(conversion)}))
