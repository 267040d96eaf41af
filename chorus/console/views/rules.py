"""Reward rules: list, create, edit, delete (or deactivate)."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from chorus.core.errors import ChorusError
from chorus.programs.access import get_program_for_user, get_program_rw
from chorus.rewards import rules as rule_services
from chorus.rewards.models import RewardRule

from ..forms import RewardRuleForm, add_service_errors
from .base import console_view, program_context


def _rules_page(request, program, form=None, status=200):
    rules = RewardRule.objects.filter(program=program).annotate(reward_count=Count("rewards"))
    context = program_context(request, program, "rules", rules=rules, form=form or RewardRuleForm())
    return render(request, "console/rules.html", context, status=status)


@console_view
@require_http_methods(["GET", "POST"])
def rules(request, slug):
    if request.method == "GET":
        return _rules_page(request, get_program_for_user(request.user, slug))
    program = get_program_rw(request.user, slug)
    form = RewardRuleForm(request.POST)
    if form.is_valid():
        try:
            rule = rule_services.create_rule(program, user=request.user, **form.rule_fields())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” added.") % {"name": rule.name})
            return redirect("console:rules", slug=program.slug)
    return _rules_page(request, program, form=form, status=422)


@console_view
@require_http_methods(["GET", "POST"])
def rule_edit(request, slug, rule_id):
    if request.method == "GET":
        program = get_program_for_user(request.user, slug)
        rule = get_object_or_404(RewardRule, program=program, pk=rule_id)
        context = program_context(request, program, "rules", rule=rule, form=RewardRuleForm.for_rule(rule))
        return render(request, "console/rule_edit.html", context)
    program = get_program_rw(request.user, slug)
    rule = get_object_or_404(RewardRule, program=program, pk=rule_id)
    form = RewardRuleForm.for_rule(rule, request.POST)
    if form.is_valid():
        try:
            rule = rule_services.update_rule(rule, user=request.user, **form.rule_fields())
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("console:rules", slug=program.slug)
    context = program_context(request, program, "rules", rule=rule, form=form)
    return render(request, "console/rule_edit.html", context, status=422)


@console_view
@require_POST
def rule_delete(request, slug, rule_id):
    program = get_program_rw(request.user, slug)
    rule = get_object_or_404(RewardRule, program=program, pk=rule_id)
    try:
        rule_services.delete_rule(rule, user=request.user)
    except ChorusError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    url = reverse("console:rules", kwargs={"slug": program.slug})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)

