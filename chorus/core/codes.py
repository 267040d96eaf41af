"""Codes people see: referral codes, promo codes, coupon codes."""

import re
import secrets

# No 0/O/1/I/L: codes are read aloud and typed at checkouts.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_LINK_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"

RESERVED_WORDS = frozenset(
    """admin api app static media hub console join login logout r s www help support
    about terms privacy settings account accounts demo shop chorus null none undefined
    root system test webhook webhooks docs health status signup signin register""".split()
)
VANITY_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,30}[a-z0-9])$")


def random_code(length: int = 10) -> str:
    """An unguessable link code: 10 chars of 31 symbols is ~49 bits."""
    return "".join(secrets.choice(_LINK_ALPHABET) for _ in range(length))


def promo_code(name_hint: str) -> str:
    prefix = re.sub(r"[^A-Z]", "", (name_hint or "").upper())[:8] or "FRIEND"
    return f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(5))}"


def coupon_code(prefix: str = "WELCOME") -> str:
    return f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"


def vanity_problem(value: str) -> str | None:
    """Why a vanity code is refused, or None when it is fine. Compared lower-case."""
    from django.utils.translation import gettext as _

    lowered = value.strip().lower()
    if not VANITY_PATTERN.match(lowered):
        return _("Use 3–32 letters, digits or dashes, starting and ending with a letter or digit.")
    if lowered in RESERVED_WORDS:
        return _("“%(code)s” is reserved; choose another.") % {"code": lowered}
    return None


def access_code() -> str:
    """An event or club access code, typed at the door: 8 symbols of 31 (~40 bits), e.g. K7QM-2XPA."""
    symbols = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{symbols[:4]}-{symbols[4:]}"


def normalize_access_code(value: str) -> str:
    """What a person typed, in the stored form: upper case, dash in the middle, no spaces."""
    symbols = re.sub(r"[^0-9A-Z]", "", (value or "").upper())
    return f"{symbols[:4]}-{symbols[4:]}" if len(symbols) == 8 else symbols
