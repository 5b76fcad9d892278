"""The home page's block regions as the theme version sets them (themes/layouts.py).

``{% home_regions as regions %}`` gives, for each region the web office defined (varied by the
site where it was unlocked), the site admin's home blocks that region takes, in the order the site
admin arranged them: at most ``max_blocks`` of the region's block types, each listing ``count``
items when the region sets it. A block no region takes is not shown: the regions are the limits.
"""

from django import template
from django.utils.safestring import mark_safe

from ..layouts import COUNTED_BLOCKS
from ..resolver import home_layout, theme_for_request

register = template.Library()

WIDE_BLOCKS = {"banner", "services", "topics"}


def _with_count(child, count):
    value = child.value
    if not count or child.block_type not in COUNTED_BLOCKS or not hasattr(value, "items"):
        return value
    return type(value)(child.block, [(name, count if name == "count" else item) for name, item in value.items()])


@register.simple_tag(takes_context=True)
def home_regions(context):
    request = context.get("request")
    page = context.get("page")
    theme = context.get("theme") or theme_for_request(request)
    regions = home_layout(request, theme)
    body = list(getattr(page, "body", None) or [])
    if not regions or not body:
        return []
    used = set()
    shown = []
    flat = context.flatten()
    for region in regions:
        items = []
        for index, child in enumerate(body):
            if len(items) >= (region.get("max_blocks") or 0):
                break
            if index in used or child.block_type not in region.get("blocks", []):
                continue
            used.add(index)
            html = child.block.render(_with_count(child, region.get("count")), context=flat)
            items.append({"type": child.block_type, "wide": child.block_type in WIDE_BLOCKS, "html": mark_safe(html)})  # noqa: S308 - the block's own template
        shown.append({"key": region["key"], "label": region["label"], "items": items})
    return shown
