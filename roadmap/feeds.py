"""The public roadmap as an Atom feed: public items, in public text, newest change first."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from intake.markdown import render_markdown
from intake.text import strip_control_characters

from . import selectors
from .views import cached_public

FEED_LENGTH = 50


class PublicRoadmapFeed(Feed):
    feed_type = Atom1Feed
    title = "Product roadmap"
    subtitle = "What we are building next, and what has shipped."

    # Absolute from SITE_URL, never from the Host header: the feed is cached and shared.
    def link(self):
        return f"{settings.SITE_URL}/roadmap/"

    def feed_url(self):
        return f"{settings.SITE_URL}/roadmap/feed/"

    def items(self):
        items = selectors.public_items()
        items.sort(key=lambda item: (item.shipped_at is not None, item.shipped_at), reverse=True)
        return items[:FEED_LENGTH]

    def item_title(self, item):
        prefix = "Shipped: " if item.shipped else f"{item.stage_label}: "
        # XML 1.0 cannot carry control characters; text typed in the admin may hold them.
        return strip_control_characters(prefix + item.title)

    def item_description(self, item):
        text = item.description
        if item.shipped and item.changelog:
            text = f"{item.changelog}\n\n{text}" if text else item.changelog
        return render_markdown(strip_control_characters(text))

    def item_link(self, item):
        return f"{settings.SITE_URL}/roadmap/#item-{item.id}"

    def item_guid(self, item):
        return f"{settings.SITE_URL}/roadmap/#item-{item.id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.shipped_at

    def item_categories(self, item):
        return ["shipped" if item.shipped else item.horizon]


def _render_feed(request) -> str:
    return PublicRoadmapFeed()(request).content.decode()


feed = cached_public("feed", _render_feed, "application/atom+xml; charset=utf-8")
