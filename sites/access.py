"""Tenancy and permissions in one place: the current site, the web office, roles on a site, and who
may read restricted content.

Each of these rules was once written in several apps, a little differently each time (one
``is_web_office`` skipped ``is_active``); everything above ``sites/`` imports them from here.

Who may read restricted content on a site (pages and private documents):

Wagtail's "login required" admits anyone with an account. Accounts here are shared by the whole
cluster (one sign-on for every site), so that would let an editor of jtj read jyj's login-only
pages and documents. On a site, "login required" therefore means a member of that site (a role
bound to it) or the web office; "these groups" counts only groups bound to the current site or to
the whole cluster. Password restrictions are Wagtail's own and unchanged.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from wagtail.models import BaseViewRestriction
from wagtail.permission_policies.base import BasePermissionPolicy

from .models import Role, SiteGroup, Tenant


def current_schema():
    return getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)


def current_site():
    """The Tenant row whose schema is active (on the public schema, the public tenant).

    ``schema_context`` (commands, workers, seeding) sets only a stand-in with the schema name: the
    real row is loaded then.
    """
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and tenant.pk:
        return tenant
    return Tenant.objects.filter(schema_name=current_schema()).first()


def is_web_office(user):
    """网站办: an active account holding the cluster-wide role (granted as superuser, sites/roles.py)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


class WebOfficeOnlyPolicy(BasePermissionPolicy):
    """A Wagtail permission policy for the cluster's shared lists (word lists, synonyms): every action
    for the web office, none for anybody else, whatever model permissions a group was given."""

    def user_has_permission(self, user, action):
        return is_web_office(user)

    def user_has_any_permission(self, user, actions):
        return is_web_office(user)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, is_superuser=True)


def roles_on(user, tenant):
    """The user's site roles on ``tenant`` (a set of Role); the web office is ``is_web_office``."""
    if tenant is None or user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {
        Role(role) for role in SiteGroup.objects.filter(tenant=tenant, group__user=user).values_list("role", flat=True)
    }


def has_site_role(user, *roles):
    """True when ``user`` holds one of ``roles`` on the site whose schema is active."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return SiteGroup.objects.filter(tenant__schema_name=current_schema(), role__in=roles, group__user=user).exists()


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
