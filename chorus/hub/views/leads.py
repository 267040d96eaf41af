"""Refer a colleague (B2B): the form, and the advocate's referred leads with their stage."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from chorus.core.errors import ChorusError, RateLimited
from chorus.referrals.models import Lead
from chorus.referrals.services.leads import LeadInput, lead_settings, refer_colleague

from ..access import advocate_required
from ..forms import add_service_errors
from ..lead_forms import ReferColleagueForm
from .common import rate_limited_page


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@advocate_required
def refer(request, program, advocate):
    form = ReferColleagueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = refer_colleague(advocate, LeadInput(**form.cleaned_data))
        except RateLimited as error:
            return rate_limited_page(request, error, program=program)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you! We will get in touch with %(name)s at %(company)s.")
                             % {"name": lead.name, "company": lead.company})
            return redirect("hub:refer", slug=program.slug)
    context = {
        "program": program, "advocate": advocate, "form": form,
        "leads": Lead.objects.filter(advocate=advocate).order_by("-submitted_at", "-pk"),
        "show_deal_values": lead_settings(program).show_deal_values,
    }
    return render(request, "hub/refer.html", context, status=422 if request.method == "POST" else 200)
