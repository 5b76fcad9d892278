"""Granting and revoking roles: one set of rules for the admin screens and the command line."""

from django.db import connection, transaction

from . import audit
from .models import Role, SiteGroup, Tenant


class RoleError(Exception):
    """A role change that is not allowed or not possible; the message is for people."""


def can_manage_roles(actor, tenant):
    """The web office manages every site; a site admin manages the roles of their own site only."""
    if actor is None:
        return True  # the command line run by an operator
    if actor.is_superuser:
        return True
    return (
        tenant is not None
        and actor.groups.filter(site_binding__tenant=tenant, site_binding__role=Role.SITE_ADMIN).exists()
    )


def web_office_group():
    from django.contrib.auth.models import Group

    binding = SiteGroup.objects.filter(tenant__isnull=True, role=Role.WEB_OFFICE).select_related("group").first()
    if binding:
        return binding.group
    group, _ = Group.objects.get_or_create(name=str(Role.WEB_OFFICE.label))
    SiteGroup.objects.create(group=group, tenant=None, role=Role.WEB_OFFICE)
    return group


def _resolve(role, tenant):
    if role == Role.WEB_OFFICE:
        if tenant is not None:
            raise RoleError("网站办是全站群角色，不能指定站点。")
        return web_office_group()
    if tenant is None:
        raise RoleError("站点角色必须指定站点（--site）。")
    binding = SiteGroup.objects.filter(tenant=tenant, role=role).select_related("group").first()
    if binding is None:
        raise RoleError(f"站点“{tenant.code}”没有“{Role(role).label}”角色组。")
    return binding.group


def grant_role(user, role, tenant=None, *, actor=None, request=None):
    role = Role(role)
    if role == Role.WEB_OFFICE and actor is not None and not actor.is_superuser:
        raise RoleError("只有网站办可以授予网站办角色。")
    if not can_manage_roles(actor, tenant):
        raise RoleError("您无权管理该站点的角色。")
    with transaction.atomic():
        group = _resolve(role, tenant)
        user.groups.add(group)
        if role == Role.WEB_OFFICE:
            # Wagtail gives every permission to superusers; the web office sees and manages all.
            user.is_superuser = True
        user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
        audit.record(
            "role_granted",
            actor=actor,
            request=request,
            tenant_code=tenant.code if tenant else "",
            target=user.get_username(),
            role=role.value,
        )


def revoke_role(user, role, tenant=None, *, actor=None, request=None):
    role = Role(role)
    if role == Role.WEB_OFFICE and actor is not None and not actor.is_superuser:
        raise RoleError("只有网站办可以撤销网站办角色。")
    if not can_manage_roles(actor, tenant):
        raise RoleError("您无权管理该站点的角色。")
    if role == Role.SITE_ADMIN and actor is not None and actor.pk == user.pk and not actor.is_superuser:
        # A site left without its admin can only be repaired by the web office: ask them instead.
        raise RoleError("不能撤销自己的站点管理员角色，请联系网站办。")
    with transaction.atomic():
        group = _resolve(role, tenant)
        user.groups.remove(group)
        if role == Role.WEB_OFFICE:
            user.is_superuser = False
            user.save(update_fields=["is_superuser"])
        audit.record(
            "role_revoked",
            actor=actor,
            request=request,
            tenant_code=tenant.code if tenant else "",
            target=user.get_username(),
            role=role.value,
        )


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
