"""The product's own name in the admin (``{% product_name %}``), from ``WAGTAIL_SITE_NAME``."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def product_name():
    """The cluster product's name (政务网站集群 unless a deployment renames it)."""
    return settings.WAGTAIL_SITE_NAME
