"""Customers: upsert one (`upsert_customer`), or many at once (`CustomerWriter`, shared by the
CSV import and the bulk API, so both find, create and change customers the same way).

A customer is found by external id, else by normalised email: a row without an id matches
the oldest customer with that email; a row with an id that no customer has yet adopts a
customer with that email and no id (and otherwise becomes a new customer). Values left
empty change nothing; `attributes` are merged key by key. A row whose values are already
stored is "unchanged" and not written at all (no `updated_at` churn), so sending the same
data twice changes nothing.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core import bulk
from chorus.core.emails import clean_email, normalize_email
from chorus.core.errors import InvalidInput

from .models import Account, Customer

MAX_ATTRIBUTES = 100
MAX_ATTRIBUTE_KEY = 64
MAX_ATTRIBUTE_TEXT = 1000
MAX_REVENUE = 10**15  # minor units
ATTRIBUTE_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
TEXT_LIMITS = {"external_id": 100, "name": 200, "plan": 100, "account_name": 200, "account_domain": 200}

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
LOADED_FIELDS = ("program_id", "account_id", "external_id", "email", "email_normalized", "name", "language", "plan",
                 "revenue", "signed_up_at", "attributes", "first_seen_at")


@dataclass
class CustomerValues:
    """One customer's incoming values, checked; empty or None means "leave as stored"."""

    external_id: str = ""
    email: str = ""
    name: str = ""
    language: str = ""
    plan: str = ""
    revenue: int | None = None
    signed_up_at: datetime | None = None
    account_name: str = ""
    account_domain: str = ""
    account: Account | None = None
    attributes: dict = field(default_factory=dict)
    email_normalized: str = ""


@dataclass
class Outcome:
    status: str  # created | updated | unchanged
    customer: Customer


class RowInvalid(ValueError):
    """A row's values cannot be stored: messages by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# --- checking values ---------------------------------------------------------------------------

_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=4096)
def _clean_domain(domain: str) -> str:
    """The normalised domain of an address (ValueError if invalid), checked once per domain."""
    return clean_email(f"x@{domain}").rpartition("@")[2]


def fast_clean_email(address: str) -> str:
    """`clean_email` with the domain's (costly) check cached: a plain ASCII local part is
    checked by its RFC 5322 dot-atom form; anything else takes the full check."""
    local, at, domain = address.rpartition("@")
    if not at or not _DOT_ATOM.match(local) or len(local) > 64 or len(address) > 254:
        return clean_email(address)
    return f"{local}@{_clean_domain(domain)}"


def attribute_key(text: str) -> str:
    """A column header as an attribute key: "Posts per month" → "posts_per_month"."""
    key = re.sub(r"[^a-z0-9_.-]+", "_", (text or "").strip().lower()).strip("_.-")
    return key[:MAX_ATTRIBUTE_KEY]


def normalize_domain(domain: str) -> str:
    domain = (domain or "").strip().lower()
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain).split("/")[0].split("?")[0]
    return domain.removeprefix("www.")


def _text(errors: dict, name: str, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = [_("Enter text.")]
        return ""
    value = value.strip()
    if "\x00" in value:
        errors[name] = [_("Text may not contain NUL characters.")]
        return ""
    limit = TEXT_LIMITS.get(name)
    if limit and len(value) > limit:
        errors[name] = [_("Use at most %(count)d characters.") % {"count": limit}]
        return ""
    return value


def _attribute_errors(attributes) -> list[str]:
    if not isinstance(attributes, dict):
        return [_("Enter a JSON object of names and values.")]
    if len(attributes) > MAX_ATTRIBUTES:
        return [_("Send at most %(count)d attributes.") % {"count": MAX_ATTRIBUTES}]
    for key, value in attributes.items():
        if not isinstance(key, str) or not ATTRIBUTE_KEY.match(key) or len(key) > MAX_ATTRIBUTE_KEY:
            return [_("Attribute names use lower-case letters, digits and _ . - (at most %(count)d), e.g. followers.")
                    % {"count": MAX_ATTRIBUTE_KEY}]
        if isinstance(value, str):
            if len(value) > MAX_ATTRIBUTE_TEXT or "\x00" in value:
                return [_("Attribute values are text of at most %(count)d characters, numbers or true/false.")
                        % {"count": MAX_ATTRIBUTE_TEXT}]
        elif value is not None and not isinstance(value, bool | int | float):
            return [_("Attribute values are text of at most %(count)d characters, numbers or true/false.")
                    % {"count": MAX_ATTRIBUTE_TEXT}]
    return []


def check_values(values: dict) -> CustomerValues:
    """The values as CustomerValues, or RowInvalid with a message per field.

    Text fields are strings, `revenue` whole minor units, `signed_up_at` an aware datetime,
    `attributes` a flat object; `account` an Account of the same program (service callers)."""
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(CustomerValues.__dataclass_fields__) - {"email_normalized"}
    if unknown:
        raise TypeError(f"Unknown customer fields: {', '.join(sorted(unknown))}")
    checked = CustomerValues(**{name: _text(errors, name, values.get(name))
                                for name in ("external_id", "name", "plan", "account_name")})
    checked.account_domain = normalize_domain(_text(errors, "account_domain", values.get("account_domain")))
    email = _text(errors, "email", values.get("email"))
    if email:
        try:
            checked.email = fast_clean_email(email)
            checked.email_normalized = normalize_email(checked.email)
        except ValueError:
            errors["email"] = [_("Enter a valid email address.")]
    elif not checked.external_id and "external_id" not in errors:
        errors["email"] = [_("Give a customer id or an email address.")]
    language = _text(errors, "language", values.get("language"))
    if language:
        match = LANGUAGE.match(language)
        if match:
            checked.language = match.group(1).lower()
        else:
            errors["language"] = [_("Use a language code such as en, de or ja.")]
    revenue = values.get("revenue")
    if revenue is not None:
        if type(revenue) is not int or not 0 <= revenue <= MAX_REVENUE:
            errors["revenue"] = [_("Revenue is a whole, non-negative number of minor units, e.g. 1250 for 12.50.")]
        else:
            checked.revenue = revenue
    signed_up_at = values.get("signed_up_at")
    if signed_up_at is not None:
        if not isinstance(signed_up_at, datetime) or signed_up_at.tzinfo is None:
            errors["signed_up_at"] = [_("Give a date and time with a time zone.")]
        elif not 1970 <= signed_up_at.year <= 2999:
            errors["signed_up_at"] = [_("Use a date between the years 1970 and 2999.")]
        else:
            checked.signed_up_at = signed_up_at.astimezone(UTC)
    attributes = values.get("attributes")
    if attributes:
        attribute_errors = _attribute_errors(attributes)
        if attribute_errors:
            errors["attributes"] = attribute_errors
        else:
            checked.attributes = attributes
    checked.account = values.get("account")
    if errors:
        raise RowInvalid(errors)
    return checked


# --- parsing CSV cells ---------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def parse_amount(text: str, exponent: int) -> int:
    """ "1,234.50" / "1234,5" / "1 234" in major units → minor units (ValueError if not a number).
    The last "." or "," is the decimal separator when it has 1–`exponent` digits after it."""
    text = re.sub(r"[\s_'\u00a0\u202f]", "", text.strip())
    text = re.sub(r"^[^\d-]+|[^\d]+$", "", text)  # a currency symbol or code around the number
    separator = max(text.rfind("."), text.rfind(","))
    whole, fraction = (text, "") if separator < 0 else (text[:separator], text[separator + 1:])
    if fraction and (len(fraction) > max(exponent, 0) or not fraction.isdigit()):
        if len(fraction) == 3 and fraction.isdigit():  # "1,234" is a thousands separator
            whole, fraction = whole + fraction, ""
        else:
            raise ValueError(text)
    whole = whole.replace(",", "").replace(".", "")
    if not re.fullmatch(r"-?\d+", whole or "x"):
        raise ValueError(text)
    return int(whole) * 10**exponent + (int(fraction.ljust(exponent, "0")) if fraction else 0)


def parse_date(text: str) -> datetime:
    """An ISO 8601 date or date-time ("2024-03-01", "2024-03-01T10:00:00+02:00", "2024/03/01");
    a date or a time without a zone counts as UTC."""
    text = text.strip().replace("/", "-")
    if len(text) == 10:
        parsed = datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
    else:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
    return parsed


def attribute_value(text: str):
    """A cell as an attribute: whole numbers and decimals as numbers, anything else as text."""
    if _NUMBER.match(text):
        return int(text) if "." not in text else float(text)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return text


# --- writing many at once ---------------------------------------------------------------------

class CustomerWriter:
    """Upserts batches of checked values for one program; keeps the program's accounts it met."""

    def __init__(self, program, *, now: datetime | None = None):
        self.program = program
        self.now = now or timezone.now()
        self.accounts_by_domain: dict[str, Account] = {}
        self.accounts_by_name: dict[str, Account] = {}

    def write(self, rows: list[CustomerValues]) -> list[Outcome]:
        """Upsert the rows in one transaction, in order; a later row about the same customer
        sees what the earlier one did. Retried once if a concurrent writer got in first."""
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    return self._write(rows)
            except IntegrityError:
                if attempt == 2:
                    raise
                self.accounts_by_domain, self.accounts_by_name = {}, {}
        raise AssertionError("unreachable")

    def _write(self, rows: list[CustomerValues]) -> list[Outcome]:
        self._resolve_accounts(rows)
        by_id, by_email = self._load(rows)
        new: list[Customer] = []
        changed: dict[int, tuple[Customer, set]] = {}
        outcomes = []
        for row in rows:
            customer = by_id.get(row.external_id) if row.external_id else None
            if customer is None and row.email_normalized:
                candidates = by_email.get(row.email_normalized, [])
                customer = next((c for c in candidates if not row.external_id or not c.external_id), None)
            if customer is None:
                customer = self._new(row)
                new.append(customer)
                outcomes.append(Outcome(CREATED, customer))
            else:
                fields = self._apply(customer, row)
                if fields and customer.pk is not None:
                    changed.setdefault(id(customer), (customer, set()))[1].update(fields)
                outcomes.append(Outcome(UPDATED if fields else UNCHANGED, customer))
            if customer.external_id:
                by_id[customer.external_id] = customer
            if customer.email_normalized and customer not in by_email[customer.email_normalized]:
                by_email[customer.email_normalized].append(customer)
        if new:
            bulk.insert(new)
        self._update(changed.values())
        return outcomes

    def _load(self, rows: list[CustomerValues]) -> tuple[dict, dict]:
        """The customers the rows may name: by external id, then by the emails of the rows
        no id found (only the fields an upsert compares are loaded)."""
        ids = list({row.external_id for row in rows if row.external_id})
        customers = Customer.objects.filter(program=self.program).only(*LOADED_FIELDS)
        found: dict[int, Customer] = {}
        for start in range(0, len(ids), 500):
            found.update((c.pk, c) for c in customers.exclude(external_id="").filter(external_id__in=ids[start:start + 500]))
        known_ids = {customer.external_id for customer in found.values()}
        emails = list({row.email_normalized for row in rows
                       if row.email_normalized and row.external_id not in known_ids})
        for start in range(0, len(emails), 500):
            found.update((c.pk, c) for c in customers.filter(email_normalized__in=emails[start:start + 500]))
        by_id, by_email = {}, defaultdict(list)
        for customer in sorted(found.values(), key=lambda c: c.pk):
            if customer.external_id:
                by_id[customer.external_id] = customer
            if customer.email_normalized:
                by_email[customer.email_normalized].append(customer)
        return by_id, by_email

    def _new(self, row: CustomerValues) -> Customer:
        return Customer(
            program=self.program, external_id=row.external_id, email=row.email, email_normalized=row.email_normalized,
            name=row.name, language=row.language, plan=row.plan, revenue=row.revenue or 0,
            signed_up_at=row.signed_up_at, attributes=dict(row.attributes), account=self._account_of(row),
            first_seen_at=min(row.signed_up_at, self.now) if row.signed_up_at else self.now,
            created_at=self.now, updated_at=self.now,
        )

    def _apply(self, customer: Customer, row: CustomerValues) -> set[str]:
        """Set the row's values on the customer; the names of the fields that changed."""
        changed = set()
        for name in ("external_id", "name", "language", "plan"):
            value = getattr(row, name)
            if value and getattr(customer, name) != value:
                setattr(customer, name, value)
                changed.add(name)
        if row.email and (customer.email != row.email or customer.email_normalized != row.email_normalized):
            customer.email, customer.email_normalized = row.email, row.email_normalized
            changed |= {"email", "email_normalized"}
        if row.revenue is not None and customer.revenue != row.revenue:
            customer.revenue = row.revenue
            changed.add("revenue")
        if row.signed_up_at is not None and customer.signed_up_at != row.signed_up_at:
            customer.signed_up_at = row.signed_up_at
            changed.add("signed_up_at")
            if row.signed_up_at < customer.first_seen_at:
                customer.first_seen_at = row.signed_up_at
                changed.add("first_seen_at")
        if row.attributes:
            merged = {**customer.attributes, **row.attributes}
            if merged != customer.attributes:
                customer.attributes = merged
                changed.add("attributes")
        account = self._account_of(row)
        if account is not None and customer.account_id != account.pk:
            customer.account = account
            changed.add("account")
        return changed

    def _update(self, changed) -> None:
        groups: dict[frozenset, list[Customer]] = defaultdict(list)
        for customer, fields in changed:
            customer.updated_at = self.now
            groups[frozenset(fields)].append(customer)
        for fields, customers in groups.items():
            Customer.objects.bulk_update(customers, [*sorted(fields), "updated_at"], batch_size=500)

    # --- accounts ----------------------------------------------------------------------------

    def _account_of(self, row: CustomerValues) -> Account | None:
        if row.account is not None:
            return row.account
        if row.account_domain:
            return self.accounts_by_domain.get(row.account_domain)
        if row.account_name:
            return self.accounts_by_name.get(row.account_name.lower())
        return None

    def _resolve_accounts(self, rows: list[CustomerValues]) -> None:
        """Find the accounts the rows name (by domain, else by name, ignoring case); create the
        missing ones."""
        domains = {row.account_domain for row in rows if row.account_domain and row.account is None}
        names = {row.account_name.lower() for row in rows
                 if row.account_name and not row.account_domain and row.account is None}
        domains -= set(self.accounts_by_domain)
        names -= set(self.accounts_by_name)
        if not (domains or names):
            return
        accounts = Account.objects.filter(program=self.program).annotate(lower_name=Lower("name"))
        for account in accounts.filter(Q(domain__in=domains) | Q(lower_name__in=names)).order_by("pk"):
            self.accounts_by_domain.setdefault(account.domain, account)
            self.accounts_by_name.setdefault(account.lower_name, account)
        missing: dict[str, Account] = {}
        for row in rows:
            if row.account is not None:
                continue
            if row.account_domain and row.account_domain not in self.accounts_by_domain:
                key = "d:" + row.account_domain
                missing.setdefault(key, Account(program=self.program, domain=row.account_domain,
                                                name=row.account_name or row.account_domain))
            elif row.account_name and not row.account_domain and row.account_name.lower() not in self.accounts_by_name:
                missing.setdefault("n:" + row.account_name.lower(), Account(program=self.program, name=row.account_name))
        if missing:
            created = Account.objects.bulk_create(list(missing.values()))
            for account in created:
                if account.domain:
                    self.accounts_by_domain[account.domain] = account
                self.accounts_by_name.setdefault(account.name.lower(), account)


# --- one customer ------------------------------------------------------------------------------

def upsert_customer(program, *, external_id: str = "", email: str = "", **fields) -> tuple[Customer, bool]:
    """Create or update one customer (by external id, else normalised email); (customer, created).

    `fields`: name, language, plan, revenue (minor units), signed_up_at, attributes (merged),
    account (an Account of the program) or account_name / account_domain. Bad values raise
    InvalidInput (422) with a message per field, and nothing is written."""
    try:
        values = check_values({"external_id": external_id, "email": email, **fields})
    except RowInvalid as invalid:
        raise InvalidInput(_("The customer has invalid fields."), field_errors=invalid.errors) from None
    if values.account is not None and values.account.program_id != program.pk:
        raise InvalidInput(_("The customer has invalid fields."),
                           field_errors={"account": [_("This account belongs to another program.")]})
    outcome = CustomerWriter(program).write([values])[0]
    return outcome.customer, outcome.status == CREATED


def upsert_customers(program, rows: list[CustomerValues]) -> list[Outcome]:
    """Upsert checked rows (see `check_values`) in one transaction, in order."""
    return CustomerWriter(program).write(rows)


HEALTH_BANDS = {"healthy": (70, 100), "attention": (40, 69), "at_risk": (0, 39)}


def search_customers(program, query: str = "", band: str = ""):
    """The program's customers matching a name, email or customer id, in a health band
    (healthy ≥ 70, attention 40–69, at_risk < 40, unscored), healthiest first."""
    customers = Customer.objects.filter(program=program).select_related("account")
    if query:
        customers = customers.filter(Q(name__icontains=query) | Q(email_normalized__icontains=query.lower())
                                     | Q(external_id=query) | Q(account__name__icontains=query))
    if band in HEALTH_BANDS:
        low, high = HEALTH_BANDS[band]
        customers = customers.filter(health_score__gte=low, health_score__lte=high)
    elif band == "unscored":
        customers = customers.filter(health_score__isnull=True)
    return customers.order_by(models.F("health_score").desc(nulls_last=True), "name", "pk")
