"""Referral channels: where a click on an advocate's link came from.

A click's channel is read from its `Referer` host (the only signal a plain link carries):
a known social network or messenger, a webmail or search site, or "direct" when there is
none. Shared by the metric catalogue (per-channel breakdowns) and the rollups, so a
channel means the same thing on every page.
"""

from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

LABELS = {
    "direct": _("Direct or app"),
    "email": _("Email"),
    "facebook": _("Facebook"),
    "x": _("X (Twitter)"),
    "linkedin": _("LinkedIn"),
    "whatsapp": _("WhatsApp"),
    "instagram": _("Instagram"),
    "reddit": _("Reddit"),
    "search": _("Search"),
    "other": _("Other websites"),
}
CHANNELS = tuple(LABELS)

_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "messenger.com", "fb.me"),
    "x": ("twitter.com", "t.co", "x.com"),
    "linkedin": ("linkedin.com", "lnkd.in"),
    "whatsapp": ("whatsapp.com", "wa.me"),
    "instagram": ("instagram.com",),
    "reddit": ("reddit.com",),
    "email": ("mail.google.com", "outlook.live.com", "outlook.office.com", "mail.yahoo.com", "mail.proton.me",
              "webmail", "mail."),
    "search": ("google.", "bing.com", "duckduckgo.com", "yandex.", "baidu.com", "ecosia.org", "search.brave.com"),
}


def channel_of(referrer: str) -> str:
    """The channel key of a click whose Referer was `referrer` (any string, possibly empty)."""
    if not referrer:
        return "direct"
    host = (urlsplit(referrer if "//" in referrer else f"//{referrer}").hostname or "").lower()
    if not host:
        return "direct"
    host = host.removeprefix("www.").removeprefix("m.").removeprefix("l.").removeprefix("lm.")
    for channel in ("email", "facebook", "x", "linkedin", "whatsapp", "instagram", "reddit", "search"):
        for pattern in _HOSTS[channel]:
            if pattern.endswith(".") or pattern == "webmail":
                if host.startswith(pattern) or f".{pattern}" in f".{host}":
                    return channel
            elif host == pattern or host.endswith(f".{pattern}"):
                return channel
    return "other"


def label(channel: str) -> str:
    return str(LABELS.get(channel, channel))
