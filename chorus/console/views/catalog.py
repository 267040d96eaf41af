"""The rewards catalog in the console: items, code pools, the fulfilment queue, redemptions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw
from chorus.rewards import catalog as catalog_services
from chorus.rewards import redemptions as redemption_services
from chorus.rewards.models import CatalogItem, Redemption

from .. import tables
from ..catalog_forms import CatalogItemForm, CodeUploadForm, RedemptionDecisionForm
from ..exports import export_response
from ..forms import add_service_errors
from .base import console_view, program_context, user_can_edit

PAGE_SIZE = 30


def _items(program):
    return (CatalogItem.objects.filter(program=program).select_related("min_level")
            .annotate(redeemed=Count("redemptions", distinct=True,
                                     filter=~Q(redemptions__status__in=Redemption.CLOSED_WITH_RETURN)),
                      free_codes=Count("pool_codes", distinct=True, filter=Q(pool_codes__redemption__isnull=True)))
            .order_by("-is_active", "cost_points", "pk"))


@console_view
@require_GET
def catalog(request, slug):
    program = get_program_for_user(request.user, slug)
    b2b = catalog_services.is_b2b(program)
    items = [(item, catalog_services.item_warnings(item, b2b=b2b)) for item in _items(program)]
    context = program_context(request, program, "catalog", items=items, b2b=b2b)
    return render(request, "console/catalog.html", context)


def _item_page(request, program, item, form, status=200, upload_form=None):
    context = program_context(
        request, program, "catalog", item=item, form=form, upload_form=upload_form or CodeUploadForm(),
        warnings=catalog_services.item_warnings(item) if item else [],
        b2b=catalog_services.is_b2b(program),
        pool=catalog_services.pool_counts(item) if item and item.fulfilment == CatalogItem.Fulfilment.CODE_POOL else None)
    return render(request, "console/catalog_item.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def item_new(request, slug):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        return _item_page(request, program, None, CatalogItemForm(program))
    program = get_program_rw(request.user, slug)
    form = CatalogItemForm(program, request.POST)
    if form.is_valid():
        try:
            item = catalog_services.create_item(program, user=request.user, **form.item_fields())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” added to the catalog.") % {"title": item.title})
            return redirect("console:catalog_item", slug=program.slug, item_id=item.pk)
    return _item_page(request, program, None, form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def item_edit(request, slug, item_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        item = get_object_or_404(CatalogItem, program=program, pk=item_id)
        return _item_page(request, program, item, CatalogItemForm(program, item=item))
    program = get_program_rw(request.user, slug)
    item = get_object_or_404(CatalogItem, program=program, pk=item_id)
    form = CatalogItemForm(program, request.POST, item=item)
    if form.is_valid():
        try:
            item = catalog_services.update_item(item, user=request.user, **form.item_fields())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": item.title})
            return redirect("console:catalog_item", slug=program.slug, item_id=item.pk)
    return _item_page(request, program, item, form, status=422)


@console_view
@require_POST
def item_delete(request, slug, item_id):
    program = get_program_rw(request.user, slug)
    item = get_object_or_404(CatalogItem, program=program, pk=item_id)
    try:
        catalog_services.delete_item(item, user=request.user)
    except ChorusError as error:
        messages.error(request, error.message)
        return redirect("console:catalog_item", slug=program.slug, item_id=item.pk)
    messages.success(request, _("“%(title)s” deleted.") % {"title": item.title})
    return redirect("console:catalog", slug=program.slug)


@console_view
@require_POST
def item_codes(request, slug, item_id):
    """Upload a CSV of codes into the item's pool: all or nothing, duplicates reported."""
    program = get_program_rw(request.user, slug)
    item = get_object_or_404(CatalogItem, program=program, pk=item_id)
    upload_form = CodeUploadForm(request.POST, request.FILES)
    if upload_form.is_valid():
        try:
            result = catalog_services.import_codes(item, upload_form.cleaned_data["file"], user=request.user)
        except ChorusError as error:
            add_service_errors(upload_form, error)
        else:
            messages.success(request, _import_message(result))
            return redirect("console:catalog_item", slug=program.slug, item_id=item.pk)
    return _item_page(request, program, item, CatalogItemForm(program, item=item), status=422, upload_form=upload_form)


def _import_message(result) -> str:
    added = ngettext("%(count)s code added.", "%(count)s codes added.", result.added) % {"count": result.added}
    skipped = [*result.duplicates_in_file, *result.already_in_pool]
    if not skipped:
        return added
    shown = ", ".join(skipped[:10]) + ("…" if len(skipped) > 10 else "")
    return added + " " + ngettext("%(count)s duplicate skipped: %(codes)s", "%(count)s duplicates skipped: %(codes)s",
                                  len(skipped)) % {"count": len(skipped), "codes": shown}


# --- redemptions -------------------------------------------------------------------------

def _redemptions(program):
    return Redemption.objects.filter(program=program).select_related("item", "advocate", "account", "decided_by")


@console_view
@require_GET
def fulfilment_queue(request, slug):
    program = get_program_for_user(request.user, slug)
    queue = _redemptions(program).filter(status__in=Redemption.OPEN).order_by("created_at", "pk")
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/fulfilment.html", program_context(request, program, "fulfilment", page=page))


@console_view
@require_GET
def redemption_list(request, slug):
    program = get_program_for_user(request.user, slug)
    status = request.GET.get("status", "")
    found = _redemptions(program).order_by("-created_at", "-pk")
    if status in Redemption.Status.values:
        found = found.filter(status=status)
    exported = export_response(request, {"redemptions": lambda: tables.redemptions(program, found, status)})
    if exported is not None:
        return exported
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = program_context(request, program, "redemptions", page=page, status=status,
                              statuses=Redemption.Status.choices)
    return render(request, "console/redemptions.html", context)


ACTIONS = {
    "approve": lambda pk, user, note: redemption_services.approve(pk, user=user),
    "fulfil": lambda pk, user, note: redemption_services.fulfil(pk, user=user, note=note),
    "reject": lambda pk, user, note: redemption_services.reject(pk, user=user, reason=note),
    "cancel": lambda pk, user, note: redemption_services.cancel(pk, user=user, reason=note),
}
DONE = {"approve": gettext_lazy("Approved."), "fulfil": gettext_lazy("Marked fulfilled."),
        "reject": gettext_lazy("Rejected; the points went back."), "cancel": gettext_lazy("Cancelled; the points went back.")}


@console_view
@require_POST
def redemption_decide(request, slug, redemption_id):
    program = get_program_rw(request.user, slug)
    redemption = get_object_or_404(Redemption, program=program, pk=redemption_id)
    form = RedemptionDecisionForm(request.POST)
    error = None
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            ACTIONS[action](redemption.pk, request.user, form.cleaned_data["note"])
        except ChorusError as problem:
            error = problem.message
    else:
        error = _("Choose an action; notes are at most 500 characters.")
    if request.htmx:
        context = {"program": program, "redemption": _redemptions(program).get(pk=redemption.pk), "error": error,
                   "can_edit": user_can_edit(request.user, program)}
        return render(request, "console/_redemption_item.html", context)  # htmx swaps 2xx only
    if error:
        messages.error(request, error)
    else:
        messages.success(request, str(DONE[action]))
    return redirect(_back(request, program))


def _back(request, program) -> str:
    name = "console:redemptions" if request.POST.get("back") == "redemptions" else "console:fulfilment"
    return reverse(name, kwargs={"slug": program.slug})
