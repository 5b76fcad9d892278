"""Authentication scoped to the site being served, with lockout after repeated failures."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from .audit import client_ip
from .models import LoginFailure, SiteGroup


def current_schema():
    return getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)


def is_locked_out(username, ip):
    """True when the user name or the client IP has too many recent failures."""
    since = timezone.now() - timedelta(seconds=settings.CMS_LOGIN_LOCKOUT_SECONDS)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if username and recent.filter(username__iexact=username).count() >= settings.CMS_LOGIN_MAX_FAILURES_PER_USER:
        return True
    return bool(ip) and recent.filter(ip_address=ip).count() >= settings.CMS_LOGIN_MAX_FAILURES_PER_IP


class SiteScopedBackend(ModelBackend):
    """ModelBackend that counts only the groups bound to the current site, or to the whole cluster.

    A role on site A therefore grants nothing on site B: not ``wagtailadmin.access_admin``, not
    image or document permissions. Page and collection permissions are per schema already.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if is_locked_out(username, client_ip(request)):
            # PermissionDenied stops Django trying other backends and counts as a failed login.
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
