"""Authentication scoped to the site being served, with lockout after repeated failures."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection

from .client_ip import client_ip
from .lockout import current_lock
from .models import SiteGroup


def current_schema():
    return getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)


def is_locked_out(username, ip):
    """True when this user name from this client IP, or this IP, is locked (sites/lockout.py)."""
    return current_lock(username, ip) is not None


class SiteScopedBackend(ModelBackend):
    """ModelBackend that counts only the groups bound to the current site, or to the whole cluster.

    A role on site A therefore grants nothing on site B: not ``wagtailadmin.access_admin``, not
    image or document permissions. Page and collection permissions are per schema already.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # The login form refuses a locked attempt before it gets here (with the lock's message);
        # this covers any other caller of authenticate().
        if is_locked_out(username, client_ip(request)):
            # PermissionDenied stops Django trying other backends and counts as a failed login
            # (the lock does not grow from it: sites/lockout.py skips attempts made while locked).
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user_permissions(self, user_obj, obj=None):
        # Permissions given to a user directly would hold on every site: only roles count.
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            perms = Permission.objects.all()
        else:
            groups = SiteGroup.objects.for_schema(current_schema()).filter(group__user=user_obj)
            perms = Permission.objects.filter(group__site_binding__in=groups)
        return {f"{ct}.{name}" for ct, name in perms.values_list("content_type__app_label", "codename")}

    def get_all_permissions(self, user_obj, obj=None):
        # Cached per schema: one process may serve or loop over several sites with the same user.
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache = user_obj.__dict__.setdefault("_cms_perm_cache", {})
        schema = current_schema()
        if schema not in cache:
            cache[schema] = self.get_group_permissions(user_obj)
        return cache[schema]


# Wagtail caches a user's page, collection and site permissions (and the explorer's root page) on
# the user object, with no notion of schema. One user object asked about jtj and then about jyj
# (a management command, a worker, a cross-site feature) would get jtj's GroupPagePermission rows
# on jyj, where the same page paths exist: an editor of jtj could add pages on jyj.
_WAGTAIL_USER_CACHES = (
    "_page_permission_cache",
    "_collection_permission_cache",
    "_site_permission_cache",
    "_explorable_root_page_cache",
)


def forget_other_schema_permissions(user):
    """Drop Wagtail's per-user permission caches when they were filled for another schema."""
    if user is None:
        return
    schema = current_schema()
    if user.__dict__.get("_cms_wagtail_cache_schema") != schema:
        for name in _WAGTAIL_USER_CACHES:
            user.__dict__.pop(name, None)
        user.__dict__["_cms_wagtail_cache_schema"] = schema


def scope_wagtail_permission_caches():
    """Make Wagtail's permission policies forget caches filled under another schema (idempotent)."""
    from wagtail.permission_policies.base import BasePermissionPolicy
    from wagtail.permission_policies.pages import PagePermissionPolicy

    if getattr(BasePermissionPolicy, "_cms_schema_scoped", False):
        return
    cached_permissions = BasePermissionPolicy.get_cached_permissions_for_user
    explorable_root = PagePermissionPolicy.explorable_root_instance

    def get_cached_permissions_for_user(self, user):
        forget_other_schema_permissions(user)
        return cached_permissions(self, user)

    def explorable_root_instance(self, user, *args, **kwargs):
        forget_other_schema_permissions(user)
        return explorable_root(self, user, *args, **kwargs)

    BasePermissionPolicy.get_cached_permissions_for_user = get_cached_permissions_for_user
    PagePermissionPolicy.explorable_root_instance = explorable_root_instance
    BasePermissionPolicy._cms_schema_scoped = True


scope_wagtail_permission_caches()
