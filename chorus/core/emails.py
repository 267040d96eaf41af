"""Email address helpers."""

import re

import email_validator
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

_DOT_INSENSITIVE = {"gmail.com", "googlemail.com"}


def normalize_email(address: str) -> str:
    """The identity of a mailbox: lower-case, no +tag, no dots for Gmail.

    Used to recognise the same person behind different spellings (self-referral,
    duplicate friends); the address as typed is kept for sending.
    """
    address = (address or "").strip().lower()
    if "@" not in address:
        return address
    local, _, domain = address.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _DOT_INSENSITIVE:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


# The addresses almost every request carries: a dot-atom of letters, digits and _+- before
# the @, lower-case LDH labels and an alphabetic top-level domain after it. email_validator
# accepts each of them unchanged (test_emails compares the two on generated addresses); it
# is asked about everything else, and answers the error messages.
_PLAIN = re.compile(r"([A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\Z")


def _plain_email(address: str) -> str | None:
    """`address` when email_validator would return it unchanged, for the common shapes; else None."""
    match = _PLAIN.match(address) if len(address) <= 200 else None
    if match is None:
        return None
    local, domain = match.groups()
    if len(local) > 64 or "--" in domain or local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        return None
    if any(domain == name or domain.endswith("." + name) for name in email_validator.SPECIAL_USE_DOMAIN_NAMES):
        return None
    return address


def clean_email(address: str) -> str:
    """The address in canonical form, or ValueError with a message saying what is wrong."""
    plain = _plain_email((address or "").strip())
    if plain is not None:
        return plain
    try:
        return validate_email((address or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
