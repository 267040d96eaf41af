from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "chorus.programs"
    label = "programs"
