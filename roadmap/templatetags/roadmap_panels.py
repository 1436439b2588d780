"""`item_panels|for_item:item.id`: what other apps add to one item's card
(config/extensions.py)."""

from django import template

register = template.Library()


@register.filter
def for_item(panels: dict, item_id) -> list:
    return (panels or {}).get(item_id, [])


@register.filter
def interest_of(interests: dict, pk):
    """`item_interests|interest_of:item.id`: what the organization said about it, if anything."""
    return (interests or {}).get(pk)
