from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "chorus.integrations"
    label = "integrations"
