"""Small helpers shared by hub views."""

from functools import wraps

from django.conf import settings
from django.shortcuts import render

from chorus.core.errors import RateLimited
from chorus.core.ratelimit import client_ip, hit


def rate_limited_page(request, error, *, program=None):
    response = render(request, "hub/rate_limited.html", {"program": program, "retry_after": error.retry_after},
                      status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def public_rate_limit(page: str):
    """At most CHORUS_PUBLIC_RATE_LIMIT_PER_MINUTE requests a minute per visitor IP to this public
    page; past it, a 429 page with Retry-After before the view does anything."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                hit(f"public:{page}:{client_ip(request)}", settings.CHORUS_PUBLIC_RATE_LIMIT_PER_MINUTE)
            except RateLimited as error:
                return rate_limited_page(request, error)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
