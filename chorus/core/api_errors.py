"""How the API answers when something is wrong: always JSON, never a 500 for bad input.

Every error body has the same shape::

    {"error": "invalid", "message": "…", "field_errors": {"amount": ["…"]}}

Domain errors (`ChorusError`) keep their own status; ninja's request validation becomes
a 422 with field errors keyed by field name; a body that is not a JSON object is a 400.
"""

import json
import logging
from functools import wraps

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from .errors import (  # noqa: F401  (re-exported: the API-facing errors live with the others)
    ChorusError,
    Forbidden,
    InvalidInput,
    MalformedBody,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
)

logger = logging.getLogger("chorus.api")


class ErrorOut(Schema):
    """The body of every error response."""

    error: str
    message: str
    field_errors: dict[str, list[str]]

    model_config = {"json_schema_extra": {"examples": [{
        "error": "invalid", "message": "The request has invalid fields.",
        "field_errors": {"amount": ["Amounts are whole numbers in minor units (1250 for 12.50)."]},
    }]}}


def error_body(error: ChorusError) -> dict:
    return {"error": error.code, "message": str(error.message), "field_errors": error.field_errors or {}}


def error_response(error: ChorusError) -> JsonResponse:
    response = JsonResponse(error_body(error), status=error.status_code)
    if isinstance(error, RateLimited | Unavailable):
        response["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        response["WWW-Authenticate"] = 'Bearer realm="chorus"'
    return response


# --- request bodies ---------------------------------------------------------------------

def _refuse_constant(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON, whatever Python's parser allows


def _json_hint() -> str:
    return _("Send a JSON object with Content-Type: application/json.")


BIGGEST_INTEGER = 2**63 - 1


def _numbers_out_of_range(value, path: str = "") -> list[str]:
    """Where `value` holds an integer no database column can store (answered before any query).
    Lists are left to the endpoint: a batch answers for each of its items on its own."""
    if isinstance(value, dict):
        return [name for key, item in value.items() for name in _numbers_out_of_range(item, f"{path}.{key}".lstrip("."))]
    out_of_range = isinstance(value, int) and not isinstance(value, bool) and not -BIGGEST_INTEGER - 1 <= value <= BIGGEST_INTEGER
    return [path or "body"] if out_of_range else []


class JsonObjectParser(Parser):
    """Bodies are JSON objects; anything else is refused with a message saying why."""

    def parse_body(self, request) -> dict:
        hint = _json_hint()
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            raise MalformedBody(
                _("The request body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": error.lineno, "column": error.colno} + " " + hint
            ) from None
        except (ValueError, RecursionError):
            raise MalformedBody(_("The request body is not valid JSON.") + " " + hint) from None
        if not isinstance(data, dict):
            raise MalformedBody(_("The request body must be a JSON object.") + " " + hint)
        too_large = _numbers_out_of_range(data)
        if too_large:
            message = _("Numbers must lie between -9223372036854775808 and 9223372036854775807.")
            raise InvalidInput(_("A number in the request is too large."),
                               field_errors={name: [message] for name in too_large})
        return data


# --- validation errors -------------------------------------------------------------------

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_name(location: tuple | list) -> str:
    """`("body", "payload", "metadata", "plan")` → `"metadata.plan"`."""
    parts = list(location)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(str(part) for part in parts) or "body"


def describe(error: dict) -> str:
    """A translated message for one pydantic error (ours carry their message already)."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    most, least = context.get("max_length", 0), context.get("min_length", 0)
    messages = {
        "missing": lambda: _("This field is required."),
        "extra_forbidden": lambda: _("Unknown field."),
        "string_type": lambda: _("Enter text."),
        "string_too_long": lambda: ngettext(
            "Use at most %(count)d character.", "Use at most %(count)d characters.", most) % {"count": most},
        "string_too_short": lambda: ngettext(
            "Use at least %(count)d character.", "Use at least %(count)d characters.", least) % {"count": least},
        "string_pattern_mismatch": lambda: _("This value has an invalid format."),
        "int_type": lambda: _("Enter a whole number."),
        "int_parsing": lambda: _("Enter a whole number."),
        "int_from_float": lambda: _("Enter a whole number."),
        "greater_than_equal": lambda: _("Use a number of at least %(limit)s.") % {"limit": context.get("ge")},
        "less_than_equal": lambda: _("Use a number of at most %(limit)s.") % {"limit": context.get("le")},
        "literal_error": lambda: _("Use one of: %(choices)s.") % {"choices": context.get("expected", "")},
        "dict_type": lambda: _("Enter a JSON object."),
        "model_type": lambda: _("Enter a JSON object."),
        "model_attributes_type": lambda: _("Enter a JSON object."),
        "list_type": lambda: _("Enter a JSON array."),
        "too_long": lambda: ngettext(
            "Send at most %(count)d item.", "Send at most %(count)d items.", most) % {"count": most},
        "too_short": lambda: ngettext(
            "Send at least %(count)d item.", "Send at least %(count)d items.", least) % {"count": least},
        "bool_type": lambda: _("Enter true or false."),
        "bool_parsing": lambda: _("Enter true or false."),
    }
    message = messages.get(kind)
    return message() if message else str(error.get("msg", _("This value is not valid.")))


def field_errors_from(errors: list[dict]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        messages = result.setdefault(field_name(error.get("loc", ())), [])
        message = describe(error)
        if message not in messages:
            messages.append(message)
    return result


def invalid_input(errors: list[dict]) -> InvalidInput:
    return InvalidInput(_("The request has invalid fields."), field_errors=field_errors_from(errors))


# --- handlers ----------------------------------------------------------------------------

def _on_chorus_error(request, exc: ChorusError):
    return error_response(exc)


def _on_validation_error(request, exc: ValidationError):
    if request.method == "POST" and not request.body:
        return error_response(MalformedBody(_("The request body is empty.") + " " + _json_hint()))
    return error_response(invalid_input(exc.errors))


def _on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ChorusError):  # our parser's message, wrapped by ninja
        return error_response(exc.__cause__)
    if isinstance(exc, AuthenticationError):
        return error_response(Unauthorized(_("Send your API key as Authorization: Bearer chorus_…")))
    if exc.status_code == 400:
        return error_response(MalformedBody(_("The request could not be read.")))
    if exc.status_code == 429:
        return error_response(RateLimited(_("Too many requests; slow down."), retry_after=60))
    return error_response(_with_status(ChorusError(str(exc), code="http_error"), exc.status_code))


def _with_status(error: ChorusError, status_code: int) -> ChorusError:
    error.status_code = status_code
    return error


def _on_not_found(request, exc: Http404):
    return error_response(NotFound(_("Not found.")))


def _on_too_large(request, exc: RequestDataTooBig):
    return error_response(PayloadTooLarge(_("The request body is too large.")))


def _on_suspicious(request, exc: SuspiciousOperation):
    return error_response(MalformedBody(_("The request could not be read.")))


def _on_database_busy(request, exc: OperationalError):
    logger.warning("database unavailable for %s %s: %s", request.method, request.path, exc)
    return error_response(Unavailable(_("The service is busy; retry in a moment.")))


def _on_out_of_range(request, exc: Exception):
    """A number past what the database stores (e.g. an id of 2**70): the input is wrong, not us."""
    logger.warning("value out of range for %s %s: %s", request.method, request.path, exc)
    return error_response(InvalidInput(_("A number in the request is too large.")))


def _on_unexpected(request, exc: Exception):
    logger.exception("unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return error_response(ServerError(_("Something went wrong on our side; it has been logged.")))


def install_error_handlers(api) -> None:
    api.add_exception_handler(Exception, _on_unexpected)
    api.add_exception_handler(ChorusError, _on_chorus_error)
    api.add_exception_handler(ValidationError, _on_validation_error)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(RequestDataTooBig, _on_too_large)
    api.add_exception_handler(SuspiciousOperation, _on_suspicious)
    api.add_exception_handler(OperationalError, _on_database_busy)
    api.add_exception_handler(OverflowError, _on_out_of_range)
    api.add_exception_handler(DataError, _on_out_of_range)


def not_found_view(request, *args, **kwargs):
    """Any path under the API that names no endpoint."""
    return error_response(NotFound(_("There is no API endpoint at this address.")))


def method_not_allowed(view):
    """Ninja answers a wrong method with a plain-text 405; make it JSON like every error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            error = ChorusError(_("Use one of these methods: %(methods)s.") % {"methods": allowed},
                                code="method_not_allowed")
            json_response = error_response(_with_status(error, 405))
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapper
