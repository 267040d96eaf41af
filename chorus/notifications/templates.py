"""Email templates: marketer-written text with placeholders, validated on save and rendered
per recipient with Django's template engine, sandboxed.

Marketers write plain text with a little markup (blank line = new paragraph, `- ` = list
item, `# ` = heading line, `**bold**`, `*italic*`) and placeholders such as `{{ name }}`.
Nothing else reaches the engine: template tags (`{% %}`), comments, filters, dotted
lookups and unknown placeholder names are refused with a message saying what to write
instead, so a template can neither run code nor read anything but the values Chorus puts
in its context. The HTML part is built from the escaped text, and placeholder values are
autoescaped, so neither the marketer nor a recipient's name can inject markup.
"""

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.errors import InvalidInput

from .models import Category, EmailTemplate

# Placeholder name → what it holds (shown in the editor).
PLACEHOLDERS = {
    "name": gettext_lazy("the recipient's name"),
    "first_name": gettext_lazy("the recipient's first name"),
    "program": gettext_lazy("the program's name"),
    "link": gettext_lazy("the call-to-action link"),
    "points": gettext_lazy("points (earned or balance)"),
    "ask": gettext_lazy("the ask's title"),
    "deadline": gettext_lazy("when the ask ends"),
    "level": gettext_lazy("the advocate's level"),
    "reward": gettext_lazy("the reward's description"),
    "event": gettext_lazy("the milestone's or event's name"),
    "score": gettext_lazy("the NPS score given"),
    "inviter": gettext_lazy("who invites the recipient"),
    "company": gettext_lazy("the recipient's company"),
}
FIELDS = ("subject", "preheader", "body", "cta")
FIELD_STORAGE = {"subject": "subjects", "preheader": "preheaders", "body": "bodies", "cta": "cta_labels"}
MAX_LENGTHS = {"subject": 200, "preheader": 200, "body": 10000, "cta": 60}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_ANY_VARIABLE = re.compile(r"\{\{(.*?)\}\}", re.S)
_ENGINE = Engine(debug=False, string_if_invalid="", autoescape=True)


def languages() -> list[str]:
    return [code for code, _label in settings.LANGUAGES]


# --- validation ---------------------------------------------------------------------------

def text_errors(text: str, *, max_length: int) -> list[str]:
    """What is wrong with one field's text, as messages for the marketer (empty when fine)."""
    errors: list[str] = []
    if len(text) > max_length:
        errors.append(_("At most %(count)d characters.") % {"count": max_length})
    if "{%" in text or "%}" in text or "{#" in text or "#}" in text:
        errors.append(_("Template tags are not allowed; write placeholders like {{ name }}."))
    for match in _ANY_VARIABLE.finditer(text):
        name = _PLACEHOLDER.fullmatch(match.group(0))
        if name is None:
            errors.append(_("“%(text)s” is not a placeholder: write a plain name such as {{ name }}, "
                            "without filters or dots.") % {"text": match.group(0)})
        elif name.group(1) not in PLACEHOLDERS:
            errors.append(_("Unknown placeholder {{ %(name)s }}. Use one of: %(known)s.")
                          % {"name": name.group(1), "known": ", ".join(sorted(PLACEHOLDERS))})
    stripped = _ANY_VARIABLE.sub("", text)
    if "{{" in stripped or "}}" in stripped:
        errors.append(_("A placeholder is not closed: write {{ name }}."))
    return errors


def validate_texts(texts_by_language: dict) -> dict[str, list[str]]:
    """Field errors keyed "<field>_<language>" (e.g. "subject_de"); empty when all is fine.

    English needs a subject, a body and a button label; other languages may stay empty
    (English is sent instead) but, when started, need a subject and a body too."""
    errors: dict[str, list[str]] = {}
    for language, texts in texts_by_language.items():
        if language not in languages():
            errors[f"language_{language}"] = [_("Unknown language.")]
            continue
        started = any((texts.get(name) or "").strip() for name in FIELDS)
        for name in FIELDS:
            text = texts.get(name) or ""
            problems = text_errors(text, max_length=MAX_LENGTHS[name])
            required = name in ("subject", "body", "cta") if language == "en" else name in ("subject", "body")
            if required and (language == "en" or started) and not text.strip():
                problems.insert(0, _("This field is required."))
            if problems:
                errors[f"{name}_{language}"] = problems
    return errors


# --- markup --------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_P = 'style="margin:0 0 16px;"'


def _inline(text: str) -> str:
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", text))


def body_to_html(body: str) -> str:
    """The marketer's text as HTML source for the engine (escaped, placeholders intact)."""
    blocks = re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip())
    parts = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        escaped = [html.escape(line, quote=False) for line in lines]
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in escaped)
            parts.append(f'<ul style="margin:0 0 16px;padding-inline-start:20px;">{items}</ul>')
        elif len(lines) == 1 and lines[0].startswith("# "):
            parts.append(f'<h1 style="font-size:22px;margin:8px 0 16px;">{_inline(escaped[0][2:])}</h1>')
        else:
            parts.append(f"<p {_P}>" + "<br>".join(_inline(line) for line in escaped) + "</p>")
    return "\n".join(parts)


def body_to_text(body: str) -> str:
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", body.replace("\r\n", "\n").strip()))
    return re.sub(r"(?m)^# ", "", text)


@lru_cache(maxsize=2048)
def _compiled(source: str):
    return _ENGINE.from_string(source)


def render_text(source: str, values: dict, *, autoescape: bool) -> str:
    if "{{" not in source:
        return source
    return _compiled(source).render(Context(values, autoescape=autoescape))


# --- rendering -----------------------------------------------------------------------------

@dataclass
class Rendered:
    subject: str
    preheader: str
    text: str
    html: str  # the body's HTML, to be put into the layout
    cta_label: str
    language: str
    links: list[str] = field(default_factory=list)


def texts_for(template: EmailTemplate, language: str) -> tuple[str, dict]:
    """The language actually used (falls back to English) and its texts."""
    if not (template.subjects.get(language) or "").strip():
        language = "en" if (template.subjects.get("en") or "").strip() else next(iter(template.languages()), "en")
    return language, {name: (getattr(template, FIELD_STORAGE[name]).get(language) or "") for name in FIELDS}


def render_texts(texts: dict, values: dict) -> tuple[str, str, str, str, str]:
    """subject, preheader, plain body, HTML body, button label, with the values filled in."""
    plain = {key: str(value) for key, value in values.items() if key in PLACEHOLDERS}
    subject = " ".join(render_text(texts["subject"], plain, autoescape=False).split())
    preheader = render_text(texts["preheader"], plain, autoescape=False)
    text = render_text(body_to_text(texts["body"]), plain, autoescape=False)
    body_html = render_text(body_to_html(texts["body"]), plain, autoescape=True)
    cta = render_text(texts["cta"], plain, autoescape=False)
    return subject, preheader, text, mark_safe(body_html), cta  # noqa: S308 - escaped above


def sample_values(program, language: str) -> dict:
    """Example values for the editor's preview."""
    return {"name": "Jane Doe", "first_name": "Jane", "program": program.name, "link": settings.CHORUS_BASE_URL + "/",
            "points": "250", "ask": _("Write a review"), "deadline": "2026-12-31", "level": "Champion",
            "reward": _("a $20 gift card"), "event": "first-100-orders", "score": "10", "inviter": "Sam",
            "company": "Acme"}


# --- saving --------------------------------------------------------------------------------

def _normalized(texts_by_language: dict) -> dict:
    return {language: {name: (texts.get(name) or "").strip() for name in FIELDS}
            for language, texts in texts_by_language.items()}


def _apply(template: EmailTemplate, texts_by_language: dict) -> None:
    for name in FIELDS:
        storage = dict(getattr(template, FIELD_STORAGE[name]))
        for language, texts in texts_by_language.items():
            if texts.get(name):
                storage[language] = texts[name]
            else:
                storage.pop(language, None)
        setattr(template, FIELD_STORAGE[name], storage)


@transaction.atomic
def save_template(program, *, key: str, name: str, category: str, texts_by_language: dict,
                  template: EmailTemplate | None = None) -> EmailTemplate:
    """Create or update a template after validating every text; nothing is saved on error."""
    texts_by_language = _normalized(texts_by_language)
    errors = validate_texts(texts_by_language)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", key or ""):
        errors["key"] = [_("Use lower-case letters, digits, - and _ (at most 60).")]
    if not (name or "").strip():
        errors["name"] = [_("Enter a name.")]
    if category not in Category.values:
        errors["category"] = [_("Choose one of the categories offered.")]
    clash = EmailTemplate.objects.filter(program=program, key=key)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if "key" not in errors and clash.exists():
        errors["key"] = [_("Another template already uses this key.")]
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    template = template or EmailTemplate(program=program)
    template.key, template.name, template.category = key, name.strip()[:120], category
    _apply(template, texts_by_language)
    template.save()
    return template


def ensure_default_template(program, key: str, texts_by_language: dict, *, name: str = "",
                            category: str = Category.MARKETING) -> EmailTemplate:
    """Install a default template once (idempotent; a marketer's later edits are kept).

    `texts_by_language` = {"en": {"subject", "preheader", "body", "cta"}, "ar": {...}, ...}.
    Raises ValueError when a default text is invalid (a programming error)."""
    existing = EmailTemplate.objects.filter(program=program, key=key).first()
    if existing is not None:
        return existing
    texts = _normalized(texts_by_language)
    errors = validate_texts(texts)
    if errors:
        raise ValueError(f"default email template {key!r} is invalid: {errors}")
    template = EmailTemplate(program=program, key=key, name=name or key.replace("_", " ").capitalize(),
                             category=category)
    _apply(template, texts)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # installed concurrently
        return EmailTemplate.objects.get(program=program, key=key)
    return template
