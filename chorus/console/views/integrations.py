"""Integrations (incoming): the Stripe webhook endpoint and its signing secret, the Segment
endpoint, and the last events other systems sent."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chorus.integrations.providers.stripe.services import set_signing_secret, stripe_endpoint_of
from chorus.integrations.webhooks_in.services import recent_events
from chorus.programs.access import get_program_for_user, get_program_rw

from ..integration_forms import StripeSecretForm
from .base import console_view, program_context


def _page(request, program, form=None, status=200):
    context = program_context(
        request, program, "integrations",
        stripe_url=settings.CHORUS_BASE_URL + reverse("integrations:stripe_webhook", args=[program.slug]),
        segment_url=settings.CHORUS_BASE_URL + "/api/v1/integrations/segment",
        stripe_endpoint=stripe_endpoint_of(program), events=recent_events(program),
        form=form or StripeSecretForm(),
    )
    return render(request, "console/integrations.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def integrations(request, slug):
    if request.method == "GET":
        return _page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = StripeSecretForm(request.POST)
    if not form.is_valid():
        return _page(request, program, form=form, status=422)
    set_signing_secret(program, form.cleaned_data["signing_secret"], user=request.user)
    messages.success(request, _("Stripe signing secret saved. Events signed with it are now accepted."))
    return redirect("console:integrations", slug=program.slug)
