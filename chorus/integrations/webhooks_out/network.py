"""Where webhooks may go, and how they get there.

No server-side request forgery: an endpoint's host must resolve only to public addresses
(not loopback, private, link-local, multicast, reserved, unspecified or a cloud metadata
address — IPv4-mapped IPv6 included), checked when the endpoint is registered and again
before every request. The request then connects to the address that was checked (pinned:
a DNS answer that changes in between cannot redirect it) while sending the URL's host in
the Host header and TLS SNI. `CHORUS_WEBHOOK_ALLOWED_NETWORKS` (CIDRs) lets on-premise
targets through; plain http is accepted only for them, or with DEBUG.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from chorus.core.errors import InvalidInput

MAX_URL_LENGTH = 2000
BODY_KEPT = 500
BODY_READ = 64 * 1024
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack…
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("168.63.129.16"),  # Azure wire server (a public address)
}


class UnsafeURL(InvalidInput):
    def __init__(self, message: str):
        super().__init__(message, field_errors={"url": [message]}, code="unsafe_url")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the vetted IP the request connects to


def allowed_networks() -> list:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.CHORUS_WEBHOOK_ALLOWED_NETWORKS]


def _plain(address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_allow_listed(address) -> bool:
    address = _plain(address)
    return any(address.version == network.version and address in network for network in allowed_networks())


def is_public(address) -> bool:
    address = _plain(address)
    if address in METADATA_ADDRESSES:
        return False
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_loopback
                                      or address.is_link_local or address.is_private or address.is_unspecified)


def _split(url: str):
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(_("Enter an http(s) URL of at most %(limit)d characters.") % {"limit": MAX_URL_LENGTH})
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeURL(_("This URL cannot be read.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(_("Use an http:// or https:// URL with a host name."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("Leave user names and passwords out of the URL; verify requests by their signature."))
    return parts, port or (443 if parts.scheme == "https" else 80)


def _resolve(host: str, port: int) -> list:
    try:
        return [_plain(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(_("The host name “%(host)s” does not resolve.") % {"host": host}) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        address = _plain(ipaddress.ip_address(sockaddr[0].split("%", 1)[0]))
        if address not in addresses:
            addresses.append(address)
    return addresses


def vet_url(url: str) -> Target:
    """The URL's target if every address its host resolves to may receive webhooks; else UnsafeURL (422)."""
    parts, port = _split(url)
    host = parts.hostname
    addresses = _resolve(host, port)
    refused = [address for address in addresses if not (is_allow_listed(address) or is_public(address))]
    if not addresses or refused:
        raise UnsafeURL(_("Webhooks cannot go to “%(host)s”: it resolves to a private, loopback, link-local or "
                          "metadata address (%(address)s).") % {"host": host, "address": refused[0] if refused else "-"})
    if parts.scheme != "https" and not settings.DEBUG and not all(is_allow_listed(a) for a in addresses):
        raise UnsafeURL(_("Use an https:// URL: webhooks carry your program's data."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=str(addresses[0]))


# --- sending ---------------------------------------------------------------------------------

class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status_code: int | None
    body: str
    error: str
    duration_ms: int
    retry_after: str


def post(target: Target, body: bytes, headers: dict[str, str]) -> Response:
    """POST once, following no redirect, within the configured timeout (connect, then each read)."""
    timeout = settings.CHORUS_WEBHOOK_TIMEOUT_SECONDS
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers={"User-Agent": "Chorus-Webhooks/1", **headers})
        answer = connection.getresponse()
        text = answer.read(BODY_READ).decode("utf-8", "replace")[:BODY_KEPT]
        return Response(answer.status, text, "", _elapsed(started), answer.getheader("Retry-After", "") or "")
    except TimeoutError:
        return Response(None, "", _("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout:g}"},
                        _elapsed(started), "")
    except (OSError, http.client.HTTPException) as error:
        return Response(None, "", f"{type(error).__name__}: {error}"[:300], _elapsed(started), "")
    finally:
        connection.close()


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
