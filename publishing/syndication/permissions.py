"""Who may do what in 信息报送: roles count only on the site they were granted for."""

from sites.models import Role, SiteGroup


def roles_on(user, tenant):
    """The user's roles on ``tenant`` (site roles only; the web office is ``is_web_office``)."""
    if tenant is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {
        Role(role) for role in SiteGroup.objects.filter(tenant=tenant, group__user=user).values_list("role", flat=True)
    }


def is_web_office(user):
    return bool(getattr(user, "is_active", False) and user.is_superuser)


def can_offer(user, tenant):
    """A site's editors and site admins offer its items (谁公开谁审查: the item is already reviewed)."""
    return is_web_office(user) or bool(roles_on(user, tenant) & {Role.EDITOR, Role.SITE_ADMIN})


def can_decide(user, tenant):
    """The target portal's editors and site admins adopt or decline; so does the web office (design §1)."""
    return is_web_office(user) or bool(roles_on(user, tenant) & {Role.EDITOR, Role.SITE_ADMIN})


def can_view_site(user, tenant):
    """Any role on the site shows its own submissions and statistics."""
    return is_web_office(user) or bool(roles_on(user, tenant))
