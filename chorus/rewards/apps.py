from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "chorus.rewards"
    label = "rewards"
