from django.urls import path

from . import views

app_name = "demo"
urlpatterns = [
    path("shop/", views.landing, name="landing"),
    path("shop/signup/", views.signup, name="signup"),
    path("shop/welcome/", views.welcome, name="welcome"),
    path("shop/buy/", views.buy, name="buy"),
    path("shop/order/", views.order, name="order"),
    path("shop/refund/", views.refund, name="refund"),
    path("shop/sign-out/", views.sign_out, name="sign_out"),
]
