"""API authentication: `Authorization: Bearer chorus_…`, scopes, and a per-key rate limit.

The key names the program: every endpoint acts on `request.auth.program` only.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from chorus.programs.models import ApiKey
from chorus.programs.services import authenticate_api_key

from . import ratelimit
from .api_errors import Forbidden, Unauthorized
from .errors import RateLimited

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_TOKEN_LENGTH = 200


def required_scope(method: str) -> str:
    return ApiKey.Scope.READ if method.upper() in READ_METHODS else ApiKey.Scope.WRITE


def has_scope(key: ApiKey, scope: str) -> bool:
    return scope in key.scopes or ApiKey.Scope.ADMIN in key.scopes


def require_admin(request) -> None:
    """Endpoints that administer the program (its settings) need a key with the `admin` scope."""
    if not has_scope(request.auth, ApiKey.Scope.ADMIN):
        raise Forbidden(_("This API key lacks the “%(scope)s” scope.") % {"scope": ApiKey.Scope.ADMIN})


class ApiKeyAuth(HttpBearer):
    """Resolves the bearer token to an active ApiKey, or answers 401/403/429 as JSON."""

    def __call__(self, request):
        header = request.headers.get("Authorization", "").strip()
        if not header:
            raise Unauthorized(_("Send your API key as Authorization: Bearer chorus_…"))
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(_("Use the Bearer scheme: Authorization: Bearer chorus_…"))
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token: str) -> ApiKey:
        well_formed = len(token) <= MAX_TOKEN_LENGTH and token.isascii() and token.isprintable()
        key = authenticate_api_key(token) if well_formed else None
        if key is None:
            raise Unauthorized(_("This API key is not valid or has been revoked."))
        try:
            ratelimit.hit(f"api-key:{key.prefix}", settings.CHORUS_API_RATE_LIMIT_PER_MINUTE)
        except RateLimited as error:
            raise RateLimited(
                _("Too many requests with this API key; retry in %(seconds)d seconds.") % {"seconds": error.retry_after},
                retry_after=error.retry_after,
            ) from None
        scope = required_scope(request.method)
        if not has_scope(key, scope):
            raise Forbidden(_("This API key lacks the “%(scope)s” scope.") % {"scope": scope})
        return key
