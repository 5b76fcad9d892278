"""Granting and revoking roles: one set of rules for the admin screens and the command line."""

from django.db import connection, transaction

from . import audit
from .access import forget_roles, is_security_admin
from .models import Role, SiteGroup, Tenant


class RoleError(Exception):
    """A role change that is not allowed or not possible; the message is for people."""


# 三员分立: the model permissions of each cluster-wide administrator's group (Wagtail's menus follow
# them). Their other powers are the explicit checks of sites/access.py. None is a superuser.
ADMINISTRATOR_PERMISSIONS = {
    # Sites, themes, supervision, the console: explicit checks. User accounts: Wagtail's 用户 screens
    # (whose role and "administrator" fields are removed, sites/user_forms.py: roles are granted by
    # the security administrator).
    Role.SYSTEM_ADMIN: [
        "wagtailadmin.access_admin",
        "sites.add_user",
        "sites.change_user",
        "sites.delete_user",
        "themes.add_theme",
        "themes.change_theme",
        "themes.delete_theme",
    ],
    Role.SECURITY_ADMIN: ["wagtailadmin.access_admin"],
    # The admin's door only: the audit screens are all it opens (sites/duties.py).
    Role.AUDIT_ADMIN: ["wagtailadmin.access_admin"],
}
# A city's web office (the system administrator bound to its portal, sites/scope.py): the admin's door
# only. Its powers over its subtree are the explicit checks of sites/scope.py; user accounts and
# themes are shared by every site of the cluster, so Wagtail's model permissions for them (the
# cluster web office's above) would reach every other city's accounts and themes.
PORTAL_WEB_OFFICE_PERMISSIONS = ["wagtailadmin.access_admin"]


def can_manage_roles(actor, tenant):
    """The security administrator manages every site's roles; a site admin their own site's only."""
    if actor is None:
        return True  # the command line run by an operator
    if is_security_admin(actor):
        return True
    return (
        tenant is not None
        and actor.groups.filter(site_binding__tenant=tenant, site_binding__role=Role.SITE_ADMIN).exists()
    )


def _administrator_permissions(role):
    return permissions_named(ADMINISTRATOR_PERMISSIONS[role])


def permissions_named(names):
    """The Permission rows of ``names`` ("app_label.codename"), those that exist."""
    from django.contrib.auth.models import Permission

    perms = []
    for dotted in names:
        app_label, codename = dotted.split(".")
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is not None:
            perms.append(perm)
    return perms


def administrator_group(role):
    """The cluster-wide group of an administrator role, made on first use, its permissions kept exact."""
    from django.contrib.auth.models import Group

    role = Role(role)
    binding = SiteGroup.objects.filter(tenant__isnull=True, role=role).select_related("group").first()
    if binding is None:
        group, _ = Group.objects.get_or_create(name=str(role.label))
        binding = SiteGroup.objects.create(group=group, tenant=None, role=role)
    binding.group.permissions.set(_administrator_permissions(role))
    return binding.group


def sync_administrator_permissions():
    """Every existing administrator group gets exactly its role's permissions (run on deploy),
    a city's web-office group (bound to its portal) exactly ``PORTAL_WEB_OFFICE_PERMISSIONS``."""
    for binding in SiteGroup.objects.filter(tenant__isnull=True, role__in=Role.administrator_roles()):
        administrator_group(binding.role)
    scoped = permissions_named(PORTAL_WEB_OFFICE_PERMISSIONS)
    for binding in SiteGroup.objects.filter(tenant__isnull=False, role=Role.SYSTEM_ADMIN).select_related("group"):
        binding.group.permissions.set(scoped)


def web_office_group():
    return administrator_group(Role.SYSTEM_ADMIN)


def _resolve(role, tenant):
    if role in Role.administrator_roles():
        if tenant is not None:
            raise RoleError(f"{role.label}是全站群角色，不能指定站点。")
        return administrator_group(role)
    if tenant is None:
        raise RoleError("站点角色必须指定站点（--site）。")
    binding = SiteGroup.objects.filter(tenant=tenant, role=role).select_related("group").first()
    if binding is None:
        raise RoleError(f"站点“{tenant.code}”没有“{Role(role).label}”角色组。")
    return binding.group


def _refuse(message, *, role, user, tenant, actor, request):
    audit.record(
        "role_refused",
        actor=actor,
        request=request,
        tenant_code=tenant.code if tenant else "",
        target=user.get_username(),
        role=role.value,
        reason=message,
    )
    raise RoleError(message)


def held_administrator_roles(user):
    return set(
        SiteGroup.objects.filter(
            tenant__isnull=True, role__in=Role.administrator_roles(), group__user=user
        ).values_list("role", flat=True)
    )


def grant_role(user, role, tenant=None, *, actor=None, request=None, allow_second_administrator=False):
    """Give ``user`` a role. An administrator role (三员) is given by the security administrator or
    the command line only, and never a second one to the same person unless the command line says
    ``allow_second_administrator`` (``grant_role --allow-second-administrator``; audited)."""
    role = Role(role)
    if role in Role.administrator_roles() and actor is not None and not is_security_admin(actor):
        raise RoleError(f"只有安全管理员可以授予{role.label}角色。")
    if not can_manage_roles(actor, tenant):
        raise RoleError("您无权管理该站点的角色。")
    if allow_second_administrator and actor is not None:
        raise RoleError("兼任两个管理员角色只能在服务器命令行上授予。")
    others = held_administrator_roles(user) - {role.value} if role in Role.administrator_roles() else set()
    if others and not allow_second_administrator:
        held = "、".join(str(Role(value).label) for value in sorted(others))
        _refuse(
            f"“{user.get_username()}”已是{held}：三员分立，同一人不能兼任两个管理员角色。",
            role=role,
            user=user,
            tenant=tenant,
            actor=actor,
            request=request,
        )
    with transaction.atomic():
        group = _resolve(role, tenant)
        user.groups.add(group)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        detail = {"role": role.value}
        if others:
            detail["second_administrator_role"] = True
            detail["also_holds"] = sorted(others)
        audit.record(
            "role_granted",
            actor=actor,
            request=request,
            tenant_code=tenant.code if tenant else "",
            target=user.get_username(),
            **detail,
        )
    forget_roles(user)


def revoke_role(user, role, tenant=None, *, actor=None, request=None):
    role = Role(role)
    if role in Role.administrator_roles() and actor is not None and not is_security_admin(actor):
        raise RoleError(f"只有安全管理员可以撤销{role.label}角色。")
    if not can_manage_roles(actor, tenant):
        raise RoleError("您无权管理该站点的角色。")
    if role == Role.SITE_ADMIN and actor is not None and actor.pk == user.pk and not is_security_admin(actor):
        # A site left without its admin can only be repaired by the security administrator: ask them instead.
        raise RoleError("不能撤销自己的站点管理员角色，请联系安全管理员。")
    with transaction.atomic():
        group = _resolve(role, tenant)
        user.groups.remove(group)
        audit.record(
            "role_revoked",
            actor=actor,
            request=request,
            tenant_code=tenant.code if tenant else "",
            target=user.get_username(),
            role=role.value,
        )
    forget_roles(user)


def members(tenant):
    """(user, role) pairs of a site, for the site's member screen."""
    from django.contrib.auth import get_user_model

    rows = []
    for binding in SiteGroup.objects.filter(tenant=tenant).select_related("group"):
        for user in get_user_model().objects.filter(groups=binding.group).order_by("username"):
            rows.append((user, Role(binding.role)))
    return rows


def members_by_user(tenant):
    """The site's members, one entry per person: ``[(user, [roles])]`` ordered by user name."""
    by_user = {}
    order = {role: index for index, role in enumerate(Role.site_roles())}
    for user, role in members(tenant):
        by_user.setdefault(user.pk, (user, []))[1].append(role)
    rows = sorted(by_user.values(), key=lambda row: row[0].username)
    return [(user, sorted(roles, key=order.get)) for user, roles in rows]


def groups_for_current_site():
    """Groups that mean something on the site being served: its own role groups and cluster-wide ones.

    Wagtail offers every group of the cluster wherever it lists groups (page privacy, approval
    tasks); another site's group, or Wagtail's unbound "Editors", has no business on this site.
    """
    from django.contrib.auth.models import Group

    schema = getattr(connection, "schema_name", "public")
    return Group.objects.filter(site_binding__in=SiteGroup.objects.for_schema(schema))


def site_by_code(code):
    tenant = Tenant.objects.sites().filter(code=code).first()
    if tenant is None:
        raise RoleError(f"站点“{code}”不存在。")
    return tenant
