from django import template
from django.utils.safestring import mark_safe

from intake import selectors
from intake.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    # Safe because render_markdown sanitises with nh3 after rendering.
    return mark_safe(render_markdown(text))  # noqa: S308


@register.inclusion_tag("admin/intake/background_work.html")
def background_work():
    """The long work under way (or just finished) that follows what a PM did."""
    return {"work": selectors.background_work()}
