import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from chorus.advocates.models import Account, Customer
from chorus.core.emails import normalize_email

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
TRACKED = re.compile(r"(http://127\.0\.0\.1:8000/e/c/[^\s\"<>]+)")


def make_customer(program, email: str, name: str = "", *, language: str = "", external_id: str = "",
                  account=None) -> Customer:
    return Customer.objects.create(
        program=program, email=email, email_normalized=normalize_email(email) if email else "", name=name,
        language=language, external_id=external_id, account=account, first_seen_at=timezone.now())


def tracked_link(smtp_server, address: str) -> str:
    """The call-to-action link of the last email to `address` (the /e/c/ tracking redirect)."""
    message = smtp_server.messages_to(address)[-1]
    return TRACKED.search(message.get_body(preferencelist=("plain",)).get_content()).group(1)


def follow_to_invitation(client, tracked_url: str) -> str:
    """Follow the tracked link like a mail client: the path of the invitation page it leads to."""
    response = client.get(tracked_url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 302
    return response["Location"].removeprefix("http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor(client):
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    client.defaults["REMOTE_ADDR"] = "203.0.113.20"
    return client


@pytest.fixture
def globex(program):
    return Account.objects.create(program=program, name="Globex", external_id="acc_globex")


@pytest.fixture
def ana(program, globex):
    return make_customer(program, "ana@example.pl", "Ana Nowak", language="pl", external_id="cus_ana", account=globex)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
