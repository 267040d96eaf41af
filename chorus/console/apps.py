from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "chorus.console"
    label = "console"
