"""What an advocate sends for each ask type, checked: the cleaned `data` a completion keeps.

`fields` is a mapping of field name to value (a Django QueryDict from a form, or the
`data` object of an API call): lists where several values are allowed. Every problem is
reported at once as InvalidInput (422) with field errors; nothing is stored."""

from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput

from ..models import Ask
from ..models.asks import localized
from .asks import URL_TYPES, is_http_url

TEXT_LIMIT = 5000
NOTE_LIMIT = 1000


def default_disclosure() -> str:
    return _("I received points for this review, and I say so in the review.")


def disclosure_text(ask: Ask) -> str:
    return localized(ask.config.get("disclosure"), default_disclosure())


def _one(fields, key: str):
    if hasattr(fields, "getlist"):
        return fields.get(key)
    value = fields.get(key)
    return value[0] if isinstance(value, list) and value else value


def _many(fields, key: str) -> list:
    if hasattr(fields, "getlist"):
        return fields.getlist(key)
    value = fields.get(key)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(fields, key: str, errors: dict, *, required: bool, limit: int = TEXT_LIMIT) -> str:
    value = _one(fields, key)
    value = value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
    if required and not value:
        errors[key] = [_("This field is required.")]
    elif len(value) > limit:
        errors[key] = [_("At most %(limit)s characters.") % {"limit": limit}]
    return value


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("on", "true", "yes", "1"))


def _url(ask: Ask, fields, errors: dict, *, required: bool) -> str:
    url = _text(fields, "url", errors, required=required, limit=500)
    if url and not is_http_url(url):
        errors["url"] = [_("Give the full address of the post, starting with https://.")]
    domains = ask.config.get("allowed_domains") or []
    if url and "url" not in errors and domains:
        host = (urlsplit(url).hostname or "").lower()
        if not any(host == d.lower() or host.endswith("." + d.lower()) for d in domains):
            errors["url"] = [_("The link must be on %(domains)s.") % {"domains": ", ".join(domains)}]
    return url


def _scale(value, key: str, errors: dict, *, required: bool):
    if value in (None, ""):
        if required:
            errors[key] = [_("Choose a number from 0 to 10.")]
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if isinstance(value, bool) or not 0 <= number <= 10:
        errors[key] = [_("Choose a number from 0 to 10.")]
        return None
    return number


def _survey(ask: Ask, fields, errors: dict) -> dict:
    answers = {}
    for question in ask.config.get("questions", []):
        key, kind, required = question["key"], question["kind"], question.get("required", True)
        values = {choice["value"] for choice in question.get("choices", [])}
        if kind == "single":
            answer = _one(fields, key) or ""
            if answer and answer not in values:
                errors[key] = [_("Choose one of the answers.")]
            elif required and not answer:
                errors[key] = [_("Choose an answer.")]
        elif kind == "multiple":
            answer = [value for value in _many(fields, key) if value]
            if any(value not in values for value in answer):
                errors[key] = [_("Choose among the answers given.")]
            elif required and not answer:
                errors[key] = [_("Choose at least one answer.")]
            answer = sorted(set(answer), key=[c["value"] for c in question["choices"]].index) if key not in errors else []
        elif kind == "scale":
            answer = _scale(_one(fields, key), key, errors, required=required)
        else:
            answer = _text(fields, key, errors, required=required)
        if answer not in ("", None, []):
            answers[key] = answer
    return {"answers": answers}


def _quiz(ask: Ask, fields, errors: dict) -> dict:
    answer = _text(fields, "answer", errors, required=True, limit=200)
    if ask.config.get("choices") and answer and answer not in {c["value"] for c in ask.config["choices"]}:
        errors["answer"] = [_("Choose one of the answers.")]
    return {"answer": answer}


def quiz_answer_is_right(ask: Ask, answer: str) -> bool:
    accepted = {" ".join(a.split()).casefold() for a in ask.config.get("answers", [])}
    return " ".join(answer.split()).casefold() in accepted


def clean_submission(ask: Ask, fields, *, has_upload: bool = False) -> dict:
    """The `data` a completion of `ask` keeps, from what the advocate sent."""
    if ask.is_post:
        raise Conflict(_("This is a post: there is nothing to complete."), code="nothing_to_complete")
    if ask.type == Ask.Type.REFER_FRIEND:
        raise Conflict(_("This ask completes itself when a friend you referred becomes a customer."),
                       code="completes_by_referral")
    errors: dict[str, list[str]] = {}
    fields = fields or {}
    kind = ask.type
    if kind == Ask.Type.SURVEY:
        data = _survey(ask, fields, errors)
    elif kind == Ask.Type.QUIZ:
        data = _quiz(ask, fields, errors)
    elif kind in URL_TYPES:
        data = {"url": _url(ask, fields, errors, required=True)}
    elif kind == Ask.Type.REVIEW:
        data = {"url": _url(ask, fields, errors, required=not has_upload),
                "disclosure_acknowledged": _truthy(_one(fields, "disclosure_acknowledged")),
                "disclosure": disclosure_text(ask)}
        if not data["disclosure_acknowledged"]:
            errors["disclosure_acknowledged"] = [_("Confirm that your review says it was incentivised.")]
        if "url" in errors and not _one(fields, "url") and not has_upload:
            errors["url"] = [_("Give the link to your review or upload a screenshot.")]
    elif kind == Ask.Type.UGC:
        data = {"text": _text(fields, "text", errors, required=False)}
        if not data["text"] and not has_upload and "text" not in errors:
            errors["text"] = [_("Write something or upload an image.")]
    elif kind == Ask.Type.BETA:
        data = {"motivation": _text(fields, "motivation", errors, required=True, limit=NOTE_LIMIT),
                "platform": _text(fields, "platform", errors, required=False, limit=200)}
    elif kind == Ask.Type.EVENT_RSVP:
        attending = _one(fields, "attending")
        if attending not in ("yes", "no", True, False):
            errors["attending"] = [_("Say whether you will attend.")]
        data = {"attending": attending in ("yes", True), "note": _text(fields, "note", errors, required=False,
                                                                       limit=NOTE_LIMIT)}
        if ask.config.get("event_id"):
            data["event_id"] = ask.config["event_id"]
    elif kind == Ask.Type.FEEDBACK:
        data = {"score": _scale(_one(fields, "score"), "score", errors, required=False),
                "text": _text(fields, "text", errors, required=True)}
    else:  # pragma: no cover - every type is handled above
        raise InvalidInput(_("This ask cannot be completed."))
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    return data


def takes_upload(ask: Ask) -> bool:
    return ask.type in (Ask.Type.REVIEW, Ask.Type.UGC)
