from django.contrib.auth import views as auth_views
from django.urls import path

from .views import advocates, api_keys, catalog, funnel, programs, reviews, rules
from .views.auth import LoginView

app_name = "console"
urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", programs.home, name="home"),
    path("programs/new/", programs.new_program, name="new_program"),
    path("programs/<slug:slug>/", programs.program_home, name="program"),
    path("programs/<slug:slug>/settings/", programs.program_settings, name="settings"),
    path("programs/<slug:slug>/rules/", rules.rules, name="rules"),
    path("programs/<slug:slug>/rules/<int:rule_id>/", rules.rule_edit, name="rule_edit"),
    path("programs/<slug:slug>/rules/<int:rule_id>/delete/", rules.rule_delete, name="rule_delete"),
    path("programs/<slug:slug>/advocates/", advocates.advocates, name="advocates"),
    path("programs/<slug:slug>/advocates/new/", advocates.advocate_add, name="advocate_add"),
    path("programs/<slug:slug>/funnel/", funnel.funnel, name="funnel"),
    path("programs/<slug:slug>/reviews/", reviews.review_queue, name="reviews"),
    path("programs/<slug:slug>/reviews/<int:referral_id>/", reviews.review_decide, name="review_decide"),
    path("programs/<slug:slug>/catalog/", catalog.catalog, name="catalog"),
    path("programs/<slug:slug>/catalog/new/", catalog.item_new, name="catalog_new"),
    path("programs/<slug:slug>/catalog/<int:item_id>/", catalog.item_edit, name="catalog_item"),
    path("programs/<slug:slug>/catalog/<int:item_id>/codes/", catalog.item_codes, name="catalog_codes"),
    path("programs/<slug:slug>/catalog/<int:item_id>/delete/", catalog.item_delete, name="catalog_delete"),
    path("programs/<slug:slug>/fulfilment/", catalog.fulfilment_queue, name="fulfilment"),
    path("programs/<slug:slug>/redemptions/", catalog.redemption_list, name="redemptions"),
    path("programs/<slug:slug>/redemptions/<int:redemption_id>/", catalog.redemption_decide, name="redemption_decide"),
    path("programs/<slug:slug>/api-keys/", api_keys.api_keys, name="api_keys"),
    path("programs/<slug:slug>/api-keys/<int:key_id>/revoke/", api_keys.api_key_revoke, name="api_key_revoke"),
]
