"""Enrolling advocates, knowing customers, and passwordless hub login."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.core.emails import clean_email, normalize_email
from chorus.core.errors import Conflict, Gone, InvalidInput, NotFound, RateLimited
from chorus.core.models import audit
from chorus.core.signing import hash_secret

from .models import Advocate, LoginToken

logger = logging.getLogger("chorus.advocates")


def _clean_email_or_422(email: str) -> str:
    try:
        return clean_email(email)
    except ValueError as error:
        raise InvalidInput(_("Enter a valid email address."), field_errors={"email": [str(error)]}) from None


@transaction.atomic
def upsert_advocate(program, *, email: str, name: str = "", external_id: str = "", language: str = "",
                    account=None, status: str = Advocate.Status.ACTIVE) -> tuple[Advocate, bool]:
    """Create or update an advocate by external id, then by email; gives them a link."""
    from chorus.referrals.services.links import ensure_link

    email = _clean_email_or_422(email)
    languages = {code for code, _label in settings.LANGUAGES}
    if language and language not in languages:
        raise InvalidInput(_("Unknown language."), field_errors={"language": [_("Use one of: %s") % ", ".join(sorted(languages))]})
    advocate = None
    if external_id:
        advocate = Advocate.objects.select_for_update().filter(program=program, external_id=external_id).first()
    if advocate is None:
        advocate = Advocate.objects.select_for_update().filter(program=program, email_normalized=normalize_email(email)).first()
    created = advocate is None
    if created:
        advocate = Advocate(program=program, status=status)
        if status == Advocate.Status.ACTIVE:
            advocate.joined_at = timezone.now()
    advocate.email = email
    advocate.email_normalized = normalize_email(email)
    advocate.name = name or advocate.name
    advocate.external_id = external_id or advocate.external_id
    advocate.language = language or advocate.language
    advocate.account = account or advocate.account
    try:
        with transaction.atomic():
            advocate.save()
    except IntegrityError:
        raise InvalidInput(
            _("Another advocate of this program already has that email or customer id."),
            field_errors={"email": [_("Already used by another advocate.")]},
        ) from None
    ensure_link(advocate)
    if created and advocate.status == Advocate.Status.ACTIVE:
        _joined(advocate)
    return advocate, created


def activate_advocate(advocate: Advocate) -> Advocate:
    if advocate.status == Advocate.Status.PENDING:
        advocate.status = Advocate.Status.ACTIVE
        advocate.joined_at = timezone.now()
        advocate.save(update_fields=["status", "joined_at", "updated_at"])
        _record_join_consent(advocate)
        _joined(advocate)
    return advocate


def _joined(advocate: Advocate) -> None:
    from chorus.integrations.webhooks_out import EventType, emit, payloads

    emit(advocate.program_id, EventType.ADVOCATE_JOINED, {"advocate": payloads.advocate(advocate)},
         f"advocate:{advocate.pk}")


ERASED_DOMAIN = "@invalid"  # erased advocates keep a pseudonymous address there (chorus.privacy)


@transaction.atomic
def suspend_advocate(advocate: Advocate, *, user=None) -> Advocate:
    """Disable an advocate: no hub login, no login links, no credit for clicks. Idempotent; audited."""
    advocate = Advocate.objects.select_for_update().get(pk=advocate.pk)
    if advocate.status != Advocate.Status.DISABLED:
        advocate.status = Advocate.Status.DISABLED
        advocate.save(update_fields=["status", "updated_at"])
        audit(action="advocate.suspended", target=advocate, actor=user, workspace=advocate.program.workspace)
    return advocate


@transaction.atomic
def reinstate_advocate(advocate: Advocate, *, user=None) -> Advocate:
    """Undo a suspension: active again if they had joined, else pending. An erased advocate stays erased (409)."""
    advocate = Advocate.objects.select_for_update().get(pk=advocate.pk)
    if advocate.email_normalized.endswith(ERASED_DOMAIN):
        raise Conflict(_("This advocate's personal data was erased; they cannot be reinstated."))
    if advocate.status == Advocate.Status.DISABLED:
        advocate.status = Advocate.Status.ACTIVE if advocate.joined_at else Advocate.Status.PENDING
        advocate.save(update_fields=["status", "updated_at"])
        audit(action="advocate.reinstated", target=advocate, actor=user, workspace=advocate.program.workspace)
    return advocate


def _record_join_consent(advocate: Advocate) -> None:
    """Confirming the address to join is the advocate's consent to program email (X3)."""
    from chorus.notifications.consent import record_consent
    from chorus.notifications.models import Consent

    record_consent(advocate.program, advocate.email, source=Consent.Source.JOIN)


def remember_visitor(advocate: Advocate, visitor: str) -> None:
    """Keep the advocate's own browsers, to recognise a self-referral click later."""
    if visitor and visitor not in advocate.known_visitors:
        advocate.known_visitors = [visitor, *advocate.known_visitors][:20]
        advocate.save(update_fields=["known_visitors", "updated_at"])


def issue_login_token(advocate: Advocate, purpose: str = LoginToken.Purpose.LOGIN) -> str:
    """A fresh single-use token; at most CHORUS_MAGIC_LINKS_PER_HOUR per advocate per hour."""
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = LoginToken.objects.filter(advocate=advocate, created_at__gte=hour_ago).count()
    if recent >= settings.CHORUS_MAGIC_LINKS_PER_HOUR:
        raise RateLimited(_("Too many login links requested. Try again in an hour."), retry_after=3600)
    raw = secrets.token_urlsafe(32)
    LoginToken.objects.create(
        advocate=advocate, purpose=purpose, token_hash=hash_secret(raw),
        expires_at=timezone.now() + timedelta(minutes=settings.CHORUS_MAGIC_LINK_MINUTES),
    )
    return raw


@transaction.atomic
def consume_login_token(program, raw_token: str) -> Advocate:
    """The advocate a token logs in; the token is spent at once (a conditional UPDATE)."""
    token = LoginToken.objects.select_related("advocate").filter(
        token_hash=hash_secret(raw_token or ""), advocate__program=program
    ).first()
    if token is None:
        raise NotFound(_("This login link is not valid. Ask for a new one."))
    now = timezone.now()
    spent = LoginToken.objects.filter(pk=token.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not spent:
        raise Gone(_("This login link has expired or was already used. Ask for a new one."))
    advocate = token.advocate
    if advocate.status == Advocate.Status.DISABLED:
        raise Gone(_("This advocate account is disabled."))
    if token.purpose == LoginToken.Purpose.CONFIRM:
        activate_advocate(advocate)
    return advocate


# --- hub: self-enrolment, login links, preferences -------------------------------------

def _email_magic_link(advocate: Advocate) -> bool:
    """Issue a token and email it after commit: a confirmation for a pending advocate,
    a login link otherwise. False (and nothing sent) when the per-advocate limit is hit."""
    from chorus.notifications.services import send_magic_link

    purpose = LoginToken.Purpose.CONFIRM if advocate.status == Advocate.Status.PENDING else LoginToken.Purpose.LOGIN
    try:
        raw = issue_login_token(advocate, purpose)
    except RateLimited:
        logger.info("login link limit reached for advocate %s", advocate.pk)
        return False
    send_magic_link(advocate, raw, purpose)
    return True


@transaction.atomic
def request_login_link(program, email: str) -> bool:
    """Email a magic link to the program's advocate with this address, if there is one.

    The caller answers the same whatever this returns, so nobody learns who is enrolled.
    """
    try:
        email = clean_email(email)
    except ValueError:
        return False
    advocate = (
        Advocate.objects.select_related("program")
        .filter(program=program, email_normalized=normalize_email(email))
        .exclude(status=Advocate.Status.DISABLED).first()
    )
    return _email_magic_link(advocate) if advocate else False


@transaction.atomic
def join_program(program, *, email: str, name: str, language: str = "") -> Advocate:
    """Self-enrolment from the public join page.

    A new address becomes a pending advocate and gets a confirmation link; an address
    already enrolled is left unchanged and gets a login link instead, so the page
    answers the same either way.
    """
    email = _clean_email_or_422(email)
    existing = Advocate.objects.select_related("program").filter(
        program=program, email_normalized=normalize_email(email)).first()
    if existing is not None:
        if existing.status != Advocate.Status.DISABLED:
            _email_magic_link(existing)
        return existing
    advocate, _created = upsert_advocate(program, email=email, name=name, language=language,
                                         status=Advocate.Status.PENDING)
    _email_magic_link(advocate)
    return advocate


def set_advocate_language(advocate: Advocate, language: str) -> Advocate:
    if language not in {code for code, _label in settings.LANGUAGES}:
        raise InvalidInput(_("Unknown language."), field_errors={"language": [_("Unknown language.")]})
    if advocate.language != language:
        advocate.language = language
        advocate.save(update_fields=["language", "updated_at"])
    return advocate
