"""Who may do what in 信息报送: roles count only on the site they were granted for."""

from sites.access import is_web_office, roles_on
from sites.models import Role
from sites.scope import oversees_here

__all__ = [
    "can_decide",
    "can_offer",
    "can_view_site",
    "can_view_statistics",
    "is_web_office",
    "roles_on",
    "sees_wider_statistics",
]


def can_offer(user, tenant):
    """A site's editors and site admins offer its items (谁公开谁审查: the item is already reviewed)."""
    return is_web_office(user) or bool(roles_on(user, tenant) & {Role.EDITOR, Role.SITE_ADMIN})


def can_decide(user, tenant):
    """The target portal's editors and site admins adopt or decline; so does the web office (design §1)."""
    return is_web_office(user) or bool(roles_on(user, tenant) & {Role.EDITOR, Role.SITE_ADMIN})


def can_view_site(user, tenant):
    """Any role on the site shows its own submissions and statistics."""
    return is_web_office(user) or bool(roles_on(user, tenant))


def sees_wider_statistics(user, tenant):
    """Who may widen ``tenant``'s statistics beyond the offers made to it: the cluster's web office
    (to every site), a city's web office on a site of its subtree (to the subtree, sites.scope)."""
    return oversees_here(user, tenant)


def can_view_statistics(user, tenant):
    return can_view_site(user, tenant) or sees_wider_statistics(user, tenant)
