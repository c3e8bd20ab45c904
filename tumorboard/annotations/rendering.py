"""Markdown for annotations: rendered without raw HTML, then sanitised."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# "js-default" leaves raw HTML out of the output; nh3 then removes anything
# that is not in this small list, whatever markdown-it produced.
_MARKDOWN = MarkdownIt("js-default", {"linkify": True}).enable("linkify")
# Bare addresses become links only when written out with http://, https:// or
# mailto: ("example.com", "www.x" and bare e-mail addresses stay text), and
# never for the other schemes linkify knows (ftp:, protocol-relative //).
_MARKDOWN.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
_MARKDOWN.linkify.add("ftp:", None)
_MARKDOWN.linkify.add("//", None)

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> Markup:
    """Safe HTML for an annotation body: no scripts, no event handlers, and
    only http, https and mailto links (bare addresses included), opened
    without referrer or opener."""
    html = _MARKDOWN.render(text or "")
    # Safe to mark up: the "js-default" preset passes no raw HTML through, and
    # nh3 then keeps only the tags, attributes and URL schemes listed above
    # (tests/annotations check scripts, handlers and javascript: links).
    return Markup(  # nosec B704
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
        )
    )
