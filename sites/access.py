"""Tenancy and permissions in one place: the current site, the web office, roles on a site, and who
may read restricted content.

Each of these rules was once written in several apps, a little differently each time (one
``is_web_office`` skipped ``is_active``); everything above ``sites/`` imports them from here.

Who may read restricted content on a site (pages and private documents):

Wagtail's "login required" admits anyone with an account. Accounts here are shared by the whole
cluster (one sign-on for every site), so that would let an editor of jtj read jyj's login-only
pages and documents. On a site, "login required" therefore means a member of that site (a role
bound to it) or the system administrator; "these groups" counts only groups bound to the current site or to
the whole cluster. Password restrictions are Wagtail's own and unchanged.

三员分立 (等保三级): the web office is three cluster-wide administrators, none of them a superuser:

- 系统管理员 (``is_web_office``, the old name kept for its many callers): sites, themes, user
  accounts, the console's site management, supervision, the cluster catalogue, cross-site overviews.
  Not the pages of a site: the page explorer is for each site's own roles.
- 安全管理员 (``is_security_admin``): roles and role grants, the confidentiality word lists, the
  supervision wording lists and the search synonyms (lists that decide what may be published or
  found), the security settings.
- 审计管理员 (``is_audit_admin``): reads the audit log, and nothing else (``is_read_only_admin``).

A superuser exists only while a break-glass grant is in force (``manage.py break_glass``); it passes
every check here, and every change it makes is audited (sites/break_glass.py).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
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


def _active(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def administrator_roles(user):
    """The cluster-wide administrator roles (三员) ``user`` holds, a set of Role (remembered on the user)."""
    if not _active(user):
        return set()
    if "_cms_admin_roles" not in user.__dict__:
        user.__dict__["_cms_admin_roles"] = {
            Role(role)
            for role in SiteGroup.objects.filter(
                tenant__isnull=True, role__in=Role.administrator_roles(), group__user=user
            ).values_list("role", flat=True)
        }
    return user.__dict__["_cms_admin_roles"]


def forget_roles(user):
    """After a grant or revocation: the user's remembered roles and permissions are read afresh."""
    for name in ("_cms_admin_roles", "_cms_member_cache", "_cms_perm_cache", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


def is_break_glass(user):
    """A superuser: only ever a break-glass grant in force (sites/break_glass.py); passes every check."""
    return _active(user) and user.is_superuser


def is_web_office(user):
    """系统管理员 (the web office's old name): sites, themes, users, supervision, the cluster catalogue."""
    return is_break_glass(user) or Role.SYSTEM_ADMIN in administrator_roles(user)


def system_admins():
    """The active system administrators (for mail: the supervision digest, alarms)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(groups__site_binding__tenant__isnull=True, groups__site_binding__role=Role.SYSTEM_ADMIN)
        .distinct()
    )


def is_system_admin(user):
    return is_web_office(user)


def is_security_admin(user):
    """安全管理员: roles and role grants, word lists, synonyms, security settings."""
    return is_break_glass(user) or Role.SECURITY_ADMIN in administrator_roles(user)


def is_audit_admin(user):
    """审计管理员: reads the whole audit log; changes nothing anywhere."""
    return is_break_glass(user) or Role.AUDIT_ADMIN in administrator_roles(user)


def is_read_only_admin(user):
    """True for an audit administrator who holds no other role that could change anything."""
    if not _active(user) or user.is_superuser or administrator_roles(user) != {Role.AUDIT_ADMIN}:
        return False
    return not SiteGroup.objects.filter(tenant__isnull=False, group__user=user).exists()


def may_read_audit_log(user):
    """The whole cluster's audit log: the audit administrator (and a break-glass superuser)."""
    return is_audit_admin(user)


class SecurityAdminOnlyPolicy(BasePermissionPolicy):
    """A Wagtail permission policy for the cluster's shared lists (word lists, wording lists,
    synonyms): every action for the security administrator, none for anybody else, whatever model
    permissions a group was given."""

    def user_has_permission(self, user, action):
        return is_security_admin(user)

    def user_has_any_permission(self, user, actions):
        return is_security_admin(user)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(
                models.Q(is_superuser=True)
                | models.Q(groups__site_binding__tenant__isnull=True, groups__site_binding__role=Role.SECURITY_ADMIN)
            )
            .distinct()
        )


# The policy's name before 三员分立 (the lists were the web office's).
WebOfficeOnlyPolicy = SecurityAdminOnlyPolicy


def roles_on(user, tenant):
    """The user's site roles on ``tenant`` (a set of Role); the administrators are ``is_web_office`` &c."""
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
    """True for the system administrator and for users with a role on the site (current schema by default)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_web_office(user):
        return True
    schema_name = schema_name or current_schema()
    cache = user.__dict__.setdefault("_cms_member_cache", {})
    if schema_name not in cache:
        # Cluster-wide groups are the administrators: only the system administrator (above) is a
        # member of every site; the security and audit administrators read no site's restricted pages.
        cache[schema_name] = SiteGroup.objects.filter(tenant__schema_name=schema_name, group__user=user).exists()
    return cache[schema_name]


def refuses(restriction, user):
    """True when a signed-in ``user`` is admitted by Wagtail's check but not by the cluster's rule."""
    if user is None or not user.is_authenticated or is_web_office(user):
        return False  # the anonymous are sent to the login page by Wagtail itself
    if restriction.restriction_type == BaseViewRestriction.LOGIN:
        return not is_site_member(user)
    if restriction.restriction_type == BaseViewRestriction.GROUPS:
        own_groups = SiteGroup.objects.for_schema(current_schema()).values("group_id")
        return not restriction.groups.filter(pk__in=own_groups, user=user).exists()
    return False


def refuses_any(restrictions, user):
    return any(refuses(restriction, user) for restriction in restrictions)
