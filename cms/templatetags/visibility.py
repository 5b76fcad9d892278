"""``{{ pages|listed }}`` in templates: the one visibility rule (cms.visibility), not ``.live``."""

from django import template

from cms.visibility import listed as listed_pages

register = template.Library()


@register.filter
def listed(pages):
    return listed_pages(pages)
