"""Personal data (X3): find a person, export everything Chorus holds about them, erase them.

A person is the program's advocate and/or customers with the same normalised address
(plus customers carrying the advocate's customer id). Both operations walk the registry
(`registry.py`, filled by `registrations.py`) and are audited with who, when, whose and via
(`console` or `api`) — the audit names the person by keyed hash, never by address.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate, Customer
from chorus.core.emails import clean_email, normalize_email
from chorus.core.errors import InvalidInput, NotFound
from chorus.core.models import audit

from .models import Erasure
from .registry import ErasedPerson, ErasureContext, Person, email_hash, erased_hooks, registrations

SCHEMA_VERSION = 1


def valid_email(email: str) -> str:
    """The address normalised for matching, or a 422 saying what is wrong with it."""
    if not (email or "").strip():
        raise InvalidInput(_("Enter the person's email address."),
                           field_errors={"email": [_("This field is required.")]})
    try:
        clean_email(email)
    except ValueError as error:
        raise InvalidInput(_("Enter a valid email address."), field_errors={"email": [str(error)]}) from None
    return normalize_email(email)


def find_person(program, email: str, *, lock: bool = False) -> Person:
    """The person behind `email` in `program` (maybe nobody: check `.found`)."""
    normalized = valid_email(email)
    advocates = Advocate.objects.filter(program=program, email_normalized=normalized).order_by("pk")
    if lock:
        advocates = advocates.select_for_update()
    advocates = list(advocates)
    customer_ids = [a.external_id for a in advocates if a.external_id]
    customers = Customer.objects.filter(program=program).filter(
        Q(email_normalized=normalized) | Q(external_id__in=customer_ids)).order_by("pk")
    if lock:
        customers = customers.select_for_update()
    customers = list(customers)
    emails = {normalized} | {row.email.lower() for row in [*advocates, *customers] if row.email}
    names = {row.name.lower() for row in [*advocates, *customers] if row.name.strip()}
    return Person(program=program, email_normalized=normalized, advocate_ids=tuple(a.pk for a in advocates),
                  customer_ids=tuple(c.pk for c in customers), emails=tuple(sorted(emails)),
                  names=tuple(sorted(names)))


def last_erasure(program, normalized_email: str) -> Erasure | None:
    return Erasure.objects.filter(program=program, email_hash=email_hash(normalized_email)).first()


def _nobody(program, person: Person) -> NotFound:
    erasure = last_erasure(program, person.email_normalized)
    if erasure is not None:
        return NotFound(_("This person was erased from %(program)s on %(date)s; Chorus holds no personal data "
                          "for this address any more.") % {"program": program.name,
                                                           "date": date_format(erasure.erased_at, "DATE_FORMAT")},
                        code="erased")
    return NotFound(_("Chorus holds no personal data for this email address in %(program)s.")
                    % {"program": program.name}, field_errors={"email": [_("No advocate or customer has this address.")]})


# --- looking --------------------------------------------------------------------------------

def _counts(person: Person) -> list[tuple[str, int]]:
    return [(reg.label, reg.queryset(person).count()) for reg in registrations() if reg.exported]


def summarize(program, email: str) -> list[tuple[str, int]]:
    """(label, rows) for each exported section: what the program holds about the person."""
    person = find_person(program, email)
    if not person.found:
        raise _nobody(program, person)
    return _counts(person)


def summarize_everywhere(workspace, email: str) -> list[tuple]:
    """(program, summary) for every program of the workspace that knows the person."""
    valid_email(email)
    found = []
    for program in workspace.programs.order_by("pk"):
        person = find_person(program, email)
        if person.found:
            found.append((program, _counts(person)))
    if not found:
        raise _nowhere()
    return found


def _nowhere() -> NotFound:
    return NotFound(_("Chorus holds no personal data for this email address in any program of this workspace."),
                    field_errors={"email": [_("No advocate or customer has this address.")]})


# --- export ---------------------------------------------------------------------------------

def program_document(program, person: Person) -> dict:
    return {
        "program": {"id": program.pk, "slug": program.slug, "name": program.name},
        "person": {"email": person.email_normalized, "advocate_ids": list(person.advocate_ids),
                   "customer_ids": list(person.customer_ids)},
        "sections": {reg.section: reg.export_rows(person) for reg in registrations() if reg.exported},
    }


def _audit_export(program, person: Person, *, actor, via: str, api_key=None) -> None:
    target = (Advocate.objects.get(pk=person.advocate_ids[0]) if person.advocate_ids
              else Customer.objects.get(pk=person.customer_ids[0]))
    audit(action="personal_data.exported", target=target, actor=actor, workspace=program.workspace, via=via,
          program=program.pk, email_hash=email_hash(person.email_normalized),
          api_key=api_key.prefix if api_key else "")


def export_person(program, email: str, *, actor=None, via: str, api_key=None) -> dict:
    """Everything the program holds about the person, as one JSON document (404 if nothing)."""
    person = find_person(program, email)
    if not person.found:
        raise _nobody(program, person)
    document = {"schema_version": SCHEMA_VERSION, "generated_at": timezone.now().isoformat(),
                **program_document(program, person)}
    _audit_export(program, person, actor=actor, via=via, api_key=api_key)
    return document


def export_person_everywhere(workspace, email: str, *, actor=None, via: str) -> dict:
    """The same for every program of the workspace that knows the person."""
    documents = []
    for program in workspace.programs.order_by("pk"):
        person = find_person(program, email)
        if person.found:
            documents.append(program_document(program, person))
            _audit_export(program, person, actor=actor, via=via)
    if not documents:
        raise _nowhere()
    return {"schema_version": SCHEMA_VERSION, "generated_at": timezone.now().isoformat(),
            "workspace": {"id": workspace.pk, "name": workspace.name}, "programs": documents}


# --- erasure --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ErasureResult:
    erasure: Erasure
    already_erased: bool


def _erase_found(program, person: Person, *, actor, via: str, api_key) -> Erasure:
    context = ErasureContext(person=person)
    counts = {reg.section: reg.erase_rows(context) for reg in registrations()}
    hashed = email_hash(person.email_normalized)
    erasure = Erasure.objects.create(
        program=program, email_hash=hashed, advocate_ids=list(person.advocate_ids),
        customer_ids=list(person.customer_ids), sections=counts, via=via,
        erased_by=actor if getattr(actor, "is_authenticated", False) else None, api_key=api_key)
    audit(action="personal_data.erased", target=erasure, actor=actor, workspace=program.workspace, via=via,
          program=program.pk, email_hash=hashed, api_key=api_key.prefix if api_key else "",
          advocates=list(person.advocate_ids), customers=list(person.customer_ids), sections=counts)
    erased = ErasedPerson(program=program, email_hash=hashed, advocate_ids=person.advocate_ids,
                          customer_ids=person.customer_ids)
    for hook in erased_hooks():
        hook(erased)
    transaction.on_commit(lambda: _after_commit(context))
    return erasure


def _after_commit(context: ErasureContext) -> None:
    for storage, name in context.files_to_delete:
        storage.delete(name)
    for step in context.after_commit:
        step()


def erase_in_program(program, email: str, *, actor=None, via: str, api_key=None) -> ErasureResult | None:
    """Erase the person from one program; None when the program never knew them."""
    person = find_person(program, email, lock=True)
    if person.found:
        return ErasureResult(_erase_found(program, person, actor=actor, via=via, api_key=api_key), False)
    previous = last_erasure(program, person.email_normalized)
    return ErasureResult(previous, True) if previous else None


@transaction.atomic
def erase_person(program, email: str, *, actor=None, via: str, api_key=None) -> ErasureResult:
    """Remove or pseudonymise the person's data in one transaction; ledger and metrics stay.

    Erasing again is harmless: it answers `already_erased` with the first erasure."""
    result = erase_in_program(program, email, actor=actor, via=via, api_key=api_key)
    if result is None:
        raise _nobody(program, find_person(program, email))
    return result


@transaction.atomic
def erase_person_everywhere(workspace, email: str, *, actor=None, via: str) -> list[ErasureResult]:
    """Erase the person from every program of the workspace, all in one transaction."""
    valid_email(email)
    results = [result for program in workspace.programs.order_by("pk")
               if (result := erase_in_program(program, email, actor=actor, via=via)) is not None]
    if not results:
        raise _nowhere()
    return results
