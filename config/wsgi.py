"""WSGI entry point: `granian --interface wsgi config.wsgi:application` (or gunicorn).

Referral redirects (`GET /r/<code>` ending in a 302) are answered by a lean path in front
of Django (chorus.referrals.fastpath); every other request goes to Django unchanged.
`django_application` is the plain Django handler.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from chorus.referrals.fastpath import RedirectFastPath  # noqa: E402  (needs the apps loaded)

application = RedirectFastPath(django_application)
