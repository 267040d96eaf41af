"""An advocate's own profile and preferences, as they set them in the hub."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput

from .models import Advocate

PREFERENCES = ["show_on_leaderboard", "feature_on_wall", "email_on_approval", "email_on_level_up"]


@transaction.atomic
def update_profile(advocate: Advocate, *, name: str, language: str, **preferences: bool) -> Advocate:
    """Save the name, the language and the yes/no preferences in one go (all or nothing)."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter your name.")]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the languages offered.")]
    unknown = set(preferences) - set(PREFERENCES)
    if unknown:
        raise ValueError(f"unknown preferences: {sorted(unknown)}")
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), field_errors=errors)
    advocate.name, advocate.language = name[:200], language
    for field, value in preferences.items():
        setattr(advocate, field, bool(value))
    advocate.save(update_fields=["name", "language", *preferences, "updated_at"])
    return advocate
