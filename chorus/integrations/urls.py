from django.urls import path

from .webhooks_in import views

app_name = "integrations"

urlpatterns = [
    path("stripe/<slug:slug>/", views.stripe_webhook, name="stripe_webhook"),
]
