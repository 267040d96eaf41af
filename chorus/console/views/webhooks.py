"""Webhooks: endpoints (the secret is shown once), their delivery log, test events and replays."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chorus.core.errors import ChorusError
from chorus.integrations.webhooks_out import services
from chorus.integrations.webhooks_out.models import Delivery, Endpoint
from chorus.programs.access import get_program_for_user, get_program_rw

from ..forms import add_service_errors
from ..webhook_forms import EndpointEventsForm, EndpointForm
from .base import console_view, program_context

TAB = "webhooks"


def _list_page(request, program, form=None, status=200):
    endpoints = Endpoint.objects.filter(program=program)
    context = program_context(request, program, TAB, endpoints=endpoints, form=form or EndpointForm())
    return render(request, "console/webhooks.html", context, status=status)


def _secret_page(request, program, endpoint, secret, status):
    # The only time the secret is shown: this response, never cached.
    response = render(request, "console/webhook_secret.html",
                      program_context(request, program, TAB, endpoint=endpoint, secret=secret), status=status)
    add_never_cache_headers(response)
    return response


@console_view
@require_http_methods(["GET", "POST"])
def webhooks(request, slug):
    if request.method == "GET":
        return _list_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(program, user=request.user, **form.cleaned_data)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            return _secret_page(request, program, endpoint, secret, status=201)
    return _list_page(request, program, form=form, status=422)


def _endpoint_page(request, program, endpoint, form=None, status=200):
    deliveries = Paginator(Delivery.objects.filter(endpoint=endpoint).select_related("message")
                           .prefetch_related("attempt_log"), 25).get_page(request.GET.get("page"))
    form = form or EndpointEventsForm(initial={"description": endpoint.description, "event_types": endpoint.event_types})
    context = program_context(request, program, TAB, endpoint=endpoint, form=form, deliveries=deliveries)
    return render(request, "console/webhook_endpoint.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def webhook_endpoint(request, slug, endpoint_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        return _endpoint_page(request, program, get_object_or_404(Endpoint, program=program, pk=endpoint_id))
    program = get_program_rw(request.user, slug)
    endpoint = get_object_or_404(Endpoint, program=program, pk=endpoint_id)
    form = EndpointEventsForm(request.POST)
    if form.is_valid():
        try:
            services.update_endpoint(endpoint, **form.cleaned_data)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Events saved."))
            return redirect("console:webhook_endpoint", slug=program.slug, endpoint_id=endpoint.pk)
    return _endpoint_page(request, program, endpoint, form=form, status=422)


def _act(request, slug, endpoint_id, action, done: str):
    program = get_program_rw(request.user, slug)
    endpoint = get_object_or_404(Endpoint, program=program, pk=endpoint_id)
    try:
        action(endpoint)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("console:webhook_endpoint", slug=program.slug, endpoint_id=endpoint.pk)


@console_view
@require_POST
def webhook_enable(request, slug, endpoint_id):
    return _act(request, slug, endpoint_id, lambda endpoint: services.set_enabled(endpoint, True),
                _("Endpoint enabled: events are sent to it again."))


@console_view
@require_POST
def webhook_disable(request, slug, endpoint_id):
    return _act(request, slug, endpoint_id, lambda endpoint: services.set_enabled(endpoint, False),
                _("Endpoint disabled: no events are sent to it."))


@console_view
@require_POST
def webhook_test(request, slug, endpoint_id):
    return _act(request, slug, endpoint_id, services.send_test_event,
                _("Test event sent; its delivery is at the top of the log."))


@console_view
@require_POST
def webhook_rotate(request, slug, endpoint_id):
    program = get_program_rw(request.user, slug)
    endpoint = get_object_or_404(Endpoint, program=program, pk=endpoint_id)
    endpoint, secret = services.rotate_secret(endpoint)
    return _secret_page(request, program, endpoint, secret, status=200)


@console_view
@require_POST
def webhook_delete(request, slug, endpoint_id):
    program = get_program_rw(request.user, slug)
    endpoint = get_object_or_404(Endpoint, program=program, pk=endpoint_id)
    services.delete_endpoint(endpoint)
    messages.success(request, _("Endpoint %(url)s deleted.") % {"url": endpoint.url})
    return redirect("console:webhooks", slug=program.slug)


@console_view
@require_POST
def webhook_replay(request, slug, endpoint_id, delivery_id):
    program = get_program_rw(request.user, slug)
    delivery = get_object_or_404(Delivery, endpoint__program=program, endpoint_id=endpoint_id, pk=delivery_id)
    try:
        services.replay(delivery)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Replay queued: a new attempt appears in the log."))
    return redirect("console:webhook_endpoint", slug=program.slug, endpoint_id=endpoint_id)
