from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("console/", include("chorus.console.urls")),
    path("demo/", include("chorus.demo.urls")),
    path("integrations/", include("chorus.integrations.urls")),
    path("admin/", admin.site.urls),
    path("", include("chorus.hub.urls")),
]

handler404 = "chorus.hub.views.errors.not_found"
handler500 = "chorus.hub.views.errors.server_error"
