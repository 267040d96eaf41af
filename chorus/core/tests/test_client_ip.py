from chorus.core.ratelimit import client_ip_from_environ

ENVIRON = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}


def test_without_trusted_proxies_the_socket_address_counts(settings):
    settings.CHORUS_TRUSTED_PROXIES = 0
    assert client_ip_from_environ(ENVIRON) == "10.0.0.2"


def test_one_trusted_proxy_takes_the_address_it_saw_not_what_the_client_wrote(settings):
    settings.CHORUS_TRUSTED_PROXIES = 1
    assert client_ip_from_environ(ENVIRON) == "203.0.113.9"
    settings.CHORUS_TRUSTED_PROXIES = 2
    assert client_ip_from_environ(ENVIRON) == "6.6.6.6"
    settings.CHORUS_TRUSTED_PROXIES = 3  # fewer hops than proxies: fall back to the socket
    assert client_ip_from_environ(ENVIRON) == "10.0.0.2"
