"""Evidence uploads (screenshots, images): checked, re-encoded, stored through Django's storage.

Only images are taken. Each is opened with Pillow and written anew in its own format,
which drops every metadata block (EXIF with GPS position, comments, ICC-embedded
payloads) and anything appended to the file; the stored name is random."""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from chorus.core.errors import InvalidInput, PayloadTooLarge

MAX_BYTES = getattr(settings, "CHORUS_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class Evidence:
    content: ContentFile
    content_type: str


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, field_errors={"evidence": [message]}, code="invalid_upload")


def process_upload(upload) -> Evidence:
    """Check size and type, then re-encode. Raises PayloadTooLarge (413) or InvalidInput (422)."""
    if upload.size > MAX_BYTES:
        message = _("The file is too large: at most %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        raise PayloadTooLarge(message, field_errors={"evidence": [message]}, code="upload_too_large")
    data = upload.read(MAX_BYTES + 1)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            probe.verify()
        if image_format not in FORMATS:
            raise _invalid(_("Upload a PNG, JPEG or WebP image."))
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _invalid(_("The image is too large: at most 40 megapixels."))
            image = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
            output = io.BytesIO()
            if image_format == "JPEG":
                image.convert("RGB").save(output, "JPEG", quality=88, optimize=True)
            elif image_format == "PNG":
                image.save(output, "PNG", optimize=True)
            else:
                image.save(output, "WEBP", quality=88)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _invalid(_("Upload a PNG, JPEG or WebP image.")) from None
    content_type, extension = FORMATS[image_format]
    return Evidence(content=ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}"),
                    content_type=content_type)
