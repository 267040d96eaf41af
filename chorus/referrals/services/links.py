"""Referral links, vanity codes, promo codes and QR codes."""

import io

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chorus.core.codes import promo_code, random_code, vanity_problem
from chorus.core.errors import Conflict, InvalidInput

from ..models import ReferralLink


def ensure_link(advocate) -> ReferralLink:
    """The advocate's one link in their program, created on first need."""
    existing = ReferralLink.objects.filter(advocate=advocate).first()
    if existing:
        return existing
    for _attempt in range(8):
        try:
            with transaction.atomic():
                return ReferralLink.objects.create(
                    program_id=advocate.program_id, advocate=advocate, code=random_code(),
                    promo_code=promo_code(advocate.name or advocate.email),
                )
        except IntegrityError:
            existing = ReferralLink.objects.filter(advocate=advocate).first()
            if existing:
                return existing
    raise Conflict(_("Could not allocate a unique code; try again."))


def link_url(link: ReferralLink) -> str:
    return f"{settings.CHORUS_BASE_URL}/r/{link.code}"


def vanity_url(link: ReferralLink) -> str:
    if not link.vanity_code:
        return ""
    return f"{settings.CHORUS_BASE_URL}/r/{link.program.slug}/{link.vanity_code}"


def set_vanity_code(link: ReferralLink, value: str) -> ReferralLink:
    """Give a link a vanity code: validated, reserved words refused, unique per program, any case."""
    value = (value or "").strip().lower()
    if not value:
        link.vanity_code = ""
        link.save(update_fields=["vanity_code"])
        return link
    problem = vanity_problem(value)
    if problem:
        raise InvalidInput(problem, field_errors={"vanity_code": [problem]})
    taken = ReferralLink.objects.filter(program_id=link.program_id, vanity_code=value).exclude(pk=link.pk).exists()
    if taken:
        message = _("That code is already taken in this program.")
        raise Conflict(message, field_errors={"vanity_code": [message]})
    link.vanity_code = value
    try:
        with transaction.atomic():
            link.save(update_fields=["vanity_code"])
    except IntegrityError:
        message = _("That code is already taken in this program.")
        raise Conflict(message, field_errors={"vanity_code": [message]}) from None
    return link


def find_link_by_referral_code(program, code: str) -> ReferralLink | None:
    """By the random code, or by the vanity code in any case."""
    code = (code or "").strip()
    if not code:
        return None
    link = ReferralLink.objects.select_related("advocate").filter(program=program, code=code.lower()).first()
    return link or ReferralLink.objects.select_related("advocate").filter(program=program, vanity_code=code.lower()).first()


def qr_code(url: str, kind: str) -> tuple[bytes, str]:
    """The QR code of a URL as SVG or PNG bytes, and its content type."""
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
        return buffer.getvalue(), "image/svg+xml"
    qr.save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue(), "image/png"
