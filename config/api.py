"""The one NinjaAPI behind /api/v1 (OpenAPI at /api/v1/docs).

Domain routers stay thin (`chorus/<app>/api.py`); this module wires them together with
API-key auth, the JSON body parser and error handlers that answer every error as
`{"error", "message", "field_errors"}` JSON — wrong paths and methods included.
"""

from django.urls import URLPattern, re_path
from ninja import NinjaAPI

from chorus.advocates.api import router as advocates_router
from chorus.advocates.customers_api import router as customers_router
from chorus.analytics.api import router as analytics_router
from chorus.campaigns.api import router as asks_router
from chorus.campaigns.community_api import router as community_router
from chorus.core.api_auth import ApiKeyAuth
from chorus.core.api_errors import (
    JsonObjectParser,
    install_error_handlers,
    method_not_allowed,
    not_found_view,
)
from chorus.insights.api import router as nps_router
from chorus.integrations.providers.segment.api import router as segment_router
from chorus.integrations.webhooks_out.api import router as webhooks_router
from chorus.invitations.api import router as invitations_router
from chorus.notifications.api import router as email_router
from chorus.privacy.api import router as people_router
from chorus.programs.api import router as program_router
from chorus.programs.plan_api import router as plan_router
from chorus.referrals.api import router as conversions_router
from chorus.referrals.leads_api import router as leads_router
from chorus.rewards.catalog_api import router as catalog_router
from chorus.rewards.recognition_api import router as recognition_router
from chorus.rewards.rewards_api import router as rewards_router

DESCRIPTION = """
Server-side API of a Chorus program. Authenticate with the program's API key:
`Authorization: Bearer chorus_…` (create one in the console or with
`python manage.py apikey create --program SLUG`). GET needs the `read` scope; POST, PATCH
and DELETE `write`; changing the program's settings `admin`.

* Amounts are integers in minor units (1250 = 12.50); times are ISO 8601 with a time zone.
* Send `Idempotency-Key` on POSTs to make retries safe (Stripe semantics, 24 hours).
* Lists answer `{"items": [...], "next_cursor": …}`: pass `next_cursor` back as `?cursor=`
  (`limit` 1–500). With `updated_since` they list what changed since then, oldest change first.
* Errors are JSON: `{"error": code, "message": text, "field_errors": {field: [messages]}}`;
  429 responses carry `Retry-After`.
"""


class ChorusAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = method_not_allowed(pattern.callback)
        urls.append(re_path(r"^.*$", not_found_view, name="not-found"))
        return urls


api = ChorusAPI(
    title="Chorus API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=ApiKeyAuth(),
    parser=JsonObjectParser(),
)
install_error_handlers(api)
api.add_router("", program_router)
api.add_router("", conversions_router)
api.add_router("", advocates_router)
api.add_router("", asks_router)
api.add_router("", rewards_router)
api.add_router("", recognition_router)
api.add_router("", catalog_router)
api.add_router("", community_router)
api.add_router("", analytics_router)
api.add_router("", leads_router)
api.add_router("", customers_router)
api.add_router("", people_router)
api.add_router("", invitations_router)
api.add_router("", nps_router)
api.add_router("", email_router)
api.add_router("", plan_router)
api.add_router("", segment_router)
api.add_router("", webhooks_router)
