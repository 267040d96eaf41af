"""Getting a demo ready to open: data, a console password, a hub login link, an API key."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from chorus.advocates.services import issue_login_token
from chorus.core.errors import RateLimited
from chorus.programs.services import create_api_key
from chorus.referrals.services.links import link_url

from .seed import DEMO_USERNAME, point_demo_at, seed_demo


@dataclass(frozen=True)
class DemoAccess:
    """Everything `chorus demo` prints."""

    created: bool
    base_url: str
    username: str
    password: str
    program_name: str
    advocate_name: str
    console_url: str
    hub_url: str
    hub_login_url: str  # empty when the advocate asked for too many links this hour
    referral_link: str
    shop_url: str
    api_docs_url: str
    api_key: str


def _path(name: str, args: list, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page another part of Chorus has not registered (yet)
        return fallback


def reset_demo_password(user) -> str:
    """A fresh password for the `demo` console user, printed by `chorus demo`."""
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


def prepare_demo(base_url: str | None = None) -> DemoAccess:
    """Seed once, point the demo at this run's address, and open the doors."""
    base_url = (base_url or settings.CHORUS_BASE_URL).rstrip("/")
    demo = seed_demo(base_url=base_url)
    with transaction.atomic():
        point_demo_at(base_url)
        password = reset_demo_password(demo.owner)
        _key, api_key = create_api_key(demo.program, name="chorus demo", user=demo.owner)
    slug = demo.program.slug
    try:
        token = issue_login_token(demo.star)
        hub_login = base_url + _path("hub:magic_link", [slug, token], f"/hub/{slug}/login/{token}/")
    except RateLimited:
        hub_login = ""
    return DemoAccess(
        created=demo.created, base_url=base_url, username=DEMO_USERNAME, password=password,
        program_name=demo.program.name, advocate_name=demo.star.name,
        console_url=base_url + _path("console:home", [], "/console/"),
        hub_url=base_url + _path("hub:dashboard", [slug], f"/hub/{slug}/"),
        hub_login_url=hub_login, referral_link=link_url(demo.star.link),
        shop_url=base_url + reverse("demo:landing"), api_docs_url=f"{base_url}/api/v1/docs",
        api_key=api_key,
    )
