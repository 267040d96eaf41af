from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "chorus.insights"
    label = "insights"
