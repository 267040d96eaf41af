"""API keys: list, create (the key is shown once, on the response), revoke."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw
from chorus.programs.models import ApiKey
from chorus.programs.services import create_api_key, revoke_api_key

from ..forms import ApiKeyForm, add_service_errors
from .base import console_view, program_context


def _keys_page(request, program, form=None, status=200):
    keys = ApiKey.objects.filter(program=program).select_related("created_by")
    context = program_context(request, program, "api_keys", keys=keys, form=form or ApiKeyForm())
    return render(request, "console/api_keys.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def api_keys(request, slug):
    if request.method == "GET":
        return _keys_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            key, raw = create_api_key(program, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                                      user=request.user)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            # The only time the secret exists outside a hash: this response, never cached or stored.
            context = program_context(request, program, "api_keys", key=key, raw_key=raw)
            response = render(request, "console/api_key_created.html", context, status=201)
            add_never_cache_headers(response)
            return response
    return _keys_page(request, program, form=form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def api_key_revoke(request, slug, key_id):
    program = get_program_rw(request.user, slug)
    key = get_object_or_404(ApiKey, program=program, pk=key_id)
    if request.method == "GET":
        context = program_context(request, program, "api_keys", key=key)
        return render(request, "console/api_key_revoke.html", context)
    key = revoke_api_key(key, user=request.user)
    if request.htmx:
        return render(request, "console/_api_key_row.html", {"program": program, "key": key, "can_edit": True})
    messages.success(request, _("Key “%(name)s” revoked. Requests using it now fail.") % {"name": key.name})
    return redirect("console:api_keys", slug=program.slug)
