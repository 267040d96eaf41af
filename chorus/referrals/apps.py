from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "chorus.referrals"
    label = "referrals"
