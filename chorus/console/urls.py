from django.contrib.auth import views as auth_views
from django.urls import path

from .views import advocates, api_keys, community, funnel, programs, reviews, rules
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
    path("programs/<slug:slug>/content/", community.content_list, name="content"),
    path("programs/<slug:slug>/content/<int:item_id>/", community.content_edit, name="content_edit"),
    path("programs/<slug:slug>/content/<int:item_id>/delete/", community.content_delete, name="content_delete"),
    path("programs/<slug:slug>/events/", community.events_list, name="events"),
    path("programs/<slug:slug>/events/<int:event_id>/", community.event_detail, name="event"),
    path("programs/<slug:slug>/events/<int:event_id>/invite/", community.event_invite, name="event_invite"),
    path("programs/<slug:slug>/events/<int:event_id>/check-in/", community.event_check_in, name="event_check_in"),
    path("programs/<slug:slug>/api-keys/", api_keys.api_keys, name="api_keys"),
    path("programs/<slug:slug>/api-keys/<int:key_id>/revoke/", api_keys.api_key_revoke, name="api_key_revoke"),
]
