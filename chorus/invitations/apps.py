from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "chorus.invitations"
    label = "invitations"
