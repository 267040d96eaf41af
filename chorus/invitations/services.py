"""Inviting customers to become advocates, and joining from an invitation in one click.

The invitation email carries a random single-use token (only its hash is stored). Opening the
link records the click and shows one "Join" button; only the POST behind that button spends
the token — the same rule as the hub's magic links, so mail scanners that fetch every link
neither join people nor use up their invitation. The invitation is the proof of email: the
advocate is created active and logged in at once.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate, Customer
from chorus.advocates.services import activate_advocate, join_program, upsert_advocate
from chorus.core.emails import normalize_email
from chorus.core.errors import Conflict, Gone, InvalidInput, NotFound
from chorus.core.signing import hash_secret

from .emails import send_invitation_email
from .models import Channel, Enrolment, Invitation

logger = logging.getLogger("chorus.invitations")

VALID_DAYS = 30  # an invitation link works this long after it was (re)sent
MAX_SENDS = 3  # the first email and two resends
RESEND_AFTER = timedelta(hours=24)  # from the console: at most one email a day per person
RENEW_AFTER = timedelta(minutes=10)  # the invitee's own "send me a new link"…
MAX_EMAILS = 6  # …until this many invitation emails in all
MAX_BATCH = 500


@dataclass
class InviteResult:
    invited: list[Invitation] = field(default_factory=list)
    suppressed: list[Invitation] = field(default_factory=list)
    already_advocates: list[Customer] = field(default_factory=list)
    already_invited: list[Customer] = field(default_factory=list)
    without_email: list[Customer] = field(default_factory=list)


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hash_secret(raw)


def _send(invitation: Invitation, raw_token: str) -> Invitation:
    """Hand the email over (it leaves after commit) and record whether it will go out."""
    outbound = send_invitation_email(invitation, raw_token)
    if outbound is None or outbound.status == "suppressed":
        invitation.status = Invitation.Status.SUPPRESSED
    elif outbound.status == "failed":
        invitation.status = Invitation.Status.FAILED
    else:
        invitation.status = Invitation.Status.SENT
    invitation.outbound_email_id = outbound.pk if outbound is not None else None
    invitation.save(update_fields=["status", "outbound_email_id", "updated_at"])
    return invitation


def _is_advocate(program, email_normalized: str) -> bool:
    return Advocate.objects.filter(program=program, email_normalized=email_normalized).exists()


@transaction.atomic
def invite_customers(program, customers: list[Customer], *, channel: Channel | None = None,
                     user=None) -> InviteResult:
    """Invite each customer by email, once: advocates already, people invited before and
    customers without an address are set aside and reported, never emailed."""
    if len(customers) > MAX_BATCH:
        raise InvalidInput(_("Invite at most %(count)d people at a time.") % {"count": MAX_BATCH})
    if channel is not None and channel.program_id != program.pk:
        raise NotFound(_("No channel with this id in this program."))
    result = InviteResult()
    now = timezone.now()
    for customer in sorted({customer.pk: customer for customer in customers}.values(), key=lambda c: c.pk):
        if customer.program_id != program.pk:
            raise NotFound(_("No customer with this id in this program."))
        email_normalized = normalize_email(customer.email) if customer.email else ""
        if not email_normalized:
            result.without_email.append(customer)
            continue
        if _is_advocate(program, email_normalized):
            result.already_advocates.append(customer)
            continue
        raw, token_hash = _new_token()
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    program=program, customer=customer, channel=channel, email=customer.email,
                    email_normalized=email_normalized, name=customer.name, language=_language_of(customer),
                    token_hash=token_hash, expires_at=now + timedelta(days=VALID_DAYS), last_sent_at=now,
                    invited_by=user if user is not None and user.is_authenticated else None,
                )
        except IntegrityError:
            result.already_invited.append(customer)
            continue
        invitation.program = program
        _send(invitation, raw)
        (result.invited if invitation.status == Invitation.Status.SENT else result.suppressed).append(invitation)
    return result


def _language_of(customer: Customer) -> str:
    language = customer.language
    return language if language in {code for code, _label in settings.LANGUAGES} else ""


def can_resend(invitation: Invitation, *, now=None) -> bool:
    now = now or timezone.now()
    return (invitation.joined_at is None and invitation.send_count < MAX_SENDS
            and invitation.last_sent_at <= now - RESEND_AFTER)


def _reissue(invitation: Invitation, now) -> str:
    raw, token_hash = _new_token()
    invitation.token_hash = token_hash
    invitation.expires_at = now + timedelta(days=VALID_DAYS)
    invitation.last_sent_at = now
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "expires_at", "last_sent_at", "send_count", "updated_at"])
    return raw


@transaction.atomic
def resend_invitation(invitation: Invitation) -> Invitation:
    """Send again with a fresh link (the old one stops working): not after joining, not
    twice within a day, at most MAX_SENDS emails in all."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("program").get(pk=invitation.pk)
    now = timezone.now()
    if invitation.joined_at is not None:
        raise Conflict(_("%(email)s has already joined.") % {"email": invitation.email})
    if _is_advocate(invitation.program, invitation.email_normalized):
        raise Conflict(_("%(email)s is already an advocate.") % {"email": invitation.email})
    if invitation.send_count >= MAX_SENDS:
        raise Conflict(_("%(email)s was already invited %(count)d times; that is enough.")
                       % {"email": invitation.email, "count": invitation.send_count})
    if invitation.last_sent_at > now - RESEND_AFTER:
        raise Conflict(_("%(email)s was invited less than a day ago. Resend tomorrow at the earliest.")
                       % {"email": invitation.email})
    return _send(invitation, _reissue(invitation, now))


# --- the invitee's side ----------------------------------------------------------------------------

def _find(program, raw_token: str, *, lock: bool = False) -> Invitation:
    queryset = Invitation.objects.select_related("program", "customer")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(program=program, token_hash=hash_secret(raw_token or "")).first()
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. It may have been replaced by a newer one."))
    return invitation


def open_invitation(program, raw_token: str) -> Invitation:
    """The invitation a link belongs to; its first opening is recorded as the click."""
    invitation = _find(program, raw_token)
    if invitation.clicked_at is None:
        now = timezone.now()
        if Invitation.objects.filter(pk=invitation.pk, clicked_at__isnull=True).update(clicked_at=now, updated_at=now):
            invitation.clicked_at = now
    return invitation


def is_expired(invitation: Invitation, *, now=None) -> bool:
    return invitation.expires_at <= (now or timezone.now())


def _advocate_for(invitation: Invitation) -> Advocate:
    """The invitee's advocate: the existing one with this address (never a duplicate), else new."""
    program = invitation.program
    existing = Advocate.objects.select_for_update().filter(
        program=program, email_normalized=invitation.email_normalized).first()
    if existing is not None:
        if existing.status == Advocate.Status.DISABLED:
            raise Gone(_("This advocate account is disabled."))
        return activate_advocate(existing)
    customer = invitation.customer
    external_id = customer.external_id if customer else ""
    if external_id and Advocate.objects.filter(program=program, external_id=external_id).exists():
        external_id = ""  # that customer id belongs to another advocate already
    account = customer.account if customer else None
    advocate, _created = upsert_advocate(program, email=invitation.email, name=invitation.name,
                                         external_id=external_id, language=invitation.language, account=account)
    return advocate


@transaction.atomic
def accept_invitation(program, raw_token: str) -> Advocate:
    """Join from the invitation: spend the token, create (or find) the advocate, active at once."""
    invitation = _find(program, raw_token, lock=True)
    now = timezone.now()
    if invitation.joined_at is not None:
        raise Gone(_("This invitation was already used. Log in with your email address instead."),
                   code="invitation_used")
    if is_expired(invitation, now=now):
        raise Gone(_("This invitation has expired. Ask for a new link below."), code="invitation_expired")
    advocate = _advocate_for(invitation)
    invitation.advocate = advocate
    invitation.joined_at = now
    invitation.clicked_at = invitation.clicked_at or now
    invitation.save(update_fields=["advocate", "joined_at", "clicked_at", "updated_at"])
    if not Enrolment.objects.filter(advocate=advocate).exists():
        Enrolment.objects.create(advocate=advocate, channel=invitation.channel, invitation=invitation)
    return advocate


@transaction.atomic
def renew_invitation(program, raw_token: str) -> bool:
    """The invitee asks for a new link (theirs expired): emailed to the invited address only,
    at most once every RENEW_AFTER. False when nothing was sent; the page answers the same."""
    try:
        invitation = _find(program, raw_token, lock=True)
    except NotFound:
        return False
    now = timezone.now()
    if (invitation.joined_at is not None or invitation.last_sent_at > now - RENEW_AFTER
            or invitation.send_count >= MAX_EMAILS):
        return False
    _send(invitation, _reissue(invitation, now))
    return invitation.status == Invitation.Status.SENT


@transaction.atomic
def join_through_channel(program, channel: Channel, *, email: str, name: str, language: str = "") -> Advocate:
    """The channel's public join form: the usual self-enrolment (a confirmation email), with the
    channel recorded for a new advocate — they count once they have confirmed their address."""
    if channel.program_id != program.pk:
        raise NotFound(_("This invite link is not active."))
    from chorus.core.emails import clean_email

    try:
        address = normalize_email(clean_email(email))
    except ValueError:
        address = ""
    existed = bool(address) and _is_advocate(program, address)
    advocate = join_program(program, email=email, name=name, language=language)
    if not existed and not Enrolment.objects.filter(advocate=advocate).exists():
        Enrolment.objects.create(advocate=advocate, channel=channel)
    return advocate
