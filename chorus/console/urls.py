from django.contrib.auth import views as auth_views
from django.urls import path

from .views import advocates, api_keys, asks, catalog, funnel, programs, recognition, reviews, rules
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
    path("programs/<slug:slug>/asks/", asks.ask_list, name="asks"),
    path("programs/<slug:slug>/asks/new/", asks.ask_new, name="ask_new"),
    path("programs/<slug:slug>/asks/<int:ask_id>/", asks.ask_edit, name="ask_edit"),
    path("programs/<slug:slug>/asks/<int:ask_id>/delete/", asks.ask_delete, name="ask_delete"),
    path("programs/<slug:slug>/moderation/", asks.moderation, name="moderation"),
    path("programs/<slug:slug>/moderation/<int:completion_id>/", asks.moderation_decide, name="moderation_decide"),
    path("programs/<slug:slug>/completions/<int:completion_id>/evidence/", asks.completion_evidence,
         name="completion_evidence"),
    path("programs/<slug:slug>/feedback/", asks.feedback, name="feedback"),
    path("programs/<slug:slug>/levels/", recognition.levels, name="levels"),
    path("programs/<slug:slug>/badges/", recognition.badges, name="badges"),
    path("programs/<slug:slug>/badges/<int:badge_id>/", recognition.badge_edit, name="badge_edit"),
    path("programs/<slug:slug>/badges/<int:badge_id>/delete/", recognition.badge_delete, name="badge_delete"),
    path("programs/<slug:slug>/leaderboard/", recognition.leaderboard, name="leaderboard"),
    path("programs/<slug:slug>/wall/", recognition.wall, name="wall"),
    path("programs/<slug:slug>/wall/<int:advocate_id>/remove/", recognition.wall_remove, name="wall_remove"),
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
