"""Field types for API input schemas that refuse what the database cannot store.

PostgreSQL refuses NUL characters and lone surrogates in text and JSON, bigint has a
range, and times need a zone; these types turn such input into a 422 with a field error
instead of a database error.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

MAX_AMOUNT = 10**12  # minor units: ten billion dollars in one event is a typo
MAX_METADATA_DEPTH = 16


def invalid(message: str) -> PydanticCustomError:
    """An error whose message is already translated (described as is by api_errors)."""
    return PydanticCustomError("chorus", message)


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise invalid(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(_("Text must be valid Unicode.")) from None
    return value


def _text_or_empty(value: Any) -> Any:
    if value is None:
        return ""
    return _storable_text(value) if isinstance(value, str) else value


def Text(max_length: int):  # noqa: N802 - a type factory reads like a type
    """A string of at most `max_length` characters; null means empty."""
    return Annotated[str, StringConstraints(max_length=max_length), BeforeValidator(_text_or_empty)]


def _whole_number(value: Any) -> Any:
    if type(value) is not int:  # bool is an int subclass, and 12.0 is not an amount either
        raise invalid(_("Amounts are whole numbers in minor units, e.g. 1250 for 12.50 (not decimals or strings)."))
    return value


MinorUnits = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=MAX_AMOUNT)]


def _iso_datetime(value: Any) -> Any:
    if value is None:
        return None
    usage = _("Use an ISO 8601 date and time with a time zone, e.g. 2026-01-31T12:00:00Z.")
    if not isinstance(value, str):
        raise invalid(usage)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(usage) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise invalid(_("Give a time zone, e.g. 2026-01-31T12:00:00Z or +02:00."))
    if not 2000 <= parsed.year <= 2999:
        raise invalid(_("Use a date between the years 2000 and 2999."))
    return parsed.astimezone(UTC)


IsoDateTime = Annotated[datetime | None, BeforeValidator(_iso_datetime)]


def _storable_json(value: dict | None) -> dict:
    """Walks the object without recursion: depth-limited, storable keys and strings."""
    if value is None:
        return {}
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_METADATA_DEPTH:
            raise invalid(_("Metadata may nest at most %(depth)d levels deep.") % {"depth": MAX_METADATA_DEPTH})
        if isinstance(item, dict):
            for key, child in item.items():
                _storable_text(key)
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _storable_text(item)
    return value


Metadata = Annotated[dict[str, Any] | None, AfterValidator(_storable_json)]
