"""The login page's 统一身份认证 button, and whether it still shows the password form."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from sites.cas import client as cas_client
from sites.oidc import client

register = template.Library()


@register.simple_tag
def local_password_login():
    """False when the deployment accepts the identity service only (``CMS_LOCAL_PASSWORD_LOGIN=0``)."""
    return bool(settings.CMS_LOCAL_PASSWORD_LOGIN)


@register.inclusion_tag("sites_oidc/login_button.html", takes_context=True)
def oidc_login_button(context):
    """The button (OpenID Connect, CAS, or both), carrying the login page's ``next``; nothing when
    no identity service is configured."""
    next_url = context.get("next") or ""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    url = reverse("oidc_login") + query if client.is_configured() else ""
    cas_url = reverse("cas_login") + query if cas_client.is_configured() else ""
    return {
        "oidc_login_url": url,
        "cas_login_url": cas_url,
        "local_password_login": bool(settings.CMS_LOCAL_PASSWORD_LOGIN),
    }
