import io

import pytest
from django.core.cache import cache

from chorus.referrals.services.clicks import forget_cached_links

BROWSER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _fresh_state(settings, tmp_path):
    """Uploads go to a scratch media folder; cached links and items start empty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    forget_cached_links()
    yield
    cache.clear()
    forget_cached_links()


@pytest.fixture
def visitor(client):
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    client.defaults["REMOTE_ADDR"] = "203.0.113.10"
    return client


def image_upload(name="photo.jpg", image_format="JPEG", size=(64, 48), mode="RGB", trailer=b""):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, "#2563eb" if mode == "RGB" else None).save(buffer, format=image_format)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue() + trailer, content_type=content_type)
