"""The rewards catalog: items (create, edit), code pools uploaded as CSV, the B2B warning.

Redeeming lives in `redemptions.py`."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.core.errors import Conflict, InvalidInput
from chorus.core.models import audit

from .models import CatalogItem, Level, PoolCode

ITEM_FIELDS = (
    "kind", "title", "titles", "description", "descriptions", "cost_points", "stock", "per_advocate_limit",
    "min_level", "is_active", "fulfilment", "recipient", "is_cash_like", "value_amount", "causes",
    "subscription_months", "code_prefix",
)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
MAX_CODES_PER_UPLOAD = 50_000
MAX_CODE_LENGTH = 100
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CODE_PATTERN = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces
PREFIX_PATTERN = re.compile(r"^[A-Z0-9]{0,12}$")


# --- B2B (R4) ----------------------------------------------------------------------------

def is_b2b(program) -> bool:
    """A program is B2B when its advocates belong to organisations: it has at least one Account.

    Accounts arrive with advocates imported or enrolled with a company, so no extra setting
    can disagree with the data."""
    return program.accounts.exists()


def item_warnings(item: CatalogItem, *, b2b: bool | None = None) -> list[str]:
    """What the marketer should know before offering this item."""
    b2b = is_b2b(item.program) if b2b is None else b2b
    if item.is_cash_like and b2b:
        return [_("This is a B2B program: cash-like rewards (gift cards, discounts, cash) given to people at "
                  "your customers' companies may break their gift policies or anti-bribery rules. Consider an "
                  "account reward or a charity donation instead.")]
    return []


# --- items -------------------------------------------------------------------------------

def _clean_texts(texts, name: str) -> dict:
    if not isinstance(texts, dict) or any(not isinstance(value, str) for value in texts.values()):
        raise InvalidInput(_("Texts per language must map a language code to a text."), field_errors={name: [_("Invalid.")]})
    unknown = set(texts) - set(LANGUAGE_CODES)
    if unknown:
        raise InvalidInput(_("Unknown language: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
                           field_errors={name: [_("Use en, ar, de, ja or pl.")]})
    return {code: value.strip() for code, value in texts.items() if value.strip()}


def _clean_causes(causes) -> list[dict]:
    if not isinstance(causes, list):
        raise InvalidInput(_("Causes must be a list."), field_errors={"causes": [_("Invalid.")]})
    cleaned, keys = [], set()
    for cause in causes:
        if isinstance(cause, str):
            cause = {"names": {"en": cause}}
        if not isinstance(cause, dict) or not isinstance(cause.get("names", {}), dict):
            raise InvalidInput(_("Each cause needs a name."), field_errors={"causes": [_("Invalid.")]})
        names = _clean_texts(cause.get("names", {}), "causes")
        key = slugify(cause.get("key") or next(iter(names.values()), ""))[:60]
        if not key or not names:
            raise InvalidInput(_("Each cause needs a name."), field_errors={"causes": [_("Invalid.")]})
        if key in keys:
            raise InvalidInput(_("Two causes have the same name."), field_errors={"causes": [key]})
        keys.add(key)
        cleaned.append({"key": key, "names": names})
    return cleaned


def _validate(program, values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values["title"] = (values.get("title") or "").strip()
    if not values["title"]:
        errors["title"] = [_("Give the item a title.")]
    cost = values.get("cost_points")
    if not isinstance(cost, int) or cost <= 0:
        errors["cost_points"] = [_("The cost must be a whole number of points above zero.")]
    if values.get("per_advocate_limit") is not None and values["per_advocate_limit"] <= 0:
        errors["per_advocate_limit"] = [_("Leave empty for no limit, or give 1 or more.")]
    if values.get("stock") is not None and values["stock"] < 0:
        errors["stock"] = [_("Stock cannot be negative.")]
    level = values.get("min_level")
    if level is not None and (not isinstance(level, Level) or level.program_id != program.pk):
        errors["min_level"] = [_("Choose one of this program's levels.")]
    if not PREFIX_PATTERN.match(values.get("code_prefix") or ""):
        errors["code_prefix"] = [_("Use up to 12 capital letters or digits.")]
    if values.get("kind") not in CatalogItem.Kind.values:
        errors["kind"] = [_("Choose a kind.")]
    if values.get("fulfilment") not in CatalogItem.Fulfilment.values:
        errors["fulfilment"] = [_("Choose how it is fulfilled.")]
    if values.get("recipient") not in CatalogItem.Recipient.values:
        errors["recipient"] = [_("Choose who receives it.")]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), field_errors=errors)
    values["titles"] = _clean_texts(values.get("titles") or {}, "titles")
    values["descriptions"] = _clean_texts(values.get("descriptions") or {}, "descriptions")
    # The default-language text and its entry per language are one text: keep them equal.
    values["description"] = (values.get("description") or "").strip() or values["descriptions"].get(settings.LANGUAGE_CODE, "")
    for texts, text in ((values["titles"], values["title"]), (values["descriptions"], values["description"])):
        if text:
            texts[settings.LANGUAGE_CODE] = text
    values["causes"] = _clean_causes(values.get("causes") or [])
    if values["fulfilment"] == CatalogItem.Fulfilment.CHARITY and not values["causes"]:
        raise InvalidInput(_("A charity donation needs at least one cause to choose from."),
                           field_errors={"causes": [_("Add at least one cause.")]})
    return values


def _defaults() -> dict:
    return {name: CatalogItem._meta.get_field(name).get_default() for name in ITEM_FIELDS}


@transaction.atomic
def create_item(program, *, user=None, **fields) -> CatalogItem:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    values = _validate(program, {**_defaults(), "min_level": None, **fields})
    item = CatalogItem.objects.create(program=program, **values)
    audit(action="catalog_item.created", target=item, actor=user, workspace=program.workspace, title=item.title)
    return item


@transaction.atomic
def update_item(item: CatalogItem, *, user=None, **fields) -> CatalogItem:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    item = CatalogItem.objects.select_for_update().get(pk=item.pk)
    current = {name: getattr(item, name) for name in ITEM_FIELDS}
    values = _validate(item.program, {**current, **fields})
    changed = [name for name in ITEM_FIELDS if values[name] != current[name]]
    for name in changed:
        setattr(item, name, values[name])
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
        audit(action="catalog_item.updated", target=item, actor=user, workspace=item.program.workspace,
              fields=changed)
    return item


@transaction.atomic
def delete_item(item: CatalogItem, *, user=None) -> None:
    """Remove an item nobody redeemed; one with redemptions keeps its history: deactivate it instead."""
    item = CatalogItem.objects.select_for_update().get(pk=item.pk)
    if item.redemptions.exists():
        raise Conflict(_("“%(title)s” has been redeemed, so it stays for the record; untick “Active” to take it out of the store.")
                       % {"title": item.title}, code="item_redeemed")
    audit(action="catalog_item.deleted", target=item, actor=user, workspace=item.program.workspace, title=item.title)
    item.delete()


def merge_causes(item: CatalogItem | None, names: list[str], language: str) -> list[dict]:
    """Causes from a list of names in `language`, keeping the other languages' names of a
    cause whose name in that language did not change (console editing)."""
    existing = {cause.get("names", {}).get(language): cause for cause in (item.causes if item else [])}
    merged = []
    for name in names:
        kept = existing.get(name)
        merged.append(kept if kept else {"names": {language: name}})
    return merged


# --- code pools --------------------------------------------------------------------------

@dataclass
class CodeImport:
    added: int = 0
    duplicates_in_file: list[str] = field(default_factory=list)
    already_in_pool: list[str] = field(default_factory=list)


def _read_codes(upload) -> tuple[list[str], list[str]]:
    """Codes of a one-column CSV (an optional `code` header); (unique codes, duplicates).

    Streams rows with the csv module; raises InvalidInput naming the first bad line."""
    if getattr(upload, "size", 0) > MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The file is larger than 5 MB; split it into smaller files."),
                           field_errors={"file": [_("Too large.")]})
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    codes: dict[str, None] = {}
    duplicates: list[str] = []
    try:
        for line, row in enumerate(csv.reader(text, strict=True), start=1):
            values = [value.strip() for value in row if value.strip()]
            if not values:
                continue
            if len(values) > 1:
                raise _bad_line(line, _("one code per line, without commas"))
            code = values[0]
            if line == 1 and code.lower() == "code":
                continue
            problem = _code_problem(code)
            if problem:
                raise _bad_line(line, problem)
            if code in codes:
                duplicates.append(code)
                continue
            codes[code] = None
            if len(codes) > MAX_CODES_PER_UPLOAD:
                raise InvalidInput(_("At most %(max)s codes per file.") % {"max": MAX_CODES_PER_UPLOAD},
                                   field_errors={"file": [_("Too many codes.")]})
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text. Save it as CSV (UTF-8)."),
                           field_errors={"file": [_("Not UTF-8.")]}) from None
    except csv.Error as error:
        raise InvalidInput(_("The file is not valid CSV: %(error)s.") % {"error": error},
                           field_errors={"file": [_("Not CSV.")]}) from None
    finally:
        text.detach()
    if not codes:
        raise InvalidInput(_("The file holds no codes."), field_errors={"file": [_("No codes.")]})
    return list(codes), duplicates


def _code_problem(code: str) -> str | None:
    if len(code) > MAX_CODE_LENGTH:
        return _("longer than %(max)s characters") % {"max": MAX_CODE_LENGTH}
    if not CODE_PATTERN.match(code):
        return _("use letters, digits and punctuation, without spaces")
    return None


def _bad_line(line: int, problem: str) -> InvalidInput:
    message = _("Line %(line)s: %(problem)s. Nothing was imported.") % {"line": line, "problem": problem}
    return InvalidInput(message, field_errors={"file": [message]})


def import_codes(item: CatalogItem, upload, *, user=None) -> CodeImport:
    """Add the codes of a CSV file to the item's pool: all of them or, on any error, none.

    Codes already in the pool, and repeats within the file, are skipped and reported."""
    _refuse_unless_pool(item)
    codes, duplicates = _read_codes(upload)
    return _store_codes(item, codes, duplicates, user=user)


def add_codes(item: CatalogItem, codes: list[str], *, user=None) -> CodeImport:
    """Add a list of codes (the API's way) by the CSV's rules: all or none, repeats reported."""
    _refuse_unless_pool(item)
    if not codes or len(codes) > MAX_CODES_PER_UPLOAD:
        raise InvalidInput(_("Send 1 to %(max)s codes.") % {"max": MAX_CODES_PER_UPLOAD},
                           field_errors={"codes": [_("Send 1 to %(max)s codes.") % {"max": MAX_CODES_PER_UPLOAD}]})
    unique: dict[str, None] = {}
    duplicates = []
    for position, code in enumerate(codes, start=1):
        code = code.strip()
        problem = _code_problem(code) if code else _("empty")
        if problem:
            message = _("Code %(number)s: %(problem)s. Nothing was imported.") % {"number": position, "problem": problem}
            raise InvalidInput(message, field_errors={"codes": [message]})
        if code in unique:
            duplicates.append(code)
        unique[code] = None
    return _store_codes(item, list(unique), duplicates, user=user)


def _refuse_unless_pool(item: CatalogItem) -> None:
    if item.fulfilment != CatalogItem.Fulfilment.CODE_POOL:
        raise InvalidInput(_("This item does not give out codes from a pool; set its fulfilment to “Code from an uploaded pool” first."))


def _store_codes(item: CatalogItem, codes: list[str], duplicates: list[str], *, user=None) -> CodeImport:
    result = CodeImport(duplicates_in_file=duplicates)
    try:
        with transaction.atomic():
            existing: set[str] = set()
            for start in range(0, len(codes), 1000):
                chunk = codes[start:start + 1000]
                existing.update(PoolCode.objects.filter(item=item, code__in=chunk).values_list("code", flat=True))
            new = [code for code in codes if code not in existing]
            PoolCode.objects.bulk_create([PoolCode(item=item, code=code, uploaded_by=user) for code in new],
                                         batch_size=1000)
            result.added = len(new)
            result.already_in_pool = [code for code in codes if code in existing]
            audit(action="catalog_item.codes_imported", target=item, actor=user, workspace=item.program.workspace,
                  added=result.added, skipped=len(duplicates) + len(result.already_in_pool))
    except IntegrityError:
        raise Conflict(_("Someone added the same codes at the same time; nothing was imported. Try again.")) from None
    return result


def pool_counts(item: CatalogItem) -> tuple[int, int]:
    """(unused codes, codes given out) of the item's pool."""
    total = item.pool_codes.count()
    used = item.pool_codes.filter(redemption__isnull=False).count()
    return total - used, used
