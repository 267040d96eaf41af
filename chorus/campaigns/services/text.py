"""Rich text the marketer writes: sanitised once, when saved, so pages may show it as is."""

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "img", "li", "ol", "p", "pre",
    "s", "strong", "u", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}}


def sanitize_html(html: str) -> str:
    """Keep formatting, links and images; drop scripts, styles, event handlers and unsafe URLs."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow").strip()


def sanitize_texts(texts: dict) -> dict:
    return {language: sanitize_html(text) for language, text in (texts or {}).items() if isinstance(text, str)}
