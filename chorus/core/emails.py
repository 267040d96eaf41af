"""Email address helpers."""

from email_validator import EmailNotValidError, validate_email

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


def clean_email(address: str) -> str:
    """The address in canonical form, or ValueError with a message saying what is wrong."""
    try:
        return validate_email((address or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
