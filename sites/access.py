"""Who may read restricted content on a site: the one rule behind pages and private documents.

Wagtail's "login required" admits anyone with an account. Accounts here are shared by the whole
cluster (one sign-on for every site), so that would let an editor of jtj read jyj's login-only
pages and documents. On a site, "login required" therefore means a member of that site (a role
bound to it) or the web office; "these groups" counts only groups bound to the current site or to
the whole cluster. Password restrictions are Wagtail's own and unchanged.
"""

from django.conf import settings
from django.db import connection
from wagtail.models import BaseViewRestriction

from .models import SiteGroup


def current_schema():
    return getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)


def is_site_member(user, schema_name=None):
    """True for the web office and for users with a role on the site (current schema by default)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    schema_name = schema_name or current_schema()
    cache = user.__dict__.setdefault("_cms_member_cache", {})
    if schema_name not in cache:
        cache[schema_name] = SiteGroup.objects.for_schema(schema_name).filter(group__user=user).exists()
    return cache[schema_name]


def refuses(restriction, user):
    """True when a signed-in ``user`` is admitted by Wagtail's check but not by the cluster's rule."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return False  # the anonymous are sent to the login page by Wagtail itself
    if restriction.restriction_type == BaseViewRestriction.LOGIN:
        return not is_site_member(user)
    if restriction.restriction_type == BaseViewRestriction.GROUPS:
        own_groups = SiteGroup.objects.for_schema(current_schema()).values("group_id")
        return not restriction.groups.filter(pk__in=own_groups, user=user).exists()
    return False


def refuses_any(restrictions, user):
    return any(refuses(restriction, user) for restriction in restrictions)
