"""Nominations (I4): any member of the workspace — teammates included — names a customer
(or an advocate) who would make a good advocate, with a reason. One open nomination per
person and nominator (a database constraint); a second one is a 409."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate, Customer
from chorus.core.errors import Conflict, InvalidInput, NotFound
from chorus.core.models import audit

from .models import Nomination

REASON_LIMIT = 1000


def find_person(program, key: str) -> tuple[Customer | None, Advocate | None]:
    """The customer (`c<id>`) or advocate (`a<id>`) of this program a candidate key names; 404 otherwise."""
    key = key or ""
    kind, number = key[:1], key[1:]
    if kind in ("c", "a") and number.isdigit():
        model = Customer if kind == "c" else Advocate
        person = model.objects.filter(program=program, pk=int(number)).first()
        if person is not None:
            return (person, None) if kind == "c" else (None, person)
    raise NotFound(_("No such customer in this program."))


def nominate(program, user, *, person_key: str, reason: str) -> Nomination:
    customer, advocate = find_person(program, person_key)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_LIMIT:
        message = _("Say why, in at most %(limit)s characters.") % {"limit": REASON_LIMIT}
        raise InvalidInput(message, field_errors={"reason": [message]})
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(program=program, customer=customer, advocate=advocate,
                                                   nominated_by=user, reason=reason)
            audit(action="nomination.created", target=nomination, actor=user, workspace=program.workspace,
                  customer=customer and customer.pk, advocate=advocate and advocate.pk)
    except IntegrityError:
        raise Conflict(_("You have already nominated this person."), code="already_nominated") from None
    return nomination


def close_nomination(program, user, nomination_id: int, *, can_edit: bool) -> Nomination:
    """The nominator, or a program manager, closes an open nomination (again: no change)."""
    nomination = Nomination.objects.filter(program=program, pk=nomination_id).first()
    if nomination is None or not (can_edit or nomination.nominated_by_id == user.pk):
        raise NotFound(_("No such nomination."))
    Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.OPEN).update(
        status=Nomination.Status.CLOSED, closed_at=timezone.now())
    nomination.refresh_from_db()
    return nomination
