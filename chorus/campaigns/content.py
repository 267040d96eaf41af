"""The content vault (E4): items the marketer curates, shared by advocates through their own link.

A share URL is the advocate's referral link with the item's id (`/r/<code>?c=<id>`): the
click is recorded by the ordinary click path (`chorus.referrals.services.clicks`), counted
for the advocate like every click and for the item through `Click.content`, and the friend
lands on the item's destination with the click id, so conversions are attributed as usual.
"""

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput
from chorus.core.models import audit
from chorus.referrals.models import Click, Conversion

from .models import ContentItem

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_MAX_SIDE = 4096
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
TEXT_LIMITS = {"titles": 200, "descriptions": 2000, "share_texts": 280}
NEEDS_DESTINATION = {ContentItem.Kind.ARTICLE, ContentItem.Kind.VIDEO, ContentItem.Kind.LINK}
EDITABLE = ("kind", "title", "titles", "description", "descriptions", "share_text", "share_texts",
            "destination_url", "is_active", "order")


# --- images ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredImage:
    name: str
    content_type: str


def reencoded_image(upload) -> tuple[bytes, str]:
    """The upload decoded and written again (no metadata, no trailing payload): (bytes, extension).

    Refuses files over 5 MB, anything Pillow does not read as JPEG, PNG, WebP or GIF, and
    images over 40 megapixels; scales down to 4096 pixels on the longest side."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    problem = _("Upload a JPEG, PNG, WebP or GIF image of at most 5 MB.")
    if upload.size is None or upload.size > IMAGE_MAX_BYTES:
        raise InvalidInput(problem, field_errors={"image": [_("This file is larger than 5 MB.")]})
    try:
        upload.seek(0)
        with Image.open(upload) as opened:
            if opened.format not in IMAGE_FORMATS:
                raise InvalidInput(problem, field_errors={"image": [problem]})
            if opened.width * opened.height > IMAGE_MAX_PIXELS:
                raise InvalidInput(problem, field_errors={"image": [_("This image has too many pixels.")]})
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(problem, field_errors={"image": [_("This file is not an image we can read.")]}) from None
    image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
    buffer = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P"):
        image.convert("RGBA").save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), "png"
    image.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue(), "jpg"


def store_image(program, upload) -> str:
    """Validate and re-encode an upload, store it through the storage API; returns its name."""
    data, extension = reencoded_image(upload)
    return default_storage.save(f"content/{program.pk}/{secrets.token_hex(12)}.{extension}", ContentFile(data))


def image_content_type(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"


# --- validation --------------------------------------------------------------------------

def _texts_problem(texts) -> str | None:
    if not isinstance(texts, dict):
        return _("Give the texts as an object of language code to text.")
    unknown = sorted(set(texts) - set(LANGUAGE_CODES))
    if unknown:
        return _("Unknown language code: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
    if not all(isinstance(text, str) for text in texts.values()):
        return _("Each text must be a string.")
    return None


def clean_texts(values: dict, errors: dict, limits: dict[str, int] = TEXT_LIMITS) -> None:
    """Drop empty translations; refuse unknown languages and over-long texts."""
    for field, limit in limits.items():
        if field not in values:
            continue
        texts = values[field] if values[field] is not None else {}
        problem = _texts_problem(texts)
        if problem is None and any(len(text) > limit for text in texts.values()):
            problem = _("Each text may be at most %(count)d characters.") % {"count": limit}
        if problem:
            errors[field] = [problem]
        else:
            values[field] = {code: text.strip() for code, text in texts.items() if text.strip()}


def destination_problem(program, url: str) -> str | None:
    """Why `url` cannot be a destination of this program's links, or None."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return _("Enter a web address starting with http:// or https://.")
    if len(url) > 500:
        return _("Use at most 500 characters.")
    if not program.destination_allowed(url):
        return _("This address is not one of the program's allowed destinations (see the program settings).")
    return None


def _content_problems(program, values: dict, *, has_image: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values.get("kind") not in ContentItem.Kind.values:
        errors["kind"] = [_("Choose article, image, video or link.")]
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Give the item a title.")]
    elif len(title) > 200:
        errors["title"] = [_("Use at most 200 characters.")]
    if len(values.get("description") or "") > 2000:
        errors["description"] = [_("Use at most 2000 characters.")]
    if len(values.get("share_text") or "") > 280:
        errors["share_text"] = [_("Use at most 280 characters.")]
    clean_texts(values, errors)
    url = (values.get("destination_url") or "").strip()
    if url:
        problem = destination_problem(program, url)
        if problem:
            errors["destination_url"] = [problem]
    elif values.get("kind") in NEEDS_DESTINATION:
        errors["destination_url"] = [_("Articles, videos and links need a destination address.")]
    elif not has_image:
        errors["image"] = [_("Upload an image or give a destination address.")]
    order = values.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 100_000:
        errors["order"] = [_("Use a whole number from 0 to 100000.")]
    return errors


def _normalized(values: dict) -> dict:
    values = {key: value for key, value in values.items() if key in EDITABLE}
    for key in ("title", "description", "share_text", "destination_url"):
        if key in values:
            values[key] = (values[key] or "").strip()
    return values


# --- writes ------------------------------------------------------------------------------

def create_content(program, *, user=None, image=None, **values) -> ContentItem:
    """A new vault item; bad input is a 422 with field errors and stores nothing."""
    values = {"kind": ContentItem.Kind.ARTICLE, "order": 0, "is_active": True, **_normalized(values)}
    errors = _content_problems(program, values, has_image=image is not None)
    if errors:
        raise InvalidInput(_("The content item was not saved: check the marked fields."), field_errors=errors)
    image_name = store_image(program, image) if image is not None else ""
    with transaction.atomic():
        item = ContentItem.objects.create(program=program, created_by=user, image=image_name, **values)
        audit(action="content.created", target=item, actor=user, workspace=program.workspace)
    return item


def update_content(item: ContentItem, *, user=None, image=None, remove_image: bool = False, **values) -> ContentItem:
    """Change an item; only the given fields change. A new image replaces the old one."""
    current = {field: getattr(item, field) for field in EDITABLE}
    merged = {**current, **_normalized(values)}
    keeps_image = bool(item.image) and not remove_image
    errors = _content_problems(item.program, merged, has_image=image is not None or keeps_image)
    if errors:
        raise InvalidInput(_("The content item was not saved: check the marked fields."), field_errors=errors)
    old_image = item.image.name if item.image else ""
    if image is not None:
        merged["image"] = store_image(item.program, image)
    elif remove_image:
        merged["image"] = ""
    with transaction.atomic():
        for field, value in merged.items():
            setattr(item, field, value)
        item.save()
        audit(action="content.updated", target=item, actor=user, workspace=item.program.workspace)
        if old_image and item.image.name != old_image:
            transaction.on_commit(lambda: default_storage.delete(old_image))
    return item


def delete_content(item: ContentItem, *, user=None) -> None:
    """Delete an item; its clicks stay (no longer tied to an item), its image file goes."""
    image = item.image.name if item.image else ""
    with transaction.atomic():
        audit(action="content.deleted", target=item, actor=user, workspace=item.program.workspace, title=item.title)
        item.delete()
        if image:
            transaction.on_commit(lambda: default_storage.delete(image))


# --- sharing and numbers -------------------------------------------------------------------

def share_url(link_url: str, item: ContentItem) -> str:
    """The advocate's link for this item: their referral link plus the item id."""
    return f"{link_url}?c={item.pk}"


def vault_items(program):
    return ContentItem.objects.filter(program=program, is_active=True).order_by("order", "pk")


@dataclass(frozen=True)
class ContentNumbers:
    clicks: int = 0
    unique_clicks: int = 0
    signups: int = 0
    purchases: int = 0


def content_numbers(program, *, advocate=None) -> dict[int, ContentNumbers]:
    """Per item id: human clicks, unique clicks, and the signups and purchases of friends whose
    referral came from a click on that item (optionally only through one advocate's link)."""
    clicks = Click.objects.filter(program=program, content__isnull=False, is_bot=False)
    conversions = Conversion.objects.filter(program=program, referral__isnull=False)
    if advocate is not None:
        clicks = clicks.filter(link__advocate=advocate)
        conversions = conversions.filter(referral__advocate=advocate)
    counted = {row["content_id"]: row for row in clicks.values("content_id").annotate(
        clicks=Count("pk"), unique_clicks=Count("pk", filter=Q(is_unique=True)))}
    click_content = Click.objects.filter(token=OuterRef("referral__click_token")).values("content_id")[:1]
    converted = {row["item"]: row for row in conversions.exclude(referral__click_token="").annotate(
        item=Subquery(click_content)).filter(item__isnull=False).values("item").annotate(
        signups=Count("pk", filter=Q(type=Conversion.Type.SIGNUP)),
        purchases=Count("pk", filter=Q(type=Conversion.Type.PURCHASE)))}
    numbers = {}
    for item_id in set(counted) | set(converted):
        click_row, conversion_row = counted.get(item_id, {}), converted.get(item_id, {})
        numbers[item_id] = ContentNumbers(
            clicks=click_row.get("clicks", 0), unique_clicks=click_row.get("unique_clicks", 0),
            signups=conversion_row.get("signups", 0), purchases=conversion_row.get("purchases", 0))
    return numbers
