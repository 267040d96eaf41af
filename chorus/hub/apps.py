from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "chorus.hub"
    label = "hub"
