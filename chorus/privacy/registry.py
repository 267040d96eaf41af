"""The personal-data registry: every model that holds data about a person registers once.

A registration says how to find a person's rows (`match`), which fields are exported, and
what erasure does to them. `export_person` and `erase_person` (services.py) only walk the
registry, so a new model joins both with one call, e.g. in `registrations.py`::

    register(NpsResponse, section="nps.responses", match=[by_advocate(), by_customer()],
             erase={"comment": ""}, why="The score stays for the NPS; the comment is erased.")

`erase` is one of:

* `KEEP` — nothing personal to remove (or an append-only accounting record); say why.
* `DELETE` — the rows are pure personal data with no accounting role: they are deleted.
* a dict `{field: value}` — the fields are overwritten; a value may be a callable
  `value(row, context)` (computed per row), e.g. `pseudonymous_email`.
* a callable `erase(queryset, context) -> int` — anything else; returns the rows changed.

`files` names FileFields: exported as download URLs (`file_url(row, field)`), and on
erasure removed from storage after commit and blanked (or deleted with their row).

After a person is erased, every `on_erased` hook runs in the same transaction with the
`ErasedPerson` (program, keyed email hash, row ids): the place for a do-not-contact list.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import models
from django.db.models import Q

from chorus.core.emails import normalize_email

KEEP = "keep"
DELETE = "delete"


def email_hash(email: str) -> str:
    """A keyed, one-way id of an address, normalised first (HMAC-SHA256, key derived from SECRET_KEY).

    What a suppression (do-not-contact) list may keep of an erased person: the same address
    gives the same hash, but the hash does not give the address back."""
    key = hashlib.sha256(b"chorus.person:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, normalize_email(email).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Person:
    """Everything that identifies one person in one program: their advocate and customer rows."""

    program: object
    email_normalized: str
    advocate_ids: tuple[int, ...] = ()
    customer_ids: tuple[int, ...] = ()
    emails: tuple[str, ...] = ()  # every spelling known, lower-case (for scrubbing copies)
    names: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.advocate_ids or self.customer_ids)

    def mentions(self, text: str) -> bool:
        """Whether free text names this person (an address, or a full name of 4+ letters)."""
        lowered = (text or "").lower()
        return any(email in lowered for email in self.emails) or any(
            len(name) >= 4 and name in lowered for name in self.names)


@dataclass
class ErasureContext:
    """What an erase step may need: the person, and somewhere to leave after-commit work."""

    person: Person
    files_to_delete: list[tuple[object, str]] = field(default_factory=list)  # (storage, name)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class ErasedPerson:
    """What an `on_erased` hook receives: never the address itself."""

    program: object
    email_hash: str
    advocate_ids: tuple[int, ...]
    customer_ids: tuple[int, ...]


# --- how to find a person's rows -----------------------------------------------------------

Matcher = Callable[[Person], Q]


def by_advocate(path: str = "advocate") -> Matcher:
    """Rows whose `path` is one of the person's advocates (`"pk"` for the Advocate itself)."""
    return lambda person: Q(**{f"{path}__in": person.advocate_ids})


def by_customer(path: str = "customer") -> Matcher:
    return lambda person: Q(**{f"{path}__in": person.customer_ids})


def by_email(path: str = "email_normalized", program: str = "program") -> Matcher:
    """Rows of the person's program holding their normalised address (see core/emails.py)."""
    return lambda person: Q(**{path: person.email_normalized, program: person.program})


# --- what erasure writes -------------------------------------------------------------------

def pseudonymous_email(row=None, context=None) -> str:
    """A fresh address that names nobody and can never receive mail (RFC 6761 .invalid)."""
    return f"erased-{secrets.token_hex(8)}@invalid"


def pseudonymise(*, email: str = "", normalized: str = "", values: dict | None = None):
    """An erase step for rows unique by address: each row gets its own fresh `.invalid`
    address in `email` and `normalized` (either may be empty) and the other `values`."""
    values = values or {}

    def erase(queryset, context) -> int:
        rows = list(queryset)
        for row in rows:
            address = pseudonymous_email()
            for name in filter(None, (email, normalized)):
                setattr(row, name, address)
            for name, value in values.items():
                setattr(row, name, value(row, context) if callable(value) else value)
            row.save(update_fields=[name for name in (email, normalized) if name] + list(values))
        return len(rows)

    erase.fields = tuple(filter(None, (email, normalized))) + tuple(values)
    return erase


def present(model, values: dict) -> dict:
    """The `values` whose fields `model` has: for optional fields another part may add."""
    names = {model_field.name for model_field in model._meta.concrete_fields}
    return {name: value for name, value in values.items() if name in names}


@dataclass(frozen=True)
class Registration:
    section: str
    model: type[models.Model]
    match: tuple[Matcher, ...]
    erase: object = KEEP
    fields: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    file_url: Callable[[models.Model, str], str] | None = None
    exported: bool = True
    why: str = ""
    label: str = ""

    def queryset(self, person: Person):
        condition = Q(pk__in=[])
        for matcher in self.match:
            condition |= matcher(person)
        return self.model._default_manager.filter(condition).order_by("pk")

    def export_fields(self) -> list[models.Field]:
        concrete = [f for f in self.model._meta.concrete_fields]
        if self.fields is not None:
            by_name = {f.name: f for f in concrete}
            return [by_name[name] for name in self.fields]
        return [f for f in concrete if f.name not in self.exclude]

    def export_rows(self, person: Person) -> list[dict]:
        fields = self.export_fields()
        return [self._row_json(row, fields) for row in self.queryset(person)]

    def _row_json(self, row, fields) -> dict:
        result = {}
        for model_field in fields:
            if model_field.is_relation:
                result[model_field.attname] = getattr(row, model_field.attname)
            elif isinstance(model_field, models.FileField):
                result[model_field.name] = self._file_json(row, model_field.name)
            else:
                result[model_field.name] = plain(getattr(row, model_field.attname))
        return result

    def _file_json(self, row, name: str) -> dict | None:
        stored = getattr(row, name)
        if not stored:
            return None
        url = self.file_url(row, name) if self.file_url else stored.url
        return {"name": stored.name.rsplit("/", 1)[-1], "url": url}

    def erase_rows(self, context: ErasureContext) -> int:
        if self.erase == KEEP:
            return 0
        queryset = self.queryset(context.person)
        self._collect_files(queryset, context)
        if self.erase == DELETE:
            return queryset.delete()[1].get(self.model._meta.label, 0)
        if callable(self.erase):
            return self.erase(queryset, context)
        return self._overwrite(queryset, context)

    def _collect_files(self, queryset, context: ErasureContext) -> None:
        if not self.files:
            return
        for row in queryset.only("pk", *self.files):
            for name in self.files:
                stored = getattr(row, name)
                if stored:
                    context.files_to_delete.append((stored.storage, stored.name))

    def _overwrite(self, queryset, context: ErasureContext) -> int:
        values = {**dict.fromkeys(self.files, ""), **self.erase}
        if not any(callable(value) for value in values.values()):
            return queryset.update(**values)
        rows = list(queryset)
        for row in rows:
            for name, value in values.items():
                setattr(row, name, value(row, context) if callable(value) else value)
            row.save(update_fields=list(values))
        return len(rows)


def plain(value):
    """A field value as a plain JSON type."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


# --- the registry --------------------------------------------------------------------------

_registrations: dict[str, Registration] = {}
_erased_hooks: list[Callable[[ErasedPerson], None]] = []


def register(model, *, match: Matcher | Iterable[Matcher], section: str | None = None, erase=KEEP,
             fields: Iterable[str] | None = None, exclude: Iterable[str] = (), files: Iterable[str] = (),
             file_url=None, exported: bool = True, why: str = "", label: str = "") -> Registration:
    """Declare where a model holds personal data (see the module docstring). Idempotent per section."""
    if not (erase in (KEEP, DELETE) or callable(erase) or isinstance(erase, dict)):
        raise ValueError(f"erase must be KEEP, DELETE, a dict or a callable, not {erase!r}")
    named = [*(erase if isinstance(erase, dict) else getattr(erase, "fields", ())), *files, *(fields or ()), *exclude]
    for name in named:
        model._meta.get_field(name)  # FieldDoesNotExist at start-up, not in the middle of an erasure
    matchers = (match,) if callable(match) else tuple(match)
    registration = Registration(
        section=section or model._meta.label_lower, model=model, match=matchers, erase=erase,
        fields=tuple(fields) if fields is not None else None, exclude=tuple(exclude), files=tuple(files),
        file_url=file_url, exported=exported, why=why, label=label or model._meta.verbose_name_plural,
    )
    _registrations[registration.section] = registration
    return registration


def registrations() -> list[Registration]:
    """Every registration, in the order they were made (erasure runs in this order)."""
    return list(_registrations.values())


def on_erased(hook: Callable[[ErasedPerson], None]) -> Callable[[ErasedPerson], None]:
    """Run `hook` after each erasure, in its transaction (e.g. add the hash to a suppression list)."""
    if hook not in _erased_hooks:
        _erased_hooks.append(hook)
    return hook


def erased_hooks() -> list[Callable[[ErasedPerson], None]]:
    return list(_erased_hooks)
