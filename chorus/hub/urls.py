from django.urls import path, re_path

from .views import (
    account,
    asks,
    clicks,
    community,
    dashboard,
    emails,
    nps,
    pages,
    recognition,
    snippet,
    store,
)

app_name = "hub"
urlpatterns = [
    # The click (an optional trailing slash is forgiven: people retype links).
    re_path(r"^r/(?P<code>[^/]+)/?$", clicks.click, name="click"),
    re_path(r"^r/(?P<slug>[-\w]+)/(?P<vanity>[^/]+)/?$", clicks.vanity_click, name="vanity_click"),
    # The merchant snippet and the events it sends.
    path("s/chorus.js", snippet.snippet, name="snippet"),
    path("t/<slug:slug>/events", snippet.events, name="events"),
    # Email links: unsubscribe (POST only acts), public preference centre, tracked clicks.
    re_path(r"^u/(?P<token>[^/]+)/?$", emails.unsubscribe, name="unsubscribe"),
    path("u/<str:token>/preferences/", emails.public_preferences, name="email_preferences_public"),
    path("e/c/<str:token>", emails.click, name="email_click"),
    # Public program pages.
    path("p/<slug:slug>/", pages.landing, name="landing"),
    path("p/<slug:slug>/invite/<str:code>/", pages.friend, name="friend"),
    path("p/<slug:slug>/invite/<str:code>/go/", pages.friend_continue, name="friend_continue"),
    path("p/<slug:slug>/claim/", pages.claim, name="claim"),
    path("p/<slug:slug>/join/", account.join, name="join"),
    path("p/<slug:slug>/wall/", recognition.wall, name="wall"),
    path("p/<slug:slug>/nps/<str:token>/", nps.survey, name="nps_survey"),
    path("p/<slug:slug>/content/<int:item_id>/", community.content_page, name="content_page"),
    path("p/<slug:slug>/content/<int:item_id>/image", community.content_image, name="content_image"),
    # The advocate's hub.
    path("hub/<slug:slug>/", dashboard.dashboard, name="dashboard"),
    path("hub/<slug:slug>/login/", account.login, name="login"),
    path("hub/<slug:slug>/login/<str:token>/", account.magic_link, name="magic_link"),
    path("hub/<slug:slug>/logout/", account.logout, name="logout"),
    path("hub/<slug:slug>/language/", account.language, name="language"),
    path("hub/<slug:slug>/vanity/", dashboard.vanity, name="vanity"),
    path("hub/<slug:slug>/qr.svg", dashboard.qr_svg, name="qr_svg"),
    path("hub/<slug:slug>/qr.png", dashboard.qr_png, name="qr_png"),
    path("hub/<slug:slug>/asks/", asks.ask_list, name="asks"),
    path("hub/<slug:slug>/asks/<int:ask_id>/", asks.ask_detail, name="ask_detail"),
    path("hub/<slug:slug>/asks/<int:ask_id>/complete/", asks.ask_complete, name="ask_complete"),
    path("hub/<slug:slug>/progress/", recognition.progress, name="progress"),
    path("hub/<slug:slug>/leaderboard/", recognition.leaderboard, name="leaderboard"),
    path("hub/<slug:slug>/profile/", recognition.profile, name="profile"),
    path("hub/<slug:slug>/emails/", emails.hub_preferences, name="email_preferences"),
    path("hub/<slug:slug>/rewards/", store.store, name="store"),
    path("hub/<slug:slug>/rewards/<int:item_id>/", store.redeem, name="redeem"),
    path("hub/<slug:slug>/redemptions/", store.my_redemptions, name="redemptions"),
    path("hub/<slug:slug>/redemptions/<int:redemption_id>/cancel/", store.cancel, name="redemption_cancel"),
    path("hub/<slug:slug>/content/", community.content_vault, name="content"),
    path("hub/<slug:slug>/events/", community.events_page, name="access_events"),
    path("hub/<slug:slug>/events/<int:event_id>/rsvp/", community.event_rsvp, name="event_rsvp"),
    path("hub/<slug:slug>/events/<int:event_id>/qr.svg", community.event_qr, name="event_qr"),
    path("hub/<slug:slug>/events/<int:event_id>/members/", community.club_members, name="event_members"),
]
