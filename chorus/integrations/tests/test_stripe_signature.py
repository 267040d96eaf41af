"""Stripe-Signature verification against vectors computed here from Stripe's documented scheme."""

import hashlib
import hmac

import pytest

from chorus.integrations.providers.stripe.signature import (
    BadSignature,
    compute_signature,
    verify_signature,
)

SECRET = "whsec_test_secret"
PAYLOAD = b'{\n  "id": "evt_test_webhook",\n  "object": "event"\n}'
T = 1_700_000_000


def v1(payload: bytes = PAYLOAD, secret: str = SECRET, timestamp: int = T) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def test_signature_is_hex_hmac_sha256_of_timestamp_dot_body():
    assert compute_signature(SECRET, T, PAYLOAD) == v1()
    assert len(v1()) == 64


def test_valid_signature_passes():
    verify_signature(PAYLOAD, f"t={T},v1={v1()}", SECRET, now=T)


def test_one_valid_among_several_v1_signatures_passes():
    header = f"t={T},v1={'0' * 64},v1={v1()},v0={v1(secret='other')}"
    verify_signature(PAYLOAD, header, SECRET, now=T)


def test_spaces_after_commas_are_tolerated():
    verify_signature(PAYLOAD, f"t={T}, v1={v1()}", SECRET, now=T)


@pytest.mark.parametrize("offset", [-300, 300])
def test_timestamp_exactly_at_the_tolerance_passes(offset):
    verify_signature(PAYLOAD, f"t={T},v1={v1()}", SECRET, now=T - offset)


@pytest.mark.parametrize("offset", [-301, 301])
def test_timestamp_one_second_past_the_tolerance_is_refused(offset):
    with pytest.raises(BadSignature, match="more than 300 seconds"):
        verify_signature(PAYLOAD, f"t={T},v1={v1()}", SECRET, now=T - offset)


@pytest.mark.parametrize(("header", "message"), [
    ("", "header is missing"),
    (f"v1={v1()}", "no timestamp"),
    (f"t=abc,v1={v1()}", "no timestamp"),
    (f"t={T},v0={v1()}", "no v1 signature"),
    (f"t={T}", "no v1 signature"),
])
def test_malformed_headers_are_refused(header, message):
    with pytest.raises(BadSignature, match=message):
        verify_signature(PAYLOAD, header, SECRET, now=T)


def test_tampered_body_is_refused():
    with pytest.raises(BadSignature, match="No signature"):
        verify_signature(PAYLOAD.replace(b"evt_test_webhook", b"evt_test_webhooK"), f"t={T},v1={v1()}", SECRET, now=T)


def test_tampered_timestamp_is_refused():
    with pytest.raises(BadSignature, match="No signature"):
        verify_signature(PAYLOAD, f"t={T + 1},v1={v1()}", SECRET, now=T)


def test_other_secret_is_refused():
    with pytest.raises(BadSignature, match="No signature"):
        verify_signature(PAYLOAD, f"t={T},v1={v1(secret='whsec_other')}", SECRET, now=T)


def test_non_ascii_signature_is_refused_not_crashing():
    with pytest.raises(BadSignature, match="No signature"):
        verify_signature(PAYLOAD, f"t={T},v1=é{v1()[1:]}", SECRET, now=T)
