from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "chorus.privacy"
    label = "privacy"

    def ready(self) -> None:
        from . import registrations  # noqa: F401  (fills the registry once the models are loaded)
