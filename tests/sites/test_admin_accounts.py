"""三员分立 holds on the user screens: the system administrator manages accounts, but not the
accounts of the administrators (else they could set the security administrator's password, sign
in as them and grant roles), and nobody adds users to groups through Wagtail's bulk "assign role"."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from sites.models import AuditEvent, Role
from sites.scope import grant_portal_web_office
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(cluster, user, code="portal"):
    client = Client(HTTP_HOST=cluster.host(code))
    client.force_login(user)
    return client


def edit_post(client, target, password):
    return client.post(
        f"/admin/users/edit/{target.pk}/",
        {
            "username": target.username,
            "email": target.email or "x@example.gov.cn",
            "first_name": target.first_name or "某",
            "last_name": target.last_name or "某",
            "is_active": "on",
            "password1": password,
            "password2": password,
        },
    )


@pytest.mark.parametrize("target_role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_system_administrator_cannot_change_another_administrators_account(cluster, target_role):
    system = cluster.user(None, Role.SYSTEM_ADMIN)
    target = cluster.user(None, target_role)
    before = target.password
    client = client_for(cluster, system)
    assert client.get(f"/admin/users/edit/{target.pk}/").status_code == 302
    answer = edit_post(client, target, "Pwned-2026-xyz!")
    assert answer.status_code == 302
    target.refresh_from_db()
    assert target.password == before and target.is_active
    assert AuditEvent.objects.filter(action="admin_account_change_refused", target=target.username).exists()
    # Nor deactivate it.
    client.post(f"/admin/users/delete/{target.pk}/")
    target.refresh_from_db()
    assert target.is_active


def test_the_system_administrator_still_manages_ordinary_accounts(cluster):
    system = cluster.user(None, Role.SYSTEM_ADMIN)
    editor = cluster.user("jtj", Role.EDITOR)
    before = editor.password
    answer = edit_post(client_for(cluster, system), editor, "Another-pass-2026!")
    assert answer.status_code == 302
    editor.refresh_from_db()
    assert editor.password != before  # positive control: the screen works for an editor


def test_bulk_assign_role_is_refused(cluster):
    system = cluster.user(None, Role.SYSTEM_ADMIN)
    plain = UserFactory(username="plain_user")
    security_group = Group.objects.get(site_binding__role=Role.SECURITY_ADMIN, site_binding__tenant__isnull=True)
    client = client_for(cluster, system)
    client.post(
        f"/admin/bulk/{plain._meta.app_label}/{plain._meta.model_name}/assign_role/?id={plain.pk}",
        {"role": security_group.pk, "next": "/admin/users/"},
    )
    assert not plain.groups.filter(pk=security_group.pk).exists()
    assert AuditEvent.objects.filter(action="admin_account_change_refused", target="assign_role").exists()


def test_a_city_web_offices_parent_choices_name_its_own_subtree_only(cluster):
    from sites.console.forms import SiteRecordForm

    office = UserFactory(username="city_office")
    grant_portal_web_office(office, cluster.sites["jyj"])  # a subtree of one site: jyj itself
    form = SiteRecordForm(site=cluster.sites["jyj"], user=office)
    codes = {code for code, _label in form.fields["parent"].choices}
    assert codes == {"", "portal"}  # its present parent stays; jtj, outside its subtree, is not named
    # The cluster's system administrator sees every site (positive control).
    everyone = SiteRecordForm(site=cluster.sites["jtj"], user=cluster.user(None, Role.SYSTEM_ADMIN))
    assert {code for code, _l in everyone.fields["parent"].choices} >= {"portal", "jyj"}


def test_a_city_web_office_must_use_a_second_factor(cluster, settings):
    from sites.policy.mfa import requires_second_factor

    settings.CMS_MFA_ENFORCED = True
    office = UserFactory(username="city_office_mfa")
    assert not requires_second_factor(office)  # positive control: a role-less account needs none
    grant_portal_web_office(office, cluster.sites["portal"])
    office = type(office).objects.get(pk=office.pk)
    assert requires_second_factor(office)
