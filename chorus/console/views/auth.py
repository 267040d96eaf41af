"""Marketer login: Django's auth views, with a rate limit on attempts per address."""

from django.contrib.auth import views as auth_views

from chorus.core import ratelimit
from chorus.core.errors import RateLimited

LOGIN_ATTEMPTS_PER_MINUTE = 10


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        try:
            ratelimit.hit(f"console-login:{ratelimit.client_ip(request)}", LOGIN_ATTEMPTS_PER_MINUTE)
        except RateLimited as error:  # refuse before any password is checked
            form = self.form_class(request, initial={"username": request.POST.get("username", "")})
            response = self.render_to_response(self.get_context_data(form=form, rate_limited=True), status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        return super().post(request, *args, **kwargs)
