"""A city's web office may not open the cluster's account or theme screens.

User accounts and themes are shared by every site. The city's web-office group used to carry the
cluster web office's model permissions (sites.change_user, themes.change_theme…), so on its own
portal's admin a city's web office could set the password of another city's site administrator and
sign in as them, or edit the theme the province uses.
"""

import pytest
from django.contrib.auth.hashers import check_password

from sites.models import Role, SiteGroup
from sites.roles import sync_administrator_permissions
from sites.scope import portal_web_office_group
from tests.factories import UserFactory
from tests.scoped import as_user, city_tree

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Taken-over-2026-x!"  # noqa: S105


def _other_city_admin(cluster):
    """The site administrator of jyj (another city below the province in city_tree)."""
    return cluster.user("jyj", "site_admin")


def test_a_city_web_office_cannot_set_another_citys_admin_password(cluster):
    office = city_tree(cluster)
    victim = _other_city_admin(cluster)
    client = as_user(office, "jtj")
    assert client.get("/admin/").status_code == 200  # its own portal's admin opens
    assert client.get("/admin/users/").status_code != 200
    assert client.get(f"/admin/users/edit/{victim.pk}/").status_code != 200
    client.post(
        f"/admin/users/edit/{victim.pk}/",
        {
            "username": victim.username,
            "email": "taken@example.com",
            "first_name": "X",
            "last_name": "Y",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "is_active": "on",
        },
    )
    victim.refresh_from_db()
    assert not check_password(NEW_PASSWORD, victim.password)
    assert client.get("/admin/users/new/").status_code != 200


def test_a_city_web_office_cannot_edit_the_shared_themes(cluster):
    office = city_tree(cluster)
    client = as_user(office, "jtj")
    assert client.get("/admin/themes/").status_code != 200
    assert client.get("/admin/themes/new/").status_code != 200


def test_the_cluster_web_office_keeps_the_account_screens(cluster):
    """Positive control: the province's web office still manages accounts and themes."""
    client = as_user(cluster.user(None, "web_office"), "portal")
    victim = _other_city_admin(cluster)
    assert client.get("/admin/users/").status_code == 200
    assert client.get(f"/admin/users/edit/{victim.pk}/").status_code == 200
    assert client.get("/admin/themes/").status_code == 200


def test_deploy_takes_the_cluster_permissions_from_an_older_city_group(cluster):
    """A city's group granted before the fix kept the cluster's permissions: deploy sets them right."""
    from sites.roles import web_office_group

    portal = cluster.sites["portal"]
    group = portal_web_office_group(portal)
    group.permissions.set(web_office_group().permissions.all())  # as an older release left it
    office = UserFactory(username="older_city_office")
    office.groups.add(group)
    sync_administrator_permissions()
    names = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert names == {("wagtailadmin", "access_admin")}
    assert SiteGroup.objects.get(group=group).role == Role.SYSTEM_ADMIN
    # The cluster's own group is untouched.
    assert ("sites", "change_user") in set(
        web_office_group().permissions.values_list("content_type__app_label", "codename")
    )
