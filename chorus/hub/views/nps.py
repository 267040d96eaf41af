"""The NPS survey page behind the email's score buttons: GET shows it, only POST records."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from chorus.core.errors import ChorusError
from chorus.insights.models import NpsResponse
from chorus.insights.nps import submit_survey
from chorus.insights.surveys import question, send_for_token

from ..access import get_public_program
from .common import public_rate_limit


def _activate(request, send) -> None:
    if send.language and send.language in dict(settings.LANGUAGES):
        translation.activate(send.language)
        request.LANGUAGE_CODE = send.language


@require_http_methods(["GET", "HEAD", "POST"])
@public_rate_limit("nps-survey")
def survey(request, slug: str, token: str):
    program = get_public_program(slug)
    send = send_for_token(program, token)
    if send is None:
        raise Http404("No such survey")
    _activate(request, send)
    context = {"program": program, "send": send, "question": question(program), "scores": range(11),
               "errors": {}, "answered": False}
    existing = NpsResponse.objects.filter(send=send).first()
    if request.method == "POST":
        try:
            response, _created = submit_survey(send, score=request.POST.get("score"),
                                               comment=request.POST.get("comment", ""))
        except ChorusError as problem:
            context.update(errors=problem.field_errors, error=problem.message, selected=request.POST.get("score"),
                           comment=request.POST.get("comment", ""))
            return render(request, "hub/nps_survey.html", context, status=problem.status_code)
        context.update(answered=True, response=response)
        return render(request, "hub/nps_survey.html", context)
    selected = request.GET.get("score", "")
    if existing is not None and not selected:
        selected = str(existing.score)
    context.update(selected=selected if selected.isdigit() and 0 <= int(selected) <= 10 else "",
                   comment=existing.comment if existing is not None else "", existing=existing)
    return render(request, "hub/nps_survey.html", context)
