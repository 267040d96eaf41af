"""Small helpers shared by hub views."""

from django.shortcuts import render


def rate_limited_page(request, error, *, program=None):
    response = render(request, "hub/rate_limited.html", {"program": program, "retry_after": error.retry_after},
                      status=429)
    response["Retry-After"] = str(error.retry_after)
    return response
