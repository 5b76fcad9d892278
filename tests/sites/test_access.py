"""sites.access: the one place for the current site, the web office and roles on a site."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django_tenants.utils import schema_context

from publishing.confidentiality.models import WordList
from sites.access import WebOfficeOnlyPolicy, current_site, has_site_role, is_web_office, roles_on
from sites.models import Role

pytestmark = pytest.mark.django_db


def test_the_web_office_is_an_active_account_with_the_cluster_role(cluster):
    office = get_user_model().objects.get(pk=cluster.user(None, Role.WEB_OFFICE).pk)  # a copy to change
    assert is_web_office(office)
    office.is_active = False
    assert not is_web_office(office)  # a deactivated account manages nothing (one copy skipped this)
    assert not is_web_office(cluster.user("jtj", Role.SITE_ADMIN))
    assert not is_web_office(AnonymousUser()) and not is_web_office(None)


def test_roles_count_only_on_their_own_site(cluster):
    editor = cluster.user("jtj", Role.EDITOR)
    assert roles_on(editor, cluster.sites["jtj"]) == {Role.EDITOR}
    assert roles_on(editor, cluster.sites["jyj"]) == set()
    with schema_context("jtj"):
        assert has_site_role(editor, Role.EDITOR, Role.SITE_ADMIN)
    with schema_context("jyj"):
        assert not has_site_role(editor, Role.EDITOR)


def test_current_site_is_the_real_row_in_every_context(cluster):
    connection.set_tenant(cluster.sites["jtj"])
    assert current_site() == cluster.sites["jtj"]
    connection.set_schema_to_public()
    with schema_context("jyj"):  # a stand-in tenant: the row is loaded
        assert current_site().pk == cluster.sites["jyj"].pk
    assert current_site().schema_name == "public"  # the public tenant row, never a site's


def test_shared_lists_are_for_the_security_admin_only(cluster):
    # 三员分立: the word lists were the web office's; they are the security administrator's now.
    policy = WebOfficeOnlyPolicy(WordList)
    assert policy.user_has_permission(cluster.user(None, Role.SECURITY_ADMIN), "change")
    assert not policy.user_has_permission(cluster.user(None, Role.WEB_OFFICE), "change")
    assert not policy.user_has_permission(cluster.user("jtj", Role.SITE_ADMIN), "change")
    assert set(policy.users_with_any_permission(["change"])) == {cluster.user(None, Role.SECURITY_ADMIN)}
