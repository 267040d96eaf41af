"""`Idempotency-Key` for API writes, with Stripe's semantics.

* The first request with a key reserves it: a row is inserted (`completed=False`) and
  committed before the endpoint runs, so a concurrent duplicate finds it and gets a 409
  instead of acting twice (exactly-once by a unique constraint, not check-then-insert).
* The endpoint's response (status and body) is stored with the row, in the same
  transaction as the endpoint's writes, and replayed for 24 hours with the header
  `Idempotent-Replayed: true`.
* Reusing a key for a different request (method, path and canonical JSON body) is
  refused with a 422, and nothing is written.
* Like Stripe, a result is stored only once the endpoint has started: a body that fails
  to parse or validate stores nothing (safe to retry), while errors the endpoint itself
  raises (422 invalid fields, 404 unknown order) are stored and replayed. Responses that
  say "try again" (429, 5xx) are never stored: the key is released.
* Records older than 24 hours count as absent; `prune_expired()` deletes them.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Status
from ninja.responses import NinjaJSONEncoder
from ninja.utils import contribute_operation_args
from pydantic import BaseModel

from . import bulk
from .api_errors import error_body
from .errors import ChorusError, Conflict, InvalidInput
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=10)  # an unfinished record this old belongs to a crashed request
MAX_KEY_LENGTH = 255


class KeyInUse(Conflict):
    code = "idempotency_key_in_use"


class KeyReused(InvalidInput):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: object


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path and the body as canonical JSON."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        canonical = body
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def _expired(record: IdempotencyRecord, now: datetime) -> bool:
    return record.created_at <= now - RETENTION


def _reserve(program, key: str, print_: str) -> IdempotencyRecord | None:
    """The new record, or None when the key is taken: one INSERT … ON CONFLICT DO NOTHING on
    the (program, key) constraint (no transaction of its own: it commits at once)."""
    record = IdempotencyRecord(program=program, key=key, fingerprint=print_)
    return record if bulk.insert_unless_taken(record, ("program_id", "key")) else None


def claim(program, key: str, print_: str) -> IdempotencyRecord | StoredResponse:
    """Reserve `key` for this request, or return what the first request with it answered.

    Raises KeyReused (422) when the key was used for a different request, and KeyInUse
    (409) while the first request with this key is still running.
    """
    for _attempt in range(5):
        record = _reserve(program, key, print_)
        if record is not None:
            return record
        existing = IdempotencyRecord.objects.filter(program=program, key=key).first()
        now = timezone.now()
        if existing is None:
            continue  # pruned between our insert and our read
        if _expired(existing, now):
            IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != print_:
            raise KeyReused(
                _("This Idempotency-Key was already used for a different request. Use a new key for a new request."),
                field_errors={HEADER: [_("Already used with another request body or endpoint.")]},
            )
        if existing.completed:
            return StoredResponse(status=existing.response_status, body=existing.response_body)
        if existing.created_at <= now - ABANDONED_AFTER and IdempotencyRecord.objects.filter(
            pk=existing.pk, completed=False, created_at=existing.created_at
        ).update(created_at=now):
            existing.created_at = now
            return existing  # taken over from a request that died without answering
        break
    raise KeyInUse(_("A request with this Idempotency-Key is in progress; retry after it has finished."))


def complete(record: IdempotencyRecord, status: int, body) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(completed=True, response_status=status, response_body=body)


def release(record: IdempotencyRecord) -> None:
    """Forget an unfinished reservation so the client can retry with the same key."""
    IdempotencyRecord.objects.filter(pk=record.pk, completed=False).delete()


def prune_expired(now: datetime | None = None) -> int:
    """Delete records past the 24-hour replay window; returns how many."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def storable(status: int) -> bool:
    return status < 500 and status != 429


# --- the endpoint decorator ------------------------------------------------------------------

def render(result) -> JsonResponse:
    """A view's `Status(code, schema)` (or bare schema) as the JSON response ninja would send."""
    status, value = (result.status_code, result.value) if isinstance(result, Status) else (200, result)
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return JsonResponse(value, status=status, encoder=NinjaJSONEncoder, safe=False)


def replay(stored: StoredResponse) -> JsonResponse:
    response = JsonResponse(stored.body, status=stored.status, safe=False)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view):
    """Honour an `Idempotency-Key` header on a write endpoint (place under @router.post).

    The view must return `Status(code, schema)`; it runs with `request.auth` already set.
    """

    @wraps(view)
    def wrapper(request, *args, idempotency_key: str | None = None, **kwargs):
        if not idempotency_key:
            return render(view(request, *args, **kwargs))
        outcome = claim(request.auth.program, idempotency_key, fingerprint(request.method, request.path, request.body))
        if isinstance(outcome, StoredResponse):
            return replay(outcome)
        try:
            with transaction.atomic():  # the stored answer commits with the endpoint's writes
                response = render(view(request, *args, **kwargs))
                if storable(response.status_code):
                    complete(outcome, response.status_code, json.loads(response.content))
        except ChorusError as error:
            if storable(error.status_code):
                complete(outcome, error.status_code, error_body(error))
            else:
                release(outcome)
            raise
        except BaseException:
            release(outcome)
            raise
        if not storable(response.status_code):
            release(outcome)
        return response

    contribute_operation_args(
        wrapper, "idempotency_key", str | None,
        Header(None, alias=HEADER, min_length=1, max_length=MAX_KEY_LENGTH, pattern=r"^[\x20-\x7e]+$",
               description=_idempotency_help()),
    )
    return wrapper


def _idempotency_help() -> str:
    return (
        "A unique key (for example a UUID) that makes retries safe: the first response is stored "
        "and replayed for 24 hours with `Idempotent-Replayed: true`. Reusing a key with a different "
        "body is refused (422); a duplicate sent while the first is running gets 409."
    )
