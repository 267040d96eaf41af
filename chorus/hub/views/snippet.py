"""The merchant snippet: `/s/chorus.js`, and the browser events it sends to `/t/<slug>/events`.

The events endpoint is a public, cross-origin beacon: any origin may call it, without
cookies (so no CSRF to protect), rate limited per IP. What it records is stored as
browser-trust and never rewarded; refunds are not accepted from browsers at all.
"""

import hashlib
import json
import logging
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_http_methods, require_safe

from chorus.core.errors import ChorusError, InvalidInput, RateLimited
from chorus.core.ratelimit import client_ip, hit
from chorus.programs.models import Program
from chorus.referrals.models import Conversion
from chorus.referrals.services.conversions import ConversionInput, record_conversion

logger = logging.getLogger("chorus.hub")

MAX_BODY_BYTES = 4096
BROWSER_EVENT_TYPES = (Conversion.Type.SIGNUP, Conversion.Type.PURCHASE)
# Browser order ids live apart from the server's, so a page can never claim (and so
# de-duplicate away) an order the merchant's server reports.
BROWSER_ORDER_PREFIX = "browser:"
_TEXT_FIELDS = {  # field → longest accepted value
    "email": 254, "customer_external_id": 100, "name": 200, "order_id": 90,
    "currency": 3, "click_id": 80, "referral_code": 64, "promo_code": 32,
}


# --- the script ----------------------------------------------------------------------

@lru_cache(maxsize=1)
def _snippet() -> tuple[bytes, str]:
    path = finders.find("js/chorus.js")
    if path:
        with open(path, "rb") as handle:
            body = handle.read()
    else:  # collected static files only
        from django.contrib.staticfiles.storage import staticfiles_storage

        with staticfiles_storage.open("js/chorus.js") as handle:
            body = handle.read()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _snippet_etag(request) -> str:
    if settings.DEBUG:
        _snippet.cache_clear()
    return _snippet()[1]


@require_safe
@condition(etag_func=_snippet_etag)
def snippet(request):
    body, _etag = _snippet()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600, stale-while-revalidate=86400"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


# --- the events ----------------------------------------------------------------------

def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, message: str, field_errors: dict | None = None) -> JsonResponse:
    body = {"error": code, "message": message}
    if field_errors:
        body["field_errors"] = field_errors
    return _cors(JsonResponse(body, status=status))


def _parse(body: bytes) -> ConversionInput:
    """The event as a ConversionInput, or InvalidInput naming every bad field."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError(_("The body must be a JSON object.")) from None
    if not isinstance(data, dict):
        raise ValueError(_("The body must be a JSON object."))
    errors: dict[str, list[str]] = {}
    if data.get("type") not in BROWSER_EVENT_TYPES:
        errors["type"] = [_("Use signup or purchase.")]
    values: dict = {}
    for field, longest in _TEXT_FIELDS.items():
        value = data.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[field] = [_("Must be a string.")]
        elif len(value) > longest:
            errors[field] = [_("At most %(count)d characters.") % {"count": longest}]
        elif "\x00" in value:
            errors[field] = [_("Contains a character that is not allowed.")]
        else:
            values[field] = value.strip()
    amount = data.get("amount", 0)
    if amount is None:
        amount = 0
    if isinstance(amount, bool) or not isinstance(amount, int):
        errors["amount"] = [_("An integer in minor units (cents).")]
    elif not 0 <= amount <= 10**12:
        errors["amount"] = [_("An integer in minor units (cents).")]
    if errors:
        raise InvalidInput(_("The event has invalid fields."), field_errors=errors)
    if values.get("order_id"):
        values["order_id"] = BROWSER_ORDER_PREFIX + values["order_id"]
    return ConversionInput(type=data["type"], amount=amount, trust=Conversion.Trust.BROWSER, **values)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def events(request, slug: str):
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))
    try:
        hit(f"track:{client_ip(request)}", settings.CHORUS_RATE_LIMIT_PER_MINUTE)
    except RateLimited as error:
        response = _error(429, error.code, error.message)
        response["Retry-After"] = str(error.retry_after)
        return response
    program = Program.objects.filter(slug=slug, is_active=True).first()
    if program is None:
        return _error(404, "not_found", _("No such program."))
    try:
        declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared_length = 0
    if declared_length > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _error(413, "too_large", _("The event is too large."))
    try:
        event = _parse(request.body)
    except InvalidInput as error:
        return _error(error.status_code, error.code, error.message, error.field_errors)
    except ValueError as error:
        return _error(400, "malformed", str(error))
    try:
        result = record_conversion(program, event)
    except ChorusError as error:
        return _error(error.status_code, error.code, error.message, error.field_errors)
    except DatabaseError:
        logger.exception("could not record a browser event for program %s", program.pk)
        return _error(503, "unavailable", _("Try again shortly."))
    return _cors(JsonResponse({"accepted": True, "duplicate": result.duplicate}, status=202))
