"""No server-side request forgery: private targets are refused at registration and at send time."""

import pytest

from chorus.integrations.webhooks_out import delivery, emit
from chorus.integrations.webhooks_out.models import Attempt, Delivery, Endpoint
from chorus.integrations.webhooks_out.network import UnsafeURL, vet_url
from chorus.integrations.webhooks_out.services import create_endpoint


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook",
    "https://127.1.2.3:8443/hook",
    "https://10.0.0.5/hook",
    "https://172.16.3.4/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://[fd00:ec2::254]/hook",
    "https://[fe80::1]/hook",
    "https://localhost/hook",
    "https://localhost.:8000/hook",
])
def test_private_loopback_link_local_and_metadata_targets_are_refused_at_registration(program, settings, url):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(UnsafeURL) as refused:
        create_endpoint(program, url=url, event_types=["advocate.joined"])
    assert refused.value.status_code == 422
    assert "url" in refused.value.field_errors
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("url", ["ftp://93.184.215.14/x", "https://user:pw@93.184.215.14/", "https:///nohost",
                                 "javascript:alert(1)", "http://93.184.215.14/hook", "https://93.184.215.14:99999/"])
def test_malformed_or_plain_http_urls_are_refused(program, settings, url):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(UnsafeURL):
        create_endpoint(program, url=url, event_types=["advocate.joined"])
    assert not Endpoint.objects.exists()


def test_public_https_addresses_are_accepted_and_pinned(settings):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []
    target = vet_url("https://93.184.215.14:8443/in?x=1")
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https", "93.184.215.14", 8443, "/in?x=1", "93.184.215.14")


def test_the_allow_list_lets_an_on_premise_network_through(settings):
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert vet_url("http://10.20.3.4/hook").address == "10.20.3.4"
    with pytest.raises(UnsafeURL):
        vet_url("http://10.21.3.4/hook")


def test_a_host_that_now_resolves_privately_is_refused_at_send_time_without_connecting(
        program, receiver, settings, django_capture_on_commit_callbacks):
    endpoint, _secret = create_endpoint(program, url=receiver.url(host="localhost"), event_types=["advocate.joined"])
    settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS = []  # localhost is loopback again: it must not be reached

    with django_capture_on_commit_callbacks(execute=True):
        emit(program, "advocate.joined", {"advocate": {"id": 1}}, "advocate:1")

    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert "resolves to a private, loopback" in attempt.error
    sent = Delivery.objects.get()
    assert sent.status == "pending"
    assert delivery.deliver(sent.pk, now=sent.next_attempt_at) == "pending"
    assert receiver.requests == []
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
