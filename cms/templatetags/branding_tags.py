"""``{% site_branding as branding %}``: the site's own logo and banner in a themed header."""

from django import template

from themes.resolver import theme_for_request

from ..models import SiteBranding

register = template.Library()


@register.simple_tag(takes_context=True)
def site_branding(context):
    """The site's own logo and banner as far as the request's theme allows (``cms.SiteBranding``).

    A tag rather than page context, so every view rendered with a theme (search, error pages)
    shows the same header.
    """
    request = context.get("request")
    theme = context.get("theme") or theme_for_request(request)
    return SiteBranding.shown_for_request(request, theme)
