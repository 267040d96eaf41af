from django.apps import AppConfig


class AdvocatesConfig(AppConfig):
    name = "chorus.advocates"
    label = "advocates"
