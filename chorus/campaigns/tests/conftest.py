"""Fixtures for the asks tests: a program without the starter pack (so lists hold only what
a test made), its advocate, and a factory for asks through the real service."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chorus.campaigns.services.asks import save_ask
from chorus.referrals.services.clicks import forget_cached_links
from chorus.testing import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def bare_program(workspace):
    return factories.make_program(workspace, name="Bare", slug="bare", starter_pack=False)


@pytest.fixture
def member(bare_program):
    return factories.make_advocate(bare_program, email="max@example.com", name="Max Mustermann", language="en")


@pytest.fixture
def make_ask(bare_program):
    def make(type="social_follow", **values):
        values.setdefault("title", f"Do {type}")
        values.setdefault("points", 100)
        values.setdefault("moderation", "auto")
        return save_ask(values.pop("program", bare_program), {"type": type, **values})
    return make


def image_upload(name="shot.png", image_format="PNG", size=(40, 30), exif=False, content_type="image/png"):
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x9286] = "private comment"  # UserComment
        extra["exif"] = data.tobytes()
    image.save(buffer, image_format, **extra)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)

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


def content_image_upload(name="photo.jpg", image_format="JPEG", size=(64, 48), mode="RGB", trailer=b""):
    buffer = io.BytesIO()
    Image.new(mode, size, "#2563eb" if mode == "RGB" else None).save(buffer, format=image_format)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue() + trailer, content_type=content_type)
