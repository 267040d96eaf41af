"""Click ids: self-contained, signed tokens that carry the link and the click time.

A click id is enough to attribute a conversion even if the click row has not been
written yet (clicks are recorded in batches): it encodes the link id, the program id,
the click time and a random part, with an HMAC so nobody can forge one.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from dataclasses import dataclass

from django.conf import settings

_VERSION = 1
_PACK = struct.Struct(">BQQI8s")  # version, link id, program id, unix seconds, random
_MAC_BYTES = 10


def _key() -> bytes:
    return hashlib.sha256(b"chorus.click:" + settings.SECRET_KEY.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class ClickId:
    link_id: int
    program_id: int
    clicked_at: int  # unix seconds
    nonce: bytes

    @property
    def token(self) -> str:
        payload = _PACK.pack(_VERSION, self.link_id, self.program_id, self.clicked_at, self.nonce)
        mac = hmac.new(_key(), payload, hashlib.sha256).digest()[:_MAC_BYTES]
        return _b64(payload + mac)


def new_click_id(link_id: int, program_id: int, clicked_at: float | None = None) -> ClickId:
    return ClickId(link_id, program_id, int(clicked_at if clicked_at is not None else time.time()), secrets.token_bytes(8))


def parse_click_id(token: str) -> ClickId | None:
    """The ClickId inside a token, or None when it is malformed or forged."""
    if not token or len(token) > 80:
        return None
    try:
        raw = _unb64(token)
    except (ValueError, TypeError):
        return None
    if len(raw) != _PACK.size + _MAC_BYTES:
        return None
    payload, mac = raw[: _PACK.size], raw[_PACK.size :]
    expected = hmac.new(_key(), payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        return None
    version, link_id, program_id, clicked_at, nonce = _PACK.unpack(payload)
    if version != _VERSION:
        return None
    return ClickId(link_id, program_id, clicked_at, nonce)


def visitor_hash(ip: str, user_agent: str) -> str:
    """A salted, one-way visitor id: the same browser on the same network, never the IP."""
    digest = hmac.new(_key(), f"{ip}|{user_agent}".encode(), hashlib.sha256).digest()
    return _b64(digest[:16])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
