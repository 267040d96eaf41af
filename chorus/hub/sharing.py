"""Share links for the hub: plain URLs, no third-party scripts on our pages."""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ShareTarget:
    key: str
    label: str
    url: str


def share_text(program) -> str:
    """The invitation without the link (networks that take the URL separately)."""
    if program.friend_offer:
        return _("Join me on %(program)s: %(offer)s") % {"program": program.name, "offer": program.friend_offer}
    return _("Join me on %(program)s") % {"program": program.name}


def share_message(program, url: str) -> str:
    """The invitation with the link, for email, SMS and chat."""
    if program.friend_offer:
        return _("Join me on %(program)s: %(offer)s %(url)s") % {
            "program": program.name, "offer": program.friend_offer, "url": url}
    return _("Join me on %(program)s: %(url)s") % {"program": program.name, "url": url}


def _query(**params) -> str:
    return urlencode(params, quote_via=quote)


def share_targets(program, url: str) -> list[ShareTarget]:
    message = share_message(program, url)
    subject = _("An invitation to %(program)s") % {"program": program.name}
    return [
        ShareTarget("email", _("Email"), f"mailto:?{_query(subject=subject, body=message)}"),
        ShareTarget("sms", _("SMS"), f"sms:?&body={quote(message)}"),
        ShareTarget("whatsapp", _("WhatsApp"), f"https://wa.me/?{_query(text=message)}"),
        ShareTarget("x", _("X"), f"https://x.com/intent/tweet?{_query(text=share_text(program), url=url)}"),
        ShareTarget("linkedin", _("LinkedIn"), f"https://www.linkedin.com/sharing/share-offsite/?{_query(url=url)}"),
        ShareTarget("facebook", _("Facebook"), f"https://www.facebook.com/sharer/sharer.php?{_query(u=url)}"),
    ]


def content_share_targets(item, url: str) -> list[ShareTarget]:
    """Share buttons for a content-vault item: the item's suggested text with the advocate's link."""
    text = item.localized_share_text() or item.localized_title()
    return [
        ShareTarget("email", _("Email"), f"mailto:?{_query(subject=item.localized_title(), body=f'{text} {url}')}"),
        ShareTarget("x", _("X"), f"https://x.com/intent/tweet?{_query(text=text, url=url)}"),
        ShareTarget("linkedin", _("LinkedIn"), f"https://www.linkedin.com/sharing/share-offsite/?{_query(url=url)}"),
        ShareTarget("facebook", _("Facebook"), f"https://www.facebook.com/sharer/sharer.php?{_query(u=url)}"),
        ShareTarget("whatsapp", _("WhatsApp"), f"https://wa.me/?{_query(text=f'{text} {url}')}"),
    ]
