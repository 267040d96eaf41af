"""Scoped access: marketers reach only their workspace's programs."""

from django.http import Http404

from .models import Membership, Program


def programs_for_user(user):
    if not user.is_authenticated:
        return Program.objects.none()
    return Program.objects.filter(workspace__memberships__user=user).select_related("workspace").distinct()


def get_program_for_user(user, slug: str) -> Program:
    program = programs_for_user(user).filter(slug=slug).first()
    if program is None:
        raise Http404("No such program")
    return program


def get_program_rw(user, slug: str) -> Program:
    """Like get_program_for_user, for writes: teammates may read but not change settings."""
    program = get_program_for_user(user, slug)
    role = Membership.objects.filter(workspace=program.workspace, user=user).values_list("role", flat=True).first()
    if role not in (Membership.Role.OWNER, Membership.Role.MARKETER):
        raise Http404("No such program")
    return program
