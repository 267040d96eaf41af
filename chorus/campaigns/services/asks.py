"""Asks: saving them (validated, body sanitised), who may see them, and what is open to whom.

An ask is open to an advocate when it is published, inside its time window, the
advocate is in its audience and — for an ask opened by a named event (milestone
trigger) — that event has arrived for them and its window has not closed."""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chorus.advocates.models import Advocate
from chorus.core.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from chorus.core.models import audit
from chorus.rewards.levels import standing
from chorus.rewards.models import Level

from ..models import Ask, AskOpening, Completion
from .text import sanitize_html, sanitize_texts

LANGUAGES = ("en", "ar", "de", "ja", "pl")
SEGMENT_ATTRIBUTES = ("language", "email_domain", "account")
QUESTION_KINDS = ("single", "multiple", "text", "scale")
EVENT_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
URL_TYPES = {Ask.Type.SOCIAL_FOLLOW, Ask.Type.SOCIAL_MENTION, Ask.Type.SOCIAL_SHARE, Ask.Type.BLOG_COMMENT,
             Ask.Type.FORUM_ANSWER}
FIELDS = ("type", "status", "title", "titles", "body", "bodies", "points", "starts_at", "ends_at", "audience",
          "segment_min_level", "segment_attributes", "named_advocates", "max_completions", "max_per_advocate",
          "moderation", "trigger_event", "trigger_properties", "trigger_window_days", "config")


# --- validating and saving ---------------------------------------------------------------------

def is_http_url(value) -> bool:
    if not isinstance(value, str) or len(value) > 500:
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_text(value) -> bool:
    """A non-empty string, or {language: non-empty string} with at least one language."""
    if isinstance(value, str):
        return bool(value.strip())
    return (isinstance(value, dict) and bool(value)
            and all(language in LANGUAGES and isinstance(text, str) and text.strip() for language, text in value.items()))


def _choices(raw, errors: list) -> list[dict]:
    """Choices as [{"value", "label"}]; plain strings become both."""
    if not isinstance(raw, list) or len(raw) < 2:
        errors.append(_("Give at least two choices."))
        return []
    choices = []
    for item in raw:
        if isinstance(item, str) and item.strip():
            choices.append({"value": item.strip()[:100], "label": item.strip()})
        elif isinstance(item, dict) and isinstance(item.get("value"), str) and item["value"].strip() \
                and _is_text(item.get("label", item["value"])):
            choices.append({"value": item["value"].strip()[:100], "label": item.get("label", item["value"])})
        else:
            errors.append(_("Each choice needs a value and a label."))
            return []
    if len({choice["value"] for choice in choices}) != len(choices):
        errors.append(_("Choices must differ from each other."))
    return choices


def _survey_config(config: dict, errors: list) -> dict:
    questions = config.get("questions")
    if not isinstance(questions, list) or not questions:
        errors.append(_("A survey needs at least one question."))
        return config
    cleaned, keys = [], set()
    for number, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            errors.append(_("Question %(number)s is not an object.") % {"number": number})
            continue
        key = question.get("key") or f"q{number}"
        kind = question.get("kind", "text")
        if not isinstance(key, str) or not KEY.match(key) or key in keys:
            errors.append(_("Question %(number)s needs a unique key of lowercase letters, digits and _.")
                          % {"number": number})
        if kind not in QUESTION_KINDS:
            errors.append(_("Question %(number)s: kind must be single, multiple, text or scale.") % {"number": number})
        if not _is_text(question.get("label")):
            errors.append(_("Question %(number)s needs a label.") % {"number": number})
        item = {"key": key, "kind": kind, "label": question.get("label"), "required": question.get("required", True) is not False}
        if kind in ("single", "multiple"):
            item["choices"] = _choices(question.get("choices"), errors)
        if question.get("nps") is True and kind == "scale":  # the answer is also an NPS response
            item["nps"] = True
        if question.get("nps_comment") is True and kind == "text":  # …and this is its "why?"
            item["nps_comment"] = True
        if isinstance(key, str):
            keys.add(key)
        cleaned.append(item)
    if sum(1 for item in cleaned if item.get("nps")) > 1:
        errors.append(_("Only one question can be the NPS question."))
    return {**config, "questions": cleaned}


def _quiz_config(config: dict, errors: list) -> dict:
    if not _is_text(config.get("question")):
        errors.append(_("A quiz needs a question."))
    cleaned = dict(config)
    if config.get("choices") is not None:
        cleaned["choices"] = _choices(config.get("choices"), errors)
    answers = config.get("answers")
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
        errors.append(_("A quiz needs the accepted answers (a list of texts)."))
    elif cleaned.get("choices") and not set(answers) <= {choice["value"] for choice in cleaned["choices"]}:
        errors.append(_("Each accepted answer must be one of the choices' values."))
    return cleaned


def clean_config(ask_type: str, config) -> dict:
    """Check the type settings; raises InvalidInput with the problems under `config`."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise InvalidInput(_("The ask has invalid fields."), field_errors={"config": [_("Must be a JSON object.")]})
    errors: list[str] = []
    if ask_type == Ask.Type.SURVEY:
        config = _survey_config(config, errors)
    elif ask_type == Ask.Type.QUIZ:
        config = _quiz_config(config, errors)
    elif ask_type == Ask.Type.VIDEO:
        if not is_http_url(config.get("embed_url")) or not config["embed_url"].startswith("https://"):
            errors.append(_("A video needs an https embed_url."))
    elif ask_type == Ask.Type.REVIEW:
        if config.get("site_url") and not is_http_url(config["site_url"]):
            errors.append(_("site_url must be an http(s) URL."))
        if "disclosure" in config and not _is_text(config["disclosure"]):
            errors.append(_("The disclosure text cannot be empty."))
    elif ask_type == Ask.Type.EVENT_RSVP:
        if config.get("event_id") is not None and (not isinstance(config["event_id"], int) or config["event_id"] < 1):
            errors.append(_("event_id must be a positive whole number."))
    elif ask_type == Ask.Type.REFER_FRIEND:
        if config.get("conversion", "any") not in ("any", "signup", "purchase"):
            errors.append(_("conversion must be any, signup or purchase."))
    if ask_type in URL_TYPES or ask_type in (Ask.Type.REVIEW, Ask.Type.PRODUCT_INFO):
        if config.get("target_url") and not is_http_url(config["target_url"]):
            errors.append(_("target_url must be an http(s) URL."))
        domains = config.get("allowed_domains")
        if domains is not None and not (isinstance(domains, list) and all(isinstance(d, str) and d for d in domains)):
            errors.append(_("allowed_domains must be a list of domain names."))
    if errors:
        raise InvalidInput(_("The ask has invalid fields."), field_errors={"config": errors})
    return config


def _clean_audience(program, values: dict, errors: dict) -> None:
    attributes = values.get("segment_attributes") or {}
    if not isinstance(attributes, dict) or not all(
            key in SEGMENT_ATTRIBUTES and isinstance(wanted, list) and all(isinstance(v, str) and v for v in wanted)
            for key, wanted in attributes.items()):
        errors["segment_attributes"] = [_("Use language, email_domain or account, each with a list of values.")]
        attributes = {}
    values["segment_attributes"] = {key: [v.strip().lower() for v in wanted] for key, wanted in attributes.items() if wanted}
    level = values.get("segment_min_level")
    if level is not None and not isinstance(level, Level):
        level = Level.objects.filter(program=program, pk=level).first() if str(level).isdigit() else None
        if level is None:
            errors["segment_min_level"] = [_("No such level in this program.")]
    if isinstance(level, Level) and level.program_id != program.pk:
        errors["segment_min_level"] = [_("No such level in this program.")]
    values["segment_min_level"] = level if isinstance(level, Level) else None
    named = [a.pk if isinstance(a, Advocate) else a for a in values.get("named_advocates") or []]
    found = list(Advocate.objects.filter(program=program, pk__in=[a for a in named if isinstance(a, int)]))
    if len(found) != len(set(named)):
        errors["named_advocates"] = [_("Some advocates are not in this program.")]
    values["named_advocates"] = found
    if values.get("audience") == Ask.Audience.SEGMENT and not (values["segment_min_level"] or values["segment_attributes"]):
        errors.setdefault("audience", []).append(_("A segment needs a level or attributes to match."))
    if values.get("audience") == Ask.Audience.NAMED and not found:
        errors.setdefault("audience", []).append(_("Name at least one advocate."))


def _clean(program, values: dict, ask: Ask | None) -> dict:
    values = {key: values[key] for key in FIELDS if key in values}
    current = {key: getattr(ask, key) for key in FIELDS if ask is not None and key != "named_advocates"}
    if ask is not None and "named_advocates" not in values:
        current["named_advocates"] = list(ask.named_advocates.all())
    values = {**current, **values}
    errors: dict[str, list[str]] = {}
    if values.get("type") not in Ask.Type.values:
        errors["type"] = [_("Choose one of the ask types.")]
    elif ask is not None and values["type"] != ask.type and ask.completions.exists():
        errors["type"] = [_("The type cannot change once advocates have completed the ask.")]
    values.setdefault("status", Ask.Status.PUBLISHED)
    if values["status"] not in Ask.Status.values:
        errors["status"] = [_("Choose draft, published or archived.")]
    title = (values.get("title") or "").strip()
    if not title or len(title) > 200:
        errors["title"] = [_("Give a title of at most 200 characters.")]
    values["title"] = title
    titles = values.get("titles") or {}
    if not isinstance(titles, dict) or not all(k in LANGUAGES and isinstance(v, str) and len(v) <= 200
                                               for k, v in titles.items()):
        errors["titles"] = [_("Titles per language: en, ar, de, ja or pl, at most 200 characters each.")]
        titles = {}
    values["titles"] = {k: v.strip() for k, v in titles.items() if v.strip()}
    bodies = values.get("bodies") or {}
    if not isinstance(bodies, dict) or not all(k in LANGUAGES and isinstance(v, str) for k, v in bodies.items()):
        errors["bodies"] = [_("Bodies per language: en, ar, de, ja or pl.")]
        bodies = {}
    values["body"] = sanitize_html(values.get("body") or "")
    values["bodies"] = {k: v for k, v in sanitize_texts(bodies).items() if v}
    for key in ("points", "max_completions", "max_per_advocate", "trigger_window_days"):
        number = values.get(key)
        minimum = 0 if key == "points" else 1
        if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < minimum
                                   or number > 1_000_000):
            errors[key] = [_("Give a whole number from %(minimum)s to 1000000.") % {"minimum": minimum}]
    values.setdefault("points", 0)
    values["points"] = values["points"] or 0
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    if values.get("audience", Ask.Audience.ALL) not in Ask.Audience.values:
        errors["audience"] = [_("Choose all, segment or named.")]
    values.setdefault("moderation", Ask.Moderation.REVIEW)
    if values["moderation"] not in Ask.Moderation.values:
        errors["moderation"] = [_("Choose auto or review.")]
    if values.get("type") == Ask.Type.QUIZ:
        values["moderation"] = Ask.Moderation.AUTO  # answers are checked automatically
    event = (values.get("trigger_event") or "").strip()
    if event and not EVENT_NAME.match(event):
        errors["trigger_event"] = [_("Use letters, digits and . _ : - (at most 100), e.g. milestone.reached.")]
    values["trigger_event"] = event
    if not isinstance(values.get("trigger_properties") or {}, dict):
        errors["trigger_properties"] = [_("Must be a JSON object.")]
    values["trigger_properties"] = values.get("trigger_properties") or {}
    _clean_audience(program, values, errors)
    if "type" not in errors:
        try:
            values["config"] = clean_config(values["type"], values.get("config"))
        except InvalidInput as problem:
            errors.update(problem.field_errors)
    if errors:
        raise InvalidInput(_("The ask has invalid fields."), field_errors=errors)
    return values


@transaction.atomic
def save_ask(program, values: dict, *, ask: Ask | None = None, user=None) -> Ask:
    """Create an ask (ask=None) or update the given one with `values` (only the keys given)."""
    values = _clean(program, values, ask)
    named = values.pop("named_advocates")
    creating = ask is None
    if creating:
        ask = Ask(program=program, created_by=user if getattr(user, "is_authenticated", False) else None)
    for key, value in values.items():
        setattr(ask, key, value)
    ask.save()
    ask.named_advocates.set(named)
    if user is not None:
        audit(action="ask.created" if creating else "ask.updated", target=ask, actor=user,
              workspace=program.workspace, title=ask.title, type=ask.type)
    return ask


@transaction.atomic
def delete_ask(ask: Ask, *, user=None) -> bool:
    """Delete an ask nobody has completed; one with completions is archived instead (history stays).
    Returns True if deleted, False if archived."""
    if ask.completions.exists():
        Ask.objects.filter(pk=ask.pk).update(status=Ask.Status.ARCHIVED, updated_at=timezone.now())
        ask.status = Ask.Status.ARCHIVED
        deleted = False
    else:
        audit(action="ask.deleted", target=ask, actor=user, workspace=ask.program.workspace, title=ask.title)
        ask.delete()
        deleted = True
    return deleted


# --- who may see and complete ------------------------------------------------------------------

def in_audience(ask: Ask, advocate, *, earned: int | None = None) -> bool:
    if ask.audience == Ask.Audience.ALL:
        return True
    if ask.audience == Ask.Audience.NAMED:
        return any(named.pk == advocate.pk for named in ask.named_advocates.all())
    level = ask.segment_min_level
    if level is not None:
        earned = standing(advocate).earned if earned is None else earned
        if earned < level.min_points_earned:
            return False
    return all(_attribute(advocate, key) in wanted for key, wanted in (ask.segment_attributes or {}).items())


def _attribute(advocate, key: str) -> str:
    if key == "language":
        return (advocate.language or "").lower()
    if key == "email_domain":
        return advocate.email.rsplit("@", 1)[-1].lower()
    if key == "account":
        return (advocate.account.name if advocate.account_id else "").lower()
    return ""


def opening_for(ask: Ask, advocate) -> AskOpening | None:
    return AskOpening.objects.filter(ask=ask, advocate=advocate).first()


def effective_end(ask: Ask, opening: AskOpening | None) -> datetime | None:
    ends = [moment for moment in (ask.ends_at, opening.closes_at if opening else None) if moment]
    return min(ends) if ends else None


def check_visible(ask: Ask, advocate, *, opening: AskOpening | None = None, earned: int | None = None) -> None:
    """The advocate may see this ask at all (published, in audience, opened if triggered); else 404/403."""
    if ask.program_id != advocate.program_id or ask.status != Ask.Status.PUBLISHED:
        raise NotFound(_("No such ask."), code="ask_not_found")
    if not in_audience(ask, advocate, earned=earned):
        raise Forbidden(_("This ask is not open to you."), code="not_in_audience")
    if ask.trigger_event and opening is None:
        raise Forbidden(_("This ask is not open to you yet."), code="not_in_audience")


def check_open(ask: Ask, advocate, now: datetime, *, opening: AskOpening | None = None) -> None:
    """Inside the ask's time window (and the advocate's opening window)? Else 409/410."""
    if ask.starts_at and now < ask.starts_at:
        raise Conflict(_("This ask opens on %(date)s.") % {"date": date_format(timezone.localtime(ask.starts_at),
                                                                               "DATETIME_FORMAT")},
                       code="ask_not_open")
    end = effective_end(ask, opening)
    if end and now >= end:
        raise Gone(_("This ask has ended."), code="ask_ended")


def counted_completions(ask: Ask):
    """Completions that use up a place: pending and approved ones (every attempt, for a quiz)."""
    completions = Completion.objects.filter(ask=ask)
    if ask.type == Ask.Type.QUIZ:
        return completions
    return completions.exclude(status=Completion.Status.REJECTED)


def check_limits(ask: Ask, advocate) -> None:
    """Room left for this advocate and overall? Else 409. Run with the ask row locked."""
    if ask.max_per_advocate is not None:
        done = counted_completions(ask).filter(advocate=advocate).count()
        if done >= ask.max_per_advocate:
            if ask.max_per_advocate == 1:
                raise Conflict(_("You have already completed this ask."), code="already_completed")
            raise Conflict(_("You have completed this ask the most times allowed (%(limit)s).")
                           % {"limit": ask.max_per_advocate}, code="per_advocate_limit")
    if ask.max_completions is not None and counted_completions(ask).count() >= ask.max_completions:
        raise Conflict(_("This ask is full: it has reached its limit of completions."), code="ask_full")


# --- the hub's list ----------------------------------------------------------------------------

@dataclass
class AskCard:
    """One ask as an advocate sees it in the list."""

    ask: Ask
    ends_at: datetime | None
    my_completions: int
    last_status: str
    is_open: bool
    is_done: bool

    @property
    def can_act(self) -> bool:
        return self.is_open and not self.is_done and not self.ask.is_post and self.ask.type != Ask.Type.REFER_FRIEND


def asks_for_advocate(advocate, now: datetime | None = None) -> list[AskCard]:
    """The asks and posts open to the advocate now: what they can still do first, then by
    urgency (soonest end first, open-ended last), then by points (most first)."""
    now = now or timezone.now()
    asks = (Ask.objects.filter(program_id=advocate.program_id, status=Ask.Status.PUBLISHED)
            .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now), Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .select_related("segment_min_level").prefetch_related("named_advocates")
            .annotate(full=Count("completions", filter=~Q(completions__status=Completion.Status.REJECTED))))
    openings = {o.ask_id: o for o in AskOpening.objects.filter(advocate=advocate, ask__program_id=advocate.program_id)}
    mine: dict[int, list[str]] = {}
    for ask_id, status in (Completion.objects.filter(advocate=advocate).order_by("created_at", "pk")
                           .values_list("ask_id", "status")):
        mine.setdefault(ask_id, []).append(status)
    earned = standing(advocate).earned if any(a.segment_min_level_id for a in asks) else 0
    cards = []
    for ask in asks:
        opening = openings.get(ask.pk)
        if ask.trigger_event and opening is None or not in_audience(ask, advocate, earned=earned):
            continue
        end = effective_end(ask, opening)
        if end and end <= now:
            continue
        statuses = mine.get(ask.pk, [])
        counted = len(statuses) if ask.type == Ask.Type.QUIZ else sum(s != Completion.Status.REJECTED for s in statuses)
        done = ask.max_per_advocate is not None and counted >= ask.max_per_advocate
        full = ask.max_completions is not None and ask.full >= ask.max_completions
        cards.append(AskCard(ask=ask, ends_at=end, my_completions=counted, last_status=statuses[-1] if statuses else "",
                             is_open=not full, is_done=done))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    cards.sort(key=lambda c: (not c.can_act, c.ends_at or far, -c.ask.points, -c.ask.pk))
    return cards


def get_ask_for_advocate(advocate, ask_id: int) -> tuple[Ask, AskOpening | None]:
    """An ask the advocate may look at (ended ones too, so the page can say so); 404/403 otherwise."""
    ask = (Ask.objects.select_related("program", "segment_min_level").prefetch_related("named_advocates")
           .filter(program_id=advocate.program_id, pk=ask_id).first())
    if ask is None:
        raise NotFound(_("No such ask."), code="ask_not_found")
    opening = opening_for(ask, advocate) if ask.trigger_event else None
    check_visible(ask, advocate, opening=opening)
    return ask, opening


def preview_ask(program, values: dict, *, ask: Ask | None = None) -> Ask:
    """The ask as it would be saved (checked and sanitised), unsaved: for the builder's preview."""
    values = _clean(program, values, ask)
    values.pop("named_advocates")
    preview = Ask(program=program, pk=ask.pk if ask else None)
    for key, value in values.items():
        setattr(preview, key, value)
    return preview
