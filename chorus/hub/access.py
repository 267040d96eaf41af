"""Who a hub request is: the public program a page belongs to, and the advocate logged in to it.

The hub session holds one advocate id per program (`chorus.hub.<program id>`), so being
logged in to one program's hub never opens another's.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.utils import translation

from chorus.advocates.models import Advocate
from chorus.core.ratelimit import client_ip_from_environ
from chorus.core.signing import visitor_hash
from chorus.programs.models import Program


def get_public_program(slug: str) -> Program:
    program = Program.objects.filter(slug=slug, is_active=True).first()
    if program is None:
        raise Http404("No such program")
    return program


def _session_key(program: Program) -> str:
    return f"chorus.hub.{program.pk}"


def hub_advocate(request, program: Program) -> Advocate | None:
    """The advocate logged in to this program's hub, if any (never another program's)."""
    advocate_id = request.session.get(_session_key(program))
    if not advocate_id:
        return None
    return (
        Advocate.objects.select_related("program")
        .filter(pk=advocate_id, program=program, status=Advocate.Status.ACTIVE).first()
    )


def log_in(request, advocate: Advocate) -> None:
    """Start a fresh session for this advocate (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[_session_key(advocate.program)] = advocate.pk


def log_out(request, program: Program) -> None:
    request.session.pop(_session_key(program), None)
    request.session.cycle_key()


def request_visitor(request) -> str:
    return visitor_hash(client_ip_from_environ(request.META), request.META.get("HTTP_USER_AGENT", "")[:512])


def activate_advocate_language(request, advocate: Advocate | None) -> None:
    """Profile first; without one the language LocaleMiddleware chose (cookie, browser) stays."""
    if advocate and advocate.language in dict(settings.LANGUAGES):
        translation.activate(advocate.language)
        request.LANGUAGE_CODE = advocate.language


def advocate_required(view):
    """Load the public program and its logged-in advocate, or send the visitor to log in."""

    @wraps(view)
    def wrapper(request, slug: str, *args, **kwargs):
        program = get_public_program(slug)
        advocate = hub_advocate(request, program)
        if advocate is None:
            return redirect("hub:login", slug=program.slug)
        activate_advocate_language(request, advocate)
        return view(request, program, advocate, *args, **kwargs)

    return wrapper
