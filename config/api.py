"""The one NinjaAPI behind /api/v1 (OpenAPI at /api/v1/docs)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Chorus API", version="1.0.0", urls_namespace="api")
