"""Fixtures for the asks tests: a program without the starter pack (so lists hold only what
a test made), its advocate, and a factory for asks through the real service."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chorus.campaigns.services.asks import save_ask
from chorus.testing import factories


@pytest.fixture
def bare_program(workspace):
    return factories.make_program(workspace, name="Bare", slug="bare", starter_pack=False)


@pytest.fixture
def member(bare_program):
    return factories.make_advocate(bare_program, email="max@example.com", name="Max Mustermann", language="de")


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
