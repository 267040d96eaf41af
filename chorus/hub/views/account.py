"""Passwordless hub access: join, magic-link login, logout, language.

Every answer that follows an email address is the same whether or not that address
belongs to an advocate, so none of these pages tells who is enrolled.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chorus.advocates.services import (
    consume_login_token,
    join_program,
    remember_visitor,
    request_login_link,
    set_advocate_language,
)
from chorus.core.errors import ChorusError, RateLimited
from chorus.core.ratelimit import client_ip, hit

from ..access import get_public_program, hub_advocate, log_in, log_out, request_visitor
from ..forms import JoinForm, LanguageForm, LoginForm, add_service_errors
from .common import rate_limited_page

EMAIL_REQUESTS_PER_IP = 10
EMAIL_REQUEST_WINDOW_SECONDS = 600


def _limit_email_requests(request, program) -> None:
    """Per IP, across join and login: each request sends an email."""
    hit(f"hub-email:{client_ip(request)}", EMAIL_REQUESTS_PER_IP, EMAIL_REQUEST_WINDOW_SECONDS)


def _check_email_page(request, program, email: str):
    context = {"program": program, "email": email, "magic_link_minutes": settings.CHORUS_MAGIC_LINK_MINUTES}
    return render(request, "hub/check_email.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def join(request, slug: str):
    program = get_public_program(slug)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _limit_email_requests(request, program)
            join_program(program, email=form.cleaned_data["email"], name=form.cleaned_data["name"],
                         language=form.cleaned_data["language"])
        except RateLimited as error:
            return rate_limited_page(request, error, program=program)
        except ChorusError as error:
            add_service_errors(form, error)
        else:
            return _check_email_page(request, program, form.cleaned_data["email"])
    status = 422 if request.method == "POST" else 200
    return render(request, "hub/join.html", {"program": program, "form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def login(request, slug: str):
    program = get_public_program(slug)
    if request.method != "POST" and hub_advocate(request, program):
        return redirect("hub:dashboard", slug=program.slug)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _limit_email_requests(request, program)
        except RateLimited as error:
            return rate_limited_page(request, error, program=program)
        request_login_link(program, form.cleaned_data["email"])
        return _check_email_page(request, program, form.cleaned_data["email"])
    status = 422 if request.method == "POST" else 200
    return render(request, "hub/login.html", {"program": program, "form": form}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def magic_link(request, slug: str, token: str):
    """GET shows a "Log me in" button; only the POST spends the token, so mail scanners
    that fetch links cannot use it up."""
    program = get_public_program(slug)
    if request.method != "POST":
        response = render(request, "hub/magic_link.html", {"program": program})
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response
    try:
        advocate = consume_login_token(program, token)
    except ChorusError as error:
        return render(request, "hub/magic_link_invalid.html", {"program": program, "message": error.message},
                      status=error.status_code)
    log_in(request, advocate)
    remember_visitor(advocate, request_visitor(request))
    return redirect("hub:dashboard", slug=program.slug)


@require_POST
def logout(request, slug: str):
    program = get_public_program(slug)
    log_out(request, program)
    return redirect("hub:login", slug=program.slug)


@require_POST
def language(request, slug: str):
    """The language switcher: saved on the advocate when logged in, in the cookie always."""
    program = get_public_program(slug)
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    response = redirect(next_url or "hub:landing", **({} if next_url else {"slug": program.slug}))
    if not form.is_valid():
        return response
    code = form.cleaned_data["language"]
    advocate = hub_advocate(request, program)
    if advocate is not None:
        set_advocate_language(advocate, code)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 86400,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(), httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
