import pytest

from chorus.analytics.channels import channel_of


@pytest.mark.parametrize(("referrer", "channel"), [
    ("", "direct"),
    ("https://www.facebook.com/", "facebook"),
    ("https://l.facebook.com/l.php?u=x", "facebook"),
    ("https://t.co/abc", "x"),
    ("https://www.linkedin.com/feed/", "linkedin"),
    ("https://web.whatsapp.com/", "whatsapp"),
    ("https://mail.google.com/mail/u/0/", "email"),
    ("https://outlook.live.com/mail/0/", "email"),
    ("https://www.google.com/", "search"),
    ("https://www.google.de/", "search"),
    ("https://duckduckgo.com/", "search"),
    ("https://blog.example.com/post", "other"),
    ("not a url at all", "other"),
    ("https://notfacebook.com/", "other"),
])
def test_channel_is_read_from_the_referrer_host(referrer, channel):
    assert channel_of(referrer) == channel
