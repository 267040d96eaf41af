"""Signed tokens in email links: unsubscribe/preferences (per program and address) and click
tracking (per email and link). Neither expires: an old email's links keep working."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_UNSUBSCRIBE = signing.Signer(salt="chorus.email.unsubscribe")
_CLICK = signing.Signer(salt="chorus.email.click")


def unsubscribe_token(program_id: int, email_normalized: str) -> str:
    return _UNSUBSCRIBE.sign_object({"p": program_id, "e": email_normalized}, compress=True)


def parse_unsubscribe_token(token: str) -> tuple[int, str] | None:
    if not token or len(token) > 600:
        return None
    try:
        data = _UNSUBSCRIBE.unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int) or not isinstance(data.get("e"), str):
        return None
    return data["p"], data["e"]


def unsubscribe_url(program_id: int, email_normalized: str) -> str:
    path = reverse("hub:unsubscribe", kwargs={"token": unsubscribe_token(program_id, email_normalized)})
    return settings.CHORUS_BASE_URL + path


def click_token(email_id: int, index: int) -> str:
    return _CLICK.sign(f"{email_id}.{index}")


def parse_click_token(token: str) -> tuple[int, int] | None:
    if not token or len(token) > 100:
        return None
    try:
        value = _CLICK.unsign(token)
    except signing.BadSignature:
        return None
    email_id, _dot, index = value.partition(".")
    if not (email_id.isdigit() and index.isdigit()):
        return None
    return int(email_id), int(index)


def click_url(email_id: int, index: int) -> str:
    return settings.CHORUS_BASE_URL + reverse("hub:email_click", kwargs={"token": click_token(email_id, index)})
