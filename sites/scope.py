"""Which sites a web office manages: the whole cluster, or the subtree of one portal.

A province's web office (系统管理员 bound to the whole cluster, ``SiteGroup.tenant`` empty) manages
every site. A city's web office is the same role bound to its city portal (``SiteGroup.tenant`` =
the portal): it manages that portal and every site below it (departments, counties, their
departments), and nothing else. ``managed_sites`` is the one answer; the console's site screens
and the admin home's 站群概况, the supervision dashboard, 统计与年报 (发稿量 from the catalogue,
the annual reports), 信息报送采用统计 and the 互动交流 overviews ask it (``oversees_here``: may this
site's admin show the user several sites' rows).

A scoped binding does not make ``is_web_office`` true: screens that were the cluster web office's
alone (themes, user accounts, provisioning) stay refused to a city's web office.
"""

from __future__ import annotations

from .access import _active, is_web_office
from .models import Role, SiteGroup, Tenant


def bound_portals(user):
    """The sites a user holds a scoped web-office binding on (system administrator with a tenant)."""
    if not _active(user):
        return Tenant.objects.none()
    return Tenant.objects.sites().filter(
        pk__in=SiteGroup.objects.filter(role=Role.SYSTEM_ADMIN, tenant__isnull=False, group__user=user).values(
            "tenant_id"
        )
    )


def subtree_ids(roots):
    """The ids of ``roots`` and of every site below them (one query per level; the tree is shallow)."""
    ids = set(roots)
    level = set(roots)
    while level:
        level = set(Tenant.objects.filter(parent_id__in=level).exclude(pk__in=ids).values_list("pk", flat=True))
        ids |= level
    return ids


def subtree(tenant):
    """``tenant`` and every site below it, a Tenant queryset."""
    return Tenant.objects.sites().filter(pk__in=subtree_ids([tenant.pk]))


def managed_sites(user):
    """The sites ``user`` manages as web office: all for the cluster's, a portal's subtree for a city's."""
    if is_web_office(user):
        return Tenant.objects.sites()
    if not _active(user):
        return Tenant.objects.none()
    return Tenant.objects.sites().filter(pk__in=subtree_ids(list(bound_portals(user).values_list("pk", flat=True))))


def manages_any(user):
    """True for a cluster web office and for a portal's (scoped) web office."""
    return is_web_office(user) or bound_portals(user).exists()


def is_scoped(user):
    """A web office bound to a portal, not to the whole cluster."""
    return not is_web_office(user) and bound_portals(user).exists()


def manages(user, tenant):
    return tenant is not None and managed_sites(user).filter(pk=tenant.pk).exists()


def oversees_here(user, site):
    """True when ``site``'s admin shows ``user`` the rows of more than one site: the cluster's web
    office on any site, a city's on a site of its subtree (on another city's admin it sees none)."""
    return is_web_office(user) or (site is not None and bool(site.pk) and is_scoped(user) and manages(user, site))


def scoped_parent_error(user, site, parent_code):
    """Why a scoped web office may not give ``site`` the parent ``parent_code`` (None: it may).

    A city's web office keeps every site it edits inside its subtree, and may not move the portal
    it is bound to (that would take the subtree somewhere else, or out of the province's reach).
    """
    if is_web_office(user):
        return None
    current = site.parent.code if site.parent_id else None
    parent_code = getattr(parent_code, "code", parent_code) or None
    if parent_code == current:
        return None
    if bound_portals(user).filter(pk=site.pk).exists():
        return "本级网站办不能更改本门户的上级站点。"
    if parent_code is None or not managed_sites(user).filter(code=parent_code).exists():
        return "只能把站点放在本门户及其下级站点之下。"
    return None


def portal_web_office_group(portal):
    """The group of ``portal``'s own web office (a system administrator bound to the portal)."""
    from django.contrib.auth.models import Group

    from .roles import PORTAL_WEB_OFFICE_PERMISSIONS, permissions_named

    binding = SiteGroup.objects.filter(tenant=portal, role=Role.SYSTEM_ADMIN).select_related("group").first()
    if binding is None:
        group, _ = Group.objects.get_or_create(name=f"{portal.code}·本级网站办")
        binding = SiteGroup.objects.create(group=group, tenant=portal, role=Role.SYSTEM_ADMIN)
    binding.group.permissions.set(permissions_named(PORTAL_WEB_OFFICE_PERMISSIONS))
    return binding.group


def grant_portal_web_office(user, portal, *, actor=None, request=None):
    """Make ``user`` the web office of ``portal``'s subtree (a city's 网站办); audited."""
    from . import audit
    from .access import forget_roles

    user.groups.add(portal_web_office_group(portal))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit.record(
        "role_granted",
        actor=actor,
        request=request,
        tenant_code=portal.code,
        target=user.get_username(),
        role=Role.SYSTEM_ADMIN.value,
        scope="subtree",
    )
    forget_roles(user)


def portal_web_office_error(user, site):
    """Why ``user`` may not become the web office of ``site`` (None: they may).

    Only a portal heads a subtree (a city's, or the province's own portal); and 三员分立 holds at every
    level: the security or audit administrator may not also be a city's system administrator.
    """
    from .models import SiteKind
    from .roles import held_administrator_roles

    if site is None or site.kind != SiteKind.PORTAL:
        return "本级网站办只能绑定到门户网站（省、市门户），部门和县区网站由其上级门户的网站办管理。"
    others = held_administrator_roles(user) - {Role.SYSTEM_ADMIN.value}
    if others:
        held = "、".join(str(Role(value).label) for value in sorted(others))
        return f"“{user.get_username()}”已是{held}：三员分立，同一人不能兼任两个管理员角色。"
    return None


def revoke_portal_web_office(user, portal, *, actor=None, request=None):
    """Take ``portal``'s subtree from ``user``'s web-office scope; audited. False if they did not hold it."""
    from . import audit
    from .access import forget_roles

    bindings = SiteGroup.objects.filter(tenant=portal, role=Role.SYSTEM_ADMIN, group__user=user)
    groups = [binding.group for binding in bindings.select_related("group")]
    if not groups:
        return False
    user.groups.remove(*groups)
    audit.record(
        "role_revoked",
        actor=actor,
        request=request,
        tenant_code=portal.code,
        target=user.get_username(),
        role=Role.SYSTEM_ADMIN.value,
        scope="subtree",
    )
    forget_roles(user)
    return True
