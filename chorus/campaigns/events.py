"""Exclusive access (E5): invite-only events and clubs, RSVPs, check-in by access code.

* Each invitation carries its own access code, unique across Chorus (a unique key); the
  code is what the advocate shows at the door (as text or QR) and what staff type in.
* RSVP yes is capped by the event's capacity: the event row is locked (`select_for_update`)
  while seats are counted, so two advocates answering yes for the last seat at once cannot
  both get it. Answering the same twice changes nothing.
* Check-in is a conditional UPDATE (`checked_in_at IS NULL`), so a code checked in twice is
  recorded once; the check-in is then credited through the ledger with the invitation as its
  source (exactly once by the ledger's unique key) and badges are re-evaluated.
* For a club, answering yes is joining it; the members are the invitations answered yes.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate
from chorus.core.codes import access_code, normalize_access_code
from chorus.core.emails import normalize_email
from chorus.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chorus.core.models import audit
from chorus.rewards import badges, points

from .content import clean_texts
from .event_emails import send_event_invitation_emails
from .models import Event, Invitation

MAX_INVITES_PER_CALL = 5000
CODE_ATTEMPTS = 5
TEXT_LIMITS = {"titles": 200, "descriptions": 4000}
EDITABLE = ("kind", "title", "titles", "description", "descriptions", "starts_at", "ends_at", "location",
            "online_url", "capacity", "points", "is_active")


# --- events ------------------------------------------------------------------------------

def _event_problems(values: dict) -> dict[str, list[str]]:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    errors: dict[str, list[str]] = {}
    if values.get("kind") not in Event.Kind.values:
        errors["kind"] = [_("Choose event or club.")]
    title = values.get("title") or ""
    if not title:
        errors["title"] = [_("Give it a title.")]
    elif len(title) > 200:
        errors["title"] = [_("Use at most 200 characters.")]
    if len(values.get("description") or "") > 4000:
        errors["description"] = [_("Use at most 4000 characters.")]
    clean_texts(values, errors, TEXT_LIMITS)
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if values.get("kind") == Event.Kind.EVENT and starts_at is None:
        errors["starts_at"] = [_("An event needs a start time.")]
    if starts_at and ends_at and ends_at < starts_at:
        errors["ends_at"] = [_("The end must not be before the start.")]
    if values.get("online_url"):
        try:
            URLValidator(schemes=["http", "https"])(values["online_url"])
        except ValidationError:
            errors["online_url"] = [_("Enter a web address starting with http:// or https://.")]
    if len(values.get("location") or "") > 300:
        errors["location"] = [_("Use at most 300 characters.")]
    capacity = values.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 1_000_000):
        errors["capacity"] = [_("Use a whole number from 1 to 1000000, or leave it empty for no limit.")]
    event_points = values.get("points", 0)
    if not isinstance(event_points, int) or isinstance(event_points, bool) or not 0 <= event_points <= 1_000_000:
        errors["points"] = [_("Use a whole number from 0 to 1000000.")]
    return errors


def _clean_event_values(values: dict) -> dict:
    values = {key: value for key, value in values.items() if key in EDITABLE}
    for key in ("title", "description", "location", "online_url"):
        if key in values:
            values[key] = (values[key] or "").strip()
    return values


def create_event(program, *, user=None, **values) -> Event:
    values = {"kind": Event.Kind.EVENT, "points": 0, "is_active": True, **_clean_event_values(values)}
    errors = _event_problems(values)
    if errors:
        raise InvalidInput(_("Not saved: check the marked fields."), field_errors=errors)
    with transaction.atomic():
        event = Event.objects.create(program=program, created_by=user, **values)
        audit(action="access_event.created", target=event, actor=user, workspace=program.workspace)
    return event


def update_event(event: Event, *, user=None, **values) -> Event:
    merged = {**{field: getattr(event, field) for field in EDITABLE}, **_clean_event_values(values)}
    errors = _event_problems(merged)
    if errors:
        raise InvalidInput(_("Not saved: check the marked fields."), field_errors=errors)
    with transaction.atomic():
        for field, value in merged.items():
            setattr(event, field, value)
        event.save()
        audit(action="access_event.updated", target=event, actor=user, workspace=event.program.workspace)
    return event


def with_counts(events):
    """Events annotated with invited, yes, no and checked-in counts."""
    return events.annotate(
        invited_count=Count("invitations"),
        yes_count=Count("invitations", filter=Q(invitations__rsvp=Invitation.Rsvp.YES)),
        no_count=Count("invitations", filter=Q(invitations__rsvp=Invitation.Rsvp.NO)),
        checked_in_count=Count("invitations", filter=Q(invitations__checked_in_at__isnull=False)),
    )


def has_ended(event: Event, now: datetime | None = None) -> bool:
    if event.is_club:
        return False
    end = event.ends_at or event.starts_at
    return end is not None and end < (now or timezone.now())


# --- invitations -------------------------------------------------------------------------

@dataclass(frozen=True)
class InviteResult:
    invited: list[Invitation]
    already_invited: int
    skipped: int  # not active, or not in this program


def invite(event: Event, advocates, *, user=None, notify: bool = True) -> InviteResult:
    """Invite these advocates (ids or Advocate rows), each once, each with a new access code;
    each new invitee gets an email linking to the invitation in their hub (unless `notify` is off).

    Advocates of other programs and inactive ones are skipped; advocates invited before keep
    their invitation and code. Concurrent invites of the same advocate meet the unique key."""
    ids = sorted({getattr(advocate, "pk", advocate) for advocate in advocates})
    if len(ids) > MAX_INVITES_PER_CALL:
        raise InvalidInput(_("Invite at most %(count)d advocates at a time.") % {"count": MAX_INVITES_PER_CALL})
    if not event.is_active:
        raise Conflict(_("This event is inactive: activate it before inviting people."))
    eligible = list(Advocate.objects.filter(program_id=event.program_id, status=Advocate.Status.ACTIVE, pk__in=ids)
                    .values_list("pk", flat=True))
    previously = set(Invitation.objects.filter(event=event, advocate_id__in=eligible).values_list("advocate_id", flat=True))
    present = set(previously)
    for _attempt in range(CODE_ATTEMPTS):
        missing = [pk for pk in eligible if pk not in present]
        if not missing:
            break
        # A code that collides with an existing one (or an advocate a concurrent call just
        # invited) is left out by ON CONFLICT DO NOTHING; the next round retries with new codes.
        Invitation.objects.bulk_create(
            [Invitation(event=event, advocate_id=pk, code=access_code(), invited_by=user) for pk in missing],
            ignore_conflicts=True)
        present |= set(Invitation.objects.filter(event=event, advocate_id__in=missing).values_list("advocate_id", flat=True))
    else:
        if any(pk not in present for pk in eligible):
            raise Conflict(_("Could not allocate unique access codes; try again."))
    invited = list(Invitation.objects.filter(event=event, advocate_id__in=[pk for pk in eligible if pk not in previously])
                   .select_related("advocate").order_by("pk"))
    if invited:
        audit(action="access_event.invited", target=event, actor=user, workspace=event.program.workspace,
              count=len(invited))
        if notify:
            send_event_invitation_emails(event, invited)
    return InviteResult(invited=invited, already_invited=len(previously), skipped=len(ids) - len(eligible))


class Segment:
    ALL = "all"
    LANGUAGE = "language"
    LEVEL = "level"
    ACCOUNT = "account"
    CHOICES = (ALL, LANGUAGE, LEVEL, ACCOUNT)


def segment_advocates(program, segment: str, value: str = ""):
    """Active advocates of the program in a segment: everyone, a language, a level or higher,
    or an account (organisation)."""
    from django.db.models import Sum

    from chorus.rewards.models import LedgerEntry, Level

    advocates = Advocate.objects.filter(program=program, status=Advocate.Status.ACTIVE)
    if segment == Segment.ALL:
        return advocates
    if segment == Segment.LANGUAGE:
        return advocates.filter(language=value)
    if segment == Segment.ACCOUNT:
        return advocates.filter(account__program=program, account_id=int(value) if str(value).isdigit() else None)
    if segment == Segment.LEVEL:
        level = Level.objects.filter(program=program, pk=int(value) if str(value).isdigit() else None).first()
        if level is None:
            raise InvalidInput(_("Choose one of the program's levels."), field_errors={"segment_value": [_("Unknown level.")]})
        earned = Q(ledger_entries__unit=LedgerEntry.Unit.POINTS) & ~Q(ledger_entries__reason__in=points.SPENDING)
        return advocates.annotate(earned=Sum("ledger_entries__amount", filter=earned)).filter(
            earned__gte=level.min_points_earned) if level.min_points_earned else advocates
    raise InvalidInput(_("Unknown segment."), field_errors={"segment": [_("Choose a segment.")]})


# --- RSVP ----------------------------------------------------------------------------------

def get_invitation(advocate, event) -> Invitation:
    """The advocate's invitation to `event` (an Event or its id), or 404 for anyone not invited."""
    event_id = getattr(event, "pk", event)
    invitation = (Invitation.objects.select_related("event", "advocate")
                  .filter(event_id=event_id, advocate=advocate, event__program_id=advocate.program_id).first())
    if invitation is None:
        raise NotFound(_("You are not invited to this event."))
    return invitation


def rsvp(invitation_or_advocate, attending: bool, *, event=None) -> Invitation:
    """Answer an invitation: `rsvp(invitation, True)`, `rsvp(advocate, True, event=event_or_id)`
    or `rsvp((advocate, event_or_id), True)` (the `event_rsvp` ask passes its config's event id).

    Idempotent: the same answer again changes nothing. A yes is refused with a 409 when the
    event is full (seats counted under a lock on the event row), inactive or over."""
    if isinstance(invitation_or_advocate, tuple):
        invitation_or_advocate, event = invitation_or_advocate
    if isinstance(invitation_or_advocate, Invitation):
        invitation = invitation_or_advocate
    else:
        if event is None:
            raise InvalidInput(_("Say which event the answer is for."))
        invitation = get_invitation(invitation_or_advocate, event)
    answer = Invitation.Rsvp.YES if attending else Invitation.Rsvp.NO
    with transaction.atomic():
        locked_event = Event.objects.select_for_update().get(pk=invitation.event_id)
        invitation = Invitation.objects.select_for_update().select_related("advocate").get(pk=invitation.pk)
        invitation.event = locked_event
        if invitation.rsvp == answer:
            return invitation
        _check_can_answer(locked_event, invitation, answer)
        invitation.rsvp = answer
        invitation.rsvp_at = timezone.now()
        invitation.save(update_fields=["rsvp", "rsvp_at", "updated_at"])
    return invitation


def _check_can_answer(event: Event, invitation: Invitation, answer: str) -> None:
    if not event.is_active:
        raise Conflict(_("This event is no longer open for answers."), code="event_inactive")
    if has_ended(event):
        raise Conflict(_("This event is over."), code="event_over")
    if answer == Invitation.Rsvp.NO and invitation.checked_in_at is not None:
        raise Conflict(_("You have already checked in."), code="already_checked_in")
    if answer == Invitation.Rsvp.YES and event.capacity is not None:
        taken = Invitation.objects.filter(event=event, rsvp=Invitation.Rsvp.YES).exclude(pk=invitation.pk).count()
        if taken >= event.capacity:
            message = (_("Sorry, this club is full.") if event.is_club
                       else _("Sorry, this event is full: all %(count)d seats are taken.") % {"count": event.capacity})
            raise Conflict(message, code="event_full")


def seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - event.invitations.filter(rsvp=Invitation.Rsvp.YES).count(), 0)


# --- check-in ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckIn:
    invitation: Invitation
    points_credited: int


def find_invitation_by_code(program, code: str) -> Invitation:
    """The invitation a typed code names in this program (any case, with or without the dash)."""
    normalized = normalize_access_code(code)
    invitation = None
    if normalized:
        invitation = (Invitation.objects.select_related("event", "advocate")
                      .filter(code=normalized, event__program=program).first())
    if invitation is None:
        message = _("No invitation has the code “%(code)s”. Check it and try again.") % {"code": (code or "").strip()[:32]}
        raise NotFound(message, field_errors={"code": [message]}, code="unknown_code")
    return invitation


def check_in(event: Event, code: str, *, user=None) -> CheckIn:
    """Check the holder of `code` in at `event` and credit the event's points, once.

    Unknown code (404), a code for another event, or one already checked in (409): a clear
    message and nothing changed."""
    invitation = find_invitation_by_code(event.program, code)
    if invitation.event_id != event.pk:
        message = _("This code is for “%(other)s”, not this event.") % {"other": invitation.event.localized_title()}
        raise Conflict(message, field_errors={"code": [message]}, code="wrong_event")
    if not event.is_active:
        raise Conflict(_("This event is inactive: activate it to check people in."), code="event_inactive")
    if invitation.advocate.status != Advocate.Status.ACTIVE:
        message = _("This advocate's account is disabled.")
        raise Forbidden(message, field_errors={"code": [message]}, code="advocate_disabled")
    with transaction.atomic():
        now = timezone.now()
        updated = Invitation.objects.filter(pk=invitation.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=user, updated_at=now)
        if not updated:
            invitation.refresh_from_db(fields=["checked_in_at"])
            message = _("%(name)s is already checked in (since %(time)s).") % {
                "name": invitation.advocate.name or invitation.advocate.email,
                "time": timezone.localtime(invitation.checked_in_at).strftime("%Y-%m-%d %H:%M")}
            raise Conflict(message, field_errors={"code": [message]}, code="already_checked_in")
        invitation.checked_in_at, invitation.checked_in_by = now, user
        credited = 0
        if event.points:
            _entry, created = points.credit(invitation.advocate, event.points, source=invitation,
                                            note=f"check-in: {event.title}"[:300], created_by=user)
            credited = event.points if created else 0
        badges.award_earned_badges(invitation.advocate)
    return CheckIn(invitation=invitation, points_credited=credited)


def members(event: Event):
    """A club's members (or an event's yes answers), by name."""
    return (Advocate.objects.filter(access_invitations__event=event, access_invitations__rsvp=Invitation.Rsvp.YES)
            .order_by("name", "email"))


def invitations_for(advocate):
    """The advocate's invitations to active events and clubs, upcoming first, past last."""
    return (Invitation.objects.filter(advocate=advocate, event__is_active=True, event__program_id=advocate.program_id)
            .select_related("event").order_by("event__kind", "event__starts_at", "event__pk"))


def advocates_named(program, identifiers: list[str]) -> tuple[list[int], list[str]]:
    """Advocate ids for emails or ids a marketer typed, and the entries matching nobody."""
    wanted = [entry.strip() for entry in identifiers if entry.strip()]
    ids = {int(entry) for entry in wanted if entry.isdigit()}
    emails = {normalize_email(entry) for entry in wanted if not entry.isdigit()}
    found = Advocate.objects.filter(program=program).filter(Q(pk__in=ids) | Q(email_normalized__in=emails))
    rows = list(found.values_list("pk", "email_normalized"))
    known_ids, known_emails = {pk for pk, _email in rows}, {email for _pk, email in rows}
    unknown = [entry for entry in wanted
               if (int(entry) not in known_ids if entry.isdigit() else normalize_email(entry) not in known_emails)]
    return sorted(known_ids), unknown


def invite_selection(event: Event, *, identifiers: list[str] = (), segment: str = "", segment_value: str = "",
                     user=None) -> InviteResult:
    """Invite advocates named by email or id, plus a segment; an unknown name invites nobody."""
    ids, unknown = advocates_named(event.program, list(identifiers))
    if unknown:
        message = _("No advocate in this program matches: %(entries)s.") % {"entries": ", ".join(unknown[:10])}
        raise InvalidInput(message, field_errors={"advocates": [message]})
    if segment:
        ids = [*ids, *segment_advocates(event.program, segment, segment_value).values_list("pk", flat=True)]
    return invite(event, ids, user=user)
